"""examples/demo_db.py: each seed operator's demo databases, built from its register, are what
the register says (Steward reflects them and finds nothing missing), hold only valid
identifiers, and give every demo person rows wherever an identifier or a reference leads."""

from __future__ import annotations

from pathlib import Path

import phonenumbers
import pytest
import sqlalchemy as sa
from email_validator import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.datastores.connect import compare, reflect
from steward.register import load_register

from ...conftest import EXAMPLES
from ...e2e.seed_operators import demo_db

OPERATORS = ("amrcloud", "acrcloud", "softvendor", "almis", "activecloud")


def _build(operator: str, folder: Path, people: int, seed: int):  # type: ignore[no-untyped-def]
    register = load_register(EXAMPLES / operator / "register.yaml")
    urls = {d.id: f"sqlite:///{folder / f'{d.id}.db'}" for d in register.datastores}
    return register, demo_db().build(register, urls, people=people, seed=seed)


@pytest.mark.parametrize("operator", OPERATORS)
def test_demo_databases_have_every_table_and_column_the_register_names(
    operator: str, tmp_path: Path
) -> None:
    register, built = _build(operator, tmp_path, 8, 1)
    for datastore in register.datastores:
        engine = sa.create_engine(built.urls[datastore.id])
        try:
            assert compare(reflect(engine, datastore), datastore) == []
        finally:
            engine.dispose()
        for table in datastore.tables:
            assert built.rows[f"{datastore.id}.{table.name}"] > 0, table.name


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), operator=st.sampled_from(OPERATORS))
def test_identifiers_are_valid_and_every_identity_column_holds_a_persons_value(
    tmp_path_factory: pytest.TempPathFactory, seed: int, operator: str
) -> None:
    folder = tmp_path_factory.mktemp("demo")
    register, built = _build(operator, folder, 6, seed)
    emails = {p.email for p in built.people}
    phones = {p.phone for p in built.people}
    for person in built.people:
        assert phonenumbers.is_valid_number(phonenumbers.parse(person.phone))
        validate_email(person.email, check_deliverability=False)
    assert len(emails) == len(phones) == len(built.people)  # nobody shares an identifier
    primary_kind = built.people[0].kind
    for datastore in register.datastores:
        engine = sa.create_engine(built.urls[datastore.id])
        with engine.connect() as connection:
            for table in datastore.tables:
                if table.subject != primary_kind:
                    continue
                for column, kind in table.identity.items():
                    values = {
                        row[0]
                        for row in connection.execute(sa.text(f"SELECT {column} FROM {table.name}"))
                    }
                    wanted = {"email": emails, "phone": phones}.get(
                        kind, {p.account for p in built.people}
                    )
                    assert values == wanted, f"{table.name}.{column}"
        engine.dispose()


def test_the_command_writes_one_sqlite_file_per_datastore_and_prints_the_variables(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    register = EXAMPLES / "activecloud" / "register.yaml"
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo_db.py"), str(register), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    for store in ("billing", "servicedesk", "telephony", "webanalytics"):
        assert (tmp_path / f"{store}.db").stat().st_size > 0
        variable = f"ACTIVECLOUD_{store.upper()}_DATABASE_URL"
        assert f"export {variable}=sqlite:///{(tmp_path / f'{store}.db').resolve()}" in done.stdout
    assert "telephony.call_recordings: " in done.stdout
