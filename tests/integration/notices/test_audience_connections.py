"""Notice audiences read the operator's databases through the one datastore engine factory:
a plain ``mysql://`` or ``postgresql://`` URL works as it does for execution, and addresses
are normalised."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from steward.notices.audience import account_holders
from steward.register import load_register

from ...conftest import EXAMPLES


@pytest.mark.parametrize("server", ["postgres_database", "mariadb_database"])
def test_account_holders_are_read_from_a_plain_url_as_execution_reads_it(
    server: str, request: pytest.FixtureRequest
) -> None:
    make: Callable[[], str] = request.getfixturevalue(server)
    url = make()  # postgresql+psycopg://... or mysql+pymysql://...
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE customers (id int primary key, email varchar(200))")
        )
        connection.execute(
            sa.text(
                "INSERT INTO customers VALUES (1, ' Anna@Example.COM'), (2, 'anna@example.com'),"
                " (3, 'Straße@Example.com'), (4, NULL)"
            )
        )
    engine.dispose()
    scheme = "postgresql" if server == "postgres_database" else "mysql"
    plain = f"{scheme}://" + url.split("://", 1)[1]  # as an operator writes it
    register = load_register(EXAMPLES / "demo" / "register.yaml")
    holders = account_holders(register, environ={"DEMO_APP_DATABASE_URL": plain})
    assert [h.email for h in holders] == ["anna@example.com", "straße@example.com"]
