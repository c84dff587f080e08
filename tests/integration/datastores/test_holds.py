"""Legal holds with real end dates, per row, on real SQLite, PostgreSQL and MariaDB.

Before: ``retention.from`` was ignored (a contract-end hold counted from the row's date, or had
no end at all without one), invoice lines without a date of their own were held "until
unknown", Steward's restriction list gave every held row of a table the first row's date and
reason, the result listed holds by purpose rather than by date, and held rows of a table
without a key were silently left out of the restriction list.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.datastores import ExecutionRequest, execute
from steward.datastores.executor import forget_connections
from steward.datastores.tables import Restriction
from steward.ledger.audit import AuditEntry, verify
from steward.register import load_register
from steward.register.models import Register
from steward.store.db import make_engine, session_factory, upgrade

TODAY = date(2026, 11, 22)

DDL = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(100))",
    """CREATE TABLE invoices (id INTEGER PRIMARY KEY,
       customer_id INTEGER NOT NULL REFERENCES customers(id),
       amount INTEGER NOT NULL, issued_at DATE NOT NULL)""",
    """CREATE TABLE invoice_lines (id INTEGER PRIMARY KEY,
       invoice_id INTEGER NOT NULL REFERENCES invoices(id), item VARCHAR(100) NOT NULL)""",
    """CREATE TABLE contracts (id INTEGER PRIMARY KEY,
       customer_id INTEGER NOT NULL REFERENCES customers(id), terms VARCHAR(100) NOT NULL)""",
    """CREATE TABLE ledger (customer_id INTEGER NOT NULL REFERENCES customers(id),
       amount INTEGER NOT NULL, booked DATE NOT NULL)""",
]

ROWS: dict[str, list[dict[str, Any]]] = {
    "customers": [{"id": 1, "email": "anna@x.example"}, {"id": 2, "email": "boris@x.example"}],
    "invoices": [
        {"id": 1, "customer_id": 1, "amount": 10, "issued_at": date(2021, 3, 10)},
        {"id": 2, "customer_id": 1, "amount": 20, "issued_at": date(2024, 6, 1)},
        {"id": 3, "customer_id": 1, "amount": 30, "issued_at": date(2020, 5, 5)},
        {"id": 4, "customer_id": 2, "amount": 40, "issued_at": date(2020, 5, 5)},
    ],
    "invoice_lines": [
        {"id": 10, "invoice_id": 1, "item": "tea"},
        {"id": 11, "invoice_id": 2, "item": "cups"},
        {"id": 12, "invoice_id": 3, "item": "pot"},
        {"id": 13, "invoice_id": 4, "item": "tray"},
    ],
    "contracts": [{"id": 1, "customer_id": 1, "terms": "monthly"}],
    "ledger": [{"customer_id": 1, "amount": 20, "booked": date(2024, 2, 1)}],
}

REGISTER = """
steward: 1
operator:
  id: holds
  legal_name: Holds LLC
  names: {{en: Holds}}
  country: RU
  contacts: {{privacy_email: privacy@holds.example, postal_address: "1 Hold St"}}
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
    categories: [contact]
    subjects: [customer]
    retention: {{duration: P1Y, from: contract-end}}
  - id: accounting
    names: {{en: Accounting}}
    descriptions: {{en: Accounting law.}}
    basis: legal-obligation
    basis_reference: "402-FZ Art. 29"
    categories: [financial.transactions]
    subjects: [customer]
    retention: {{duration: P5Y, from: year-end}}
  - id: contract-law
    names: {{en: Contract law}}
    descriptions: {{en: Limitation period.}}
    basis: legal-obligation
    basis_reference: "Civil Code Art. 196"
    categories: [content]
    subjects: [customer]
    retention: {{duration: P3Y, from: contract-end}}
datastores:
  - id: app
    kind: {kind}
    connection: {{env: HOLDS_DB_URL}}
    location: RU
    tables:
      - name: customers
        subject: customer
        identity: {{email: email}}
        columns: {{email: contact.email}}
        purposes: [service]
      - name: invoices
        columns: {{amount: financial.transactions}}
        purposes: [accounting]
        collected_at: issued_at
      - name: invoice_lines
        columns: {{item: financial.transactions}}
        purposes: [accounting]
      - name: contracts
        columns: {{terms: content}}
        purposes: [contract-law]
      - name: ledger
        columns: {{amount: financial.transactions}}
        purposes: [accounting]
        collected_at: booked
"""


@pytest.fixture
def shop(
    any_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[tuple[sa.Engine, Register, sessionmaker[Session]]]:
    engine = sa.create_engine(any_database)
    with engine.begin() as connection:
        for statement in DDL:
            connection.exec_driver_sql(statement)
        meta = sa.MetaData()
        meta.reflect(connection)
        for table, rows in ROWS.items():
            connection.execute(meta.tables[table].insert(), rows)
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}
    monkeypatch.setenv("HOLDS_DB_URL", any_database)
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER.format(kind=kind[engine.dialect.name]), encoding="utf-8")
    # Steward's store beside a PostgreSQL datastore is PostgreSQL too (its batched statements)
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    if engine.dialect.name == "postgresql":
        store_url = request.getfixturevalue("postgres_database")()
    store = make_engine(store_url)
    upgrade(store)
    yield engine, load_register(path), session_factory(store)
    forget_connections()
    store.dispose()
    engine.dispose()


def _erase(register: Register, factory: sessionmaker[Session], dry: bool = False) -> Any:
    request = ExecutionRequest("erasure", {"email": "anna@x.example"}, "H-1", dry_run=dry)
    return execute(factory, register, request, secret=b"k", today=TODAY)


def _ids(engine: sa.Engine, table: str) -> set[int]:
    with engine.connect() as connection:
        return {r[0] for r in connection.exec_driver_sql(f"SELECT id FROM {table}")}


def test_holds_end_when_the_law_says_row_by_row(
    shop: tuple[sa.Engine, Register, sessionmaker[Session]],
) -> None:
    engine, register, factory = shop
    result = _erase(register, factory)
    holds = [(h["table"], h["purpose"], h["until"], h["rows"]) for h in result["holds"]]
    assert sorted(holds) == sorted(
        [
            # five years after the end of 2021 (the invoice of March 2021) and of 2024
            ("invoices", "accounting", "2026-12-31", 1),
            ("invoices", "accounting", "2029-12-31", 1),
            # lines have no date: held exactly as long as their invoice
            ("invoice_lines", "accounting", "2026-12-31", 1),
            ("invoice_lines", "accounting", "2029-12-31", 1),
            # the erasure ends the contract today: three years from today
            ("contracts", "contract-law", "2029-11-22", 1),
            ("ledger", "accounting", "2029-12-31", 1),
        ]
    )
    assert [h["until"] for h in result["holds"]] == sorted(h["until"] for h in result["holds"])
    # the invoice of 2020 ran out at the end of 2025: it and its line are gone, Boris's stay
    assert _ids(engine, "invoices") == {1, 2, 4}
    assert _ids(engine, "invoice_lines") == {10, 11, 13}
    with factory() as session:
        listed = {
            (r.table_name, r.row_key): (r.reason, r.until)
            for r in session.query(Restriction).all()
            if r.table_name != "ledger"
        }
    assert listed == {
        ("invoices", "[1]"): ("accounting", date(2026, 12, 31)),
        ("invoices", "[2]"): ("accounting", date(2029, 12, 31)),
        ("invoice_lines", "[10]"): ("accounting", date(2026, 12, 31)),
        ("invoice_lines", "[11]"): ("accounting", date(2029, 12, 31)),
        ("contracts", "[1]"): ("contract-law", date(2029, 11, 22)),
    }
    ledger = next(t for d in result["datastores"] for t in d["tables"] if t["table"] == "ledger")
    assert ledger["keyed"] is False and ledger["unrecorded"] == 0, ledger
    assert result["unrecorded"] == []
    with factory() as session:
        (unkeyed,) = session.query(Restriction).filter_by(table_name="ledger").all()
    # the table has no key: its row is listed by a keyed digest of its values, never the values
    assert (unkeyed.reason, unkeyed.until) == ("accounting", date(2029, 12, 31))
    assert unkeyed.row_key.startswith('["hmac-sha256:') and "2024" not in unkeyed.row_key


def _ledger_row(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql("SELECT * FROM ledger")]


def _access(register: Register, factory: sessionmaker[Session], today: date) -> Any:
    request = ExecutionRequest("access", {"email": "anna@x.example"}, "H-3")
    return execute(factory, register, request, secret=b"k", today=today)


EXPECTED_KEPT = [
    ("app", "invoices", "accounting", "2026-12-31", 1, "H-1"),
    ("app", "invoice_lines", "accounting", "2026-12-31", 1, "H-1"),
    ("app", "contracts", "contract-law", "2029-11-22", 1, "H-1"),
    ("app", "invoices", "accounting", "2029-12-31", 1, "H-1"),
    ("app", "invoice_lines", "accounting", "2029-12-31", 1, "H-1"),
    ("app", "ledger", "accounting", "2029-12-31", 1, "H-1"),
]


def _kept(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (h["datastore"], h["table"], h["purpose"], h["until"], h["rows"], h.get("request"))
        for h in result["holds"]
    ]


def test_a_repeated_erasure_lists_the_rows_still_held_and_why(
    shop: tuple[sa.Engine, Register, sessionmaker[Session]],
) -> None:
    """The second erasure finds nothing by the e-mail (the account is masked), yet the rows
    the first one kept are still there: the result says so, with each row's own reason and
    end date as the first erasure recorded them (a contract-end hold does not restart)."""
    engine, register, factory = shop
    _erase(register, factory)
    ledger = _ledger_row(engine)
    later = date(2026, 12, 20)
    request = ExecutionRequest("erasure", {"email": "anna@x.example"}, "H-2")
    again = execute(factory, register, request, secret=b"k", today=later)
    assert sorted(_kept(again), key=repr) == sorted(EXPECTED_KEPT, key=repr), again["holds"]
    assert [h["until"] for h in again["holds"]] == sorted(h["until"] for h in again["holds"])
    assert again["totals"]["kept"] == 6
    tables = {t["table"]: t for d in again["datastores"] for t in d["tables"]}
    assert {t: tables[t]["kept"] for t in tables if tables[t]["kept"]} == {
        "invoices": 2,
        "invoice_lines": 2,
        "contracts": 1,
        "ledger": 1,
    }
    # the unkeyed row is known by its digest: the second erasure neither deletes nor lists
    # it as unrecorded
    assert _ledger_row(engine) == ledger and again["unrecorded"] == []
    assert _ids(engine, "invoices") == {1, 2, 4}
    assert again["residual"] == 0
    with factory() as session:  # the runs' entries, appended in their batches, chain
        assert verify(session) is None
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("execution.erasure") == 2, actions


def test_a_listed_row_someone_deleted_since_is_not_reported_kept(
    shop: tuple[sa.Engine, Register, sessionmaker[Session]],
) -> None:
    """Evidence must be true: a row is reported kept only when it is there now."""
    engine, register, factory = shop
    _erase(register, factory)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM invoice_lines WHERE id = 10")
        connection.exec_driver_sql("DELETE FROM ledger")
    request = ExecutionRequest("erasure", {"email": "anna@x.example"}, "H-2")
    again = execute(factory, register, request, secret=b"k", today=date(2026, 12, 20))
    kept = sorted(_kept(again), key=repr)
    expected = [
        k
        for k in EXPECTED_KEPT
        if k[1] != "ledger" and (k[1], k[3]) != ("invoice_lines", "2026-12-31")
    ]
    assert kept == sorted(expected, key=repr), again["holds"]


def test_an_access_after_an_erasure_returns_the_rows_still_held(
    shop: tuple[sa.Engine, Register, sessionmaker[Session]],
) -> None:
    _engine, register, factory = shop
    _erase(register, factory)
    answer = _access(register, factory, date(2026, 12, 20))
    assert sorted(_kept(answer), key=repr) == sorted(EXPECTED_KEPT, key=repr), answer["holds"]
    tables = {t["table"]: t for d in answer["datastores"] for t in d["tables"]}
    # the kept rows are the subject's data: counted as found, and in the export
    assert tables["invoices"]["found"] == 2 and tables["invoices"]["kept"] == 2
    assert tables["contracts"]["found"] == 1
    assert answer["totals"]["found"] >= 6
    # the unkeyed row is listed by digest and counted, though it cannot be read back by key
    assert tables["ledger"]["kept"] == 1


def test_a_later_run_with_only_an_unrelated_identifier_lists_nothing(
    shop: tuple[sa.Engine, Register, sessionmaker[Session]],
) -> None:
    _engine, register, factory = shop
    _erase(register, factory)
    request = ExecutionRequest("access", {"email": "boris@x.example"}, "H-4")
    answer = execute(factory, register, request, secret=b"k", today=date(2026, 12, 20))
    assert answer["holds"] == []
    assert all(not t.get("kept") for d in answer["datastores"] for t in d["tables"])


def test_the_retention_sweep_never_destroys_a_held_row_of_a_table_without_a_key(
    shop: tuple[sa.Engine, Register, sessionmaker[Session]], tmp_path: Path
) -> None:
    """Before, the held ledger row was not in Steward's list at all, so a sweep of the ledger's
    own retention rule (one year) destroyed it with the rows really due."""
    from steward.retention import service

    engine, register, factory = shop
    with engine.begin() as connection:  # Boris's old entry: due, not held
        connection.exec_driver_sql("INSERT INTO ledger VALUES (2, 5, '2020-01-10')")
    _erase(register, factory)
    text = (tmp_path / "register.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "        collected_at: booked\n",
        "        collected_at: booked\n"
        "        retention: {column: booked, duration: P1Y, action: delete}\n",
    )
    (tmp_path / "register.yaml").write_text(text, encoding="utf-8")
    forget_connections()
    swept = load_register(tmp_path / "register.yaml")
    service.sweep(factory, swept, trigger="test", today=date(2026, 12, 1), secret=b"k")
    left = {(r[0], r[1], str(r[2])[:10]) for r in _ledger_row(engine)}
    assert (1, 20, "2024-02-01") in left, "the held row of Anna's ledger was destroyed"
    # a table without a key that holds a listed row is not swept at all (its rows cannot be
    # told apart by key in one statement): Boris's due row waits for the hold to end
    assert (2, 5, "2020-01-10") in left
