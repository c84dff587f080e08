"""A table the register gives no purpose is refused at execution, before anything is written.

Before, only `steward datastores test` called it an error: an erasure went ahead and deleted
its rows as if no rule kept them (nothing says why they are kept, or for how long), and the
same erasure's on-sight deletes of other tables were part of that run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from steward.datastores import ExecutionRequest, SchemaMismatch, execute
from steward.datastores.executor import forget_connections
from steward.register import load_register
from steward.register.models import Register
from steward.store.db import make_engine, session_factory, upgrade

TODAY = date(2026, 11, 30)

DDL = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL)",
    """CREATE TABLE visits (id INTEGER PRIMARY KEY,
       customer_id INTEGER NOT NULL REFERENCES customers(id), page VARCHAR(100))""",
    """CREATE TABLE health_notes (id INTEGER PRIMARY KEY,
       customer_id INTEGER NOT NULL REFERENCES customers(id), note VARCHAR(200))""",
    "INSERT INTO customers VALUES (1, 'anna@x.example'), (2, 'boris@x.example')",
    "INSERT INTO visits VALUES (1, 1, '/tea'), (2, 2, '/tea')",
    "INSERT INTO health_notes VALUES (1, 1, 'allergic to nuts'), (2, 2, 'none')",
]

REGISTER = """
steward: 1
operator:
  id: nopurpose
  legal_name: No Purpose LLC
  names: {{en: No Purpose}}
  country: RU
  contacts: {{privacy_email: privacy@np.example, postal_address: "1 Test St"}}
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
    categories: [contact.email, device.browser]
    subjects: [customer]
    retention: {{duration: P1Y, from: contract-end}}
datastores:
  - id: app
    kind: {kind}
    connection: {{env: NOPURPOSE_DB_URL}}
    location: RU
    tables:
      - name: customers
        subject: customer
        identity: {{email: email}}
        columns: {{email: contact.email}}
      - name: visits
        columns: {{page: device.browser}}
      # special.health: no purpose of the register covers it, and it names none
      - name: health_notes
        columns: {{note: special.health}}
"""


@pytest.fixture
def shop(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[sa.Engine, Register, sessionmaker[Session]]]:
    engine = sa.create_engine(any_database)
    with engine.begin() as connection:
        for statement in DDL:
            connection.exec_driver_sql(statement)
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}
    monkeypatch.setenv("NOPURPOSE_DB_URL", any_database)
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER.format(kind=kind[engine.dialect.name]), encoding="utf-8")
    store = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(store)
    yield engine, load_register(path), session_factory(store)
    forget_connections()
    store.dispose()
    engine.dispose()


def _rows(engine: sa.Engine) -> dict[str, Counter[tuple[Any, ...]]]:
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        return {
            name: Counter(tuple(r) for r in connection.execute(sa.select(table)))
            for name, table in meta.tables.items()
        }


@pytest.mark.parametrize(
    ("kind", "dry_run"),
    [("erasure", False), ("erasure", True), ("restriction", False), ("rectification", False)],
    ids=["erasure", "preview", "restriction", "rectification"],
)
def test_a_table_without_a_purpose_is_refused_before_anything_is_written(
    shop: tuple[sa.Engine, Register, sessionmaker[Session]], kind: str, dry_run: bool
) -> None:
    engine, register, factory = shop
    before = _rows(engine)
    request = ExecutionRequest(
        kind,  # type: ignore[arg-type]
        {"email": "anna@x.example"},
        "NP-1",
        dry_run=dry_run,
        rectify={"contact.email": "anna@y.example"} if kind == "rectification" else {},
    )
    with pytest.raises(SchemaMismatch) as refused:
        execute(factory, register, request, secret=b"k", today=TODAY)
    message = str(refused.value)
    assert "health_notes" in message and "no purpose" in message, message
    assert "purposes:" in message and "nothing was changed" in message, message
    assert "visits" not in message and "anna" not in message.lower()
    assert _rows(engine) == before, "a refused request changed the database"


def test_an_access_still_answers_and_a_table_given_a_purpose_is_erased(
    shop: tuple[sa.Engine, Register, sessionmaker[Session]], tmp_path: Path
) -> None:
    """Reading is not a decision to keep or erase: access answers every table; once the
    register names the table's purpose, the erasure runs."""
    engine, register, factory = shop
    answer = execute(
        factory,
        register,
        ExecutionRequest("access", {"email": "anna@x.example"}, "NP-2"),
        secret=b"k",
        today=TODAY,
    )
    found = {t["table"]: t["found"] for d in answer["datastores"] for t in d["tables"]}
    assert found == {"customers": 1, "visits": 1, "health_notes": 1}
    fixed = (tmp_path / "register.yaml").read_text(encoding="utf-8")
    fixed = fixed.replace(
        "columns: {note: special.health}",
        "columns: {note: special.health}\n        purposes: [service]",
    )
    (tmp_path / "register.yaml").write_text(fixed, encoding="utf-8")
    forget_connections()
    result = execute(
        factory,
        load_register(tmp_path / "register.yaml"),
        ExecutionRequest("erasure", {"email": "anna@x.example"}, "NP-3"),
        secret=b"k",
        today=TODAY,
    )
    assert result["totals"]["deleted"] == 3 and result["residual"] == 0
    after = _rows(engine)
    assert after["health_notes"] == Counter({(2, 2, "none"): 1})
