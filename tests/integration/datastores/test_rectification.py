"""Rectification sets names part by part and changes an identifier wherever it identifies.

Before, a new e-mail or phone was written only in the account table: the newsletter row kept
by e-mail and the calls kept by phone still held the old one, so the next request (by the new
address) no longer found them. A name given in parts (``identity.name.given``) was ignored,
and a full name was written whole into both a first-name and a last-name column.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from steward.datastores import ExecutionRequest, InvalidRequest
from steward.datastores.executor import DatastoreOutcome, forget_connections, run_on_datastore
from steward.datastores.identity import Identifiers
from steward.register import load_register
from steward.register.models import Register

DDL = [
    """CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL,
       phone VARCHAR(30), first_name VARCHAR(50), surname VARCHAR(50))""",
    "CREATE TABLE newsletter (id INTEGER PRIMARY KEY, address VARCHAR(100) NOT NULL)",
    "CREATE TABLE calls (id INTEGER PRIMARY KEY, caller VARCHAR(30) NOT NULL, minutes INTEGER)",
    "INSERT INTO customers VALUES (1, 'anna@x.example', '+79123456789', 'Anna', 'Petrova'),"
    " (2, 'boris@x.example', '+79160000002', 'Boris', 'Ivanov')",
    "INSERT INTO newsletter VALUES (1, 'Anna@X.example'), (2, 'boris@x.example')",
    "INSERT INTO calls VALUES (1, '8 (912) 345-67-89', 3), (2, '+79160000002', 4)",
]

REGISTER = """
steward: 1
operator:
  id: rect
  legal_name: Rect LLC
  names: {{en: Rect}}
  country: RU
  contacts: {{privacy_email: privacy@rect.example, postal_address: "1 Rect St"}}
  jurisdictions: [ru-152fz]
  languages: [en]
subjects:
  - id: customer
    names: {{en: Customer}}
purposes:
  - id: service
    names: {{en: Service}}
    descriptions: {{en: The service.}}
    basis: contract
    categories: [contact, identity.name, communications]
    subjects: [customer]
    retention: {{duration: P1Y, from: contract-end}}
datastores:
  - id: app
    kind: {kind}
    connection: {{env: RECT_DB_URL}}
    location: RU
    tables:
      - name: customers
        subject: customer
        identity: {{email: email, phone: phone}}
        columns:
          email: contact.email
          phone: contact.phone
          first_name: identity.name
          surname: {{category: identity.name, part: family}}
        purposes: [service]
      - name: newsletter
        identity: {{address: email}}
        columns: {{address: contact.email}}
        purposes: [service]
      - name: calls
        identity: {{caller: phone}}
        columns: {{caller: contact.phone}}
        purposes: [service]
"""


@pytest.fixture
def shop(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[sa.Engine, Register]]:
    engine = sa.create_engine(any_database)
    with engine.begin() as connection:
        for statement in DDL:
            connection.execute(sa.text(statement))
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}
    monkeypatch.setenv("RECT_DB_URL", any_database)
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER.format(kind=kind[engine.dialect.name]), encoding="utf-8")
    yield engine, load_register(path)
    forget_connections()
    engine.dispose()


def _run(
    register: Register, kind: str, ids: dict[str, str], rectify: dict[str, str] | None = None
) -> DatastoreOutcome:
    return run_on_datastore(
        register,
        register.datastores[0],
        ExecutionRequest(kind, ids, "R", rectify=rectify or {}),  # type: ignore[arg-type]
        Identifiers.parse(ids, "RU"),
        secret=b"k",
        today=date(2026, 11, 22),
    )


def _rows(engine: sa.Engine, table: str) -> dict[int, tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))
        return {r[0]: tuple(r[1:]) for r in rows}


def test_a_new_email_and_phone_are_changed_wherever_they_identify_the_subject(
    shop: tuple[sa.Engine, Register],
) -> None:
    engine, register = shop
    before = {t: _rows(engine, t) for t in ("customers", "newsletter", "calls")}
    _run(
        register,
        "rectification",
        {"email": "anna@x.example"},
        {
            "contact.email": "Anna.New@X.example",
            "contact.phone": "+7 912 555-01-02",
            "identity.name.given": "Anne",
            "identity.name.family": "Smith",
        },
    )
    customers = _rows(engine, "customers")
    assert customers[1] == ("Anna.New@x.example", "+79125550102", "Anne", "Smith")
    assert _rows(engine, "newsletter")[1] == ("Anna.New@x.example",)
    assert _rows(engine, "calls")[1] == ("+79125550102", 3)
    for table, rows in before.items():
        assert _rows(engine, table)[2] == rows[2], f"Boris's {table} row changed"
    found = _run(register, "access", {"email": "anna.new@x.example"})
    assert {t: len(r) for t, r in found.rows.items()} == {
        "customers": 1,
        "newsletter": 1,
        "calls": 1,
    }
    assert not _run(register, "access", {"email": "anna@x.example"}).rows


def test_a_whole_name_for_name_parts_is_refused_before_anything_changes(
    shop: tuple[sa.Engine, Register],
) -> None:
    engine, register = shop
    before = _rows(engine, "customers")
    with pytest.raises(InvalidRequest) as refused:
        _run(
            register, "rectification", {"email": "anna@x.example"}, {"identity.name": "Anne Smith"}
        )
    assert "identity.name.given" in str(refused.value)
    assert "identity.name.family" in str(refused.value)
    assert _rows(engine, "customers") == before
