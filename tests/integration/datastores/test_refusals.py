"""A change the database refuses names the table, column and constraint, and quotes no data.

On SQLite the error used to carry the database's own message as its "code" (a trigger's text,
which may say anything); on every database it named no table, column or constraint, so the
operator could not tell which mask to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from steward.datastores import DatastoreRefused, ExecutionRequest
from steward.datastores.executor import forget_connections, run_on_datastore
from steward.datastores.identity import Identifiers
from steward.register import load_register
from steward.register.models import Register

REGISTER = """
steward: 1
operator:
  id: refusals
  legal_name: Refusals LLC
  names: {{en: Refusals}}
  country: RU
  contacts: {{privacy_email: privacy@refusals.example, postal_address: "1 No St"}}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - id: customer
    names: {{en: Customer}}
purposes:
  - id: service
    names: {{en: Service}}
    descriptions: {{en: The service.}}
    basis: contract
    categories: [contact, identity.name]
    subjects: [customer]
    retention: {{duration: P1Y, from: contract-end}}
datastores:
  - id: app
    kind: {kind}
    connection: {{env: REFUSALS_DB_URL}}
    location: RU
    tables:
      - name: people
        subject: customer
        identity: {{email: email}}
        columns:
          email: contact.email
          nickname: {{category: identity.name, mask: fixed, value: "{nickname}"}}
          code: {{category: identity.name, mask: fixed, value: "{code}"}}
        on_erasure: anonymise
        purposes: [service]
"""


def _ddl(dialect: str) -> str:
    length = "length" if dialect == "sqlite" else "char_length"
    return f"""CREATE TABLE people (id INTEGER PRIMARY KEY, email VARCHAR(100),
        nickname VARCHAR(40) NOT NULL, code VARCHAR(20) NOT NULL,
        CONSTRAINT nick_len CHECK ({length}(nickname) >= 3),
        CONSTRAINT people_code UNIQUE (code))"""


@pytest.fixture
def people(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[sa.Engine, Path]]:
    engine = sa.create_engine(any_database)
    with engine.begin() as connection:
        connection.exec_driver_sql(_ddl(engine.dialect.name))
        connection.exec_driver_sql(
            "INSERT INTO people VALUES (1, 'anna@x.example', 'Annushka', 'ANNA-1'),"
            " (2, 'boris@x.example', 'Borya', 'taken-code')"
        )
    monkeypatch.setenv("REFUSALS_DB_URL", any_database)
    yield engine, tmp_path
    forget_connections()
    engine.dispose()


def _register(engine: sa.Engine, tmp_path: Path, nickname: str, code: str) -> Register:
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}
    path = tmp_path / f"register-{nickname}-{code}.yaml"
    text = REGISTER.format(kind=kind[engine.dialect.name], nickname=nickname, code=code)
    path.write_text(text, encoding="utf-8")
    return load_register(path)


def _erase(register: Register, dry_run: bool = False) -> None:
    ids = {"email": "anna@x.example"}
    run_on_datastore(
        register,
        register.datastores[0],
        ExecutionRequest("erasure", ids, "R", dry_run=dry_run),
        Identifiers.parse(ids, "RU"),
        secret=b"k",
        today=date(2026, 11, 22),
    )


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "execution"])
def test_a_refused_check_names_the_table_and_the_constraint(
    people: tuple[sa.Engine, Path], dry_run: bool
) -> None:
    engine, tmp_path = people
    with pytest.raises(DatastoreRefused) as refused:
        _erase(_register(engine, tmp_path, "x", "free-code"), dry_run)
    message = str(refused.value)
    assert "table people" in message and "nick_len" in message, message
    assert "Annushka" not in message and "anna" not in message.lower()


def test_a_refused_unique_value_names_where_and_never_the_value(
    people: tuple[sa.Engine, Path],
) -> None:
    engine, tmp_path = people
    with pytest.raises(DatastoreRefused) as refused:
        _erase(_register(engine, tmp_path, "erased", "taken-code"))
    message = str(refused.value)
    assert "people" in message, message
    assert "people_code" in message or "column code" in message, message
    assert "taken-code" not in message and "ANNA" not in message
