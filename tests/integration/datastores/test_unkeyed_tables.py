"""Tables without a primary key, on real SQLite, PostgreSQL and MariaDB.

Real schemas have them: page-view logs, newsletter lists, link tables. Before, their rows were
collapsed into one (access showed one of Anna's two subscriptions) or skipped (visits were never
found, and the erasure failed on the foreign key they hold). Now a unique key of NOT NULL columns
stands in for the primary key, and rows of a table with neither are matched on their values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from steward.datastores import DatastoreRefused, ExecutionRequest
from steward.datastores.connect import compare, reflect
from steward.datastores.executor import forget_connections, run_on_datastore
from steward.datastores.identity import Identifiers
from steward.register import load_register
from steward.register.models import Register

TODAY = date(2026, 11, 23)

DDL = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL)",
    # no key at all; the same page twice is two rows
    """CREATE TABLE visits (customer_id INTEGER NOT NULL REFERENCES customers(id),
       page VARCHAR(100) NOT NULL, referrer VARCHAR(100))""",
    "CREATE TABLE newsletter (email VARCHAR(100) NOT NULL, topic VARCHAR(50) NOT NULL)",
    # no primary key, but a unique key of NOT NULL columns Steward can track rows by
    """CREATE TABLE badges (customer_id INTEGER NOT NULL REFERENCES customers(id),
       code VARCHAR(20) NOT NULL, nickname VARCHAR(100), UNIQUE (customer_id, code))""",
    # no key, kept but anonymised
    """CREATE TABLE reviews (customer_id INTEGER NOT NULL REFERENCES customers(id),
       author VARCHAR(100), body VARCHAR(200) NOT NULL)""",
]

ROWS: dict[str, list[dict[str, Any]]] = {
    "customers": [{"id": 1, "email": "anna@x.example"}, {"id": 2, "email": "boris@x.example"}],
    "visits": [
        {"customer_id": 1, "page": "/tea", "referrer": None},
        {"customer_id": 1, "page": "/tea", "referrer": None},
        {"customer_id": 1, "page": "/cart", "referrer": "ad"},
        {"customer_id": 2, "page": "/tea", "referrer": None},
    ],
    "newsletter": [
        {"email": "anna@x.example", "topic": "tea"},
        {"email": "anna@x.example", "topic": "news"},
        {"email": "boris@x.example", "topic": "tea"},
    ],
    "badges": [
        {"customer_id": 1, "code": "early", "nickname": "Anna T."},
        {"customer_id": 2, "code": "early", "nickname": "Boris"},
    ],
    "reviews": [
        {"customer_id": 1, "author": "Anna T.", "body": "Lovely tea"},
        {"customer_id": 2, "author": "Boris", "body": "Lovely tea"},
    ],
}

ANNA = {"customers": 1, "visits": 3, "newsletter": 2, "badges": 1, "reviews": 1}

REGISTER = """
steward: 1
operator:
  id: unkeyed
  legal_name: Unkeyed LLC
  names: {{en: Unkeyed}}
  country: RU
  contacts: {{privacy_email: privacy@unkeyed.example, postal_address: "1 Key St"}}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - id: customer
    names: {{en: Customer}}
purposes:
  - id: service
    names: {{en: Service}}
    descriptions: {{en: The shop.}}
    basis: contract
    categories: [contact.email, device.browser, identity.name, content]
    subjects: [customer]
    sources: [subject]
    retention: {{duration: P3Y, from: contract-end}}
datastores:
  - id: app
    kind: {kind}
    connection: {{env: UNKEYED_DB_URL}}
    location: RU
    tables:
      - name: customers
        subject: customer
        identity: {{email: email}}
        columns: {{email: contact.email}}
      - name: visits
        columns: {{page: device.browser, referrer: device.browser}}
      - name: newsletter
        identity: {{email: email}}
        columns: {{email: contact.email}}
      - name: badges
        columns: {{nickname: identity.name}}
      - name: reviews
        columns: {{author: identity.name, body: content}}
        on_erasure: anonymise
"""


@pytest.fixture
def shop(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[sa.Engine, Register]]:
    url = any_database
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    with engine.begin() as connection:
        for statement in DDL:
            connection.exec_driver_sql(statement)
        meta.reflect(connection)
        for table, rows in ROWS.items():
            connection.execute(meta.tables[table].insert(), rows)
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}[engine.dialect.name]
    monkeypatch.setenv("UNKEYED_DB_URL", url)
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER.format(kind=kind), encoding="utf-8")
    yield engine, load_register(path)
    forget_connections()
    engine.dispose()


def _rows(engine: sa.Engine) -> dict[str, Counter[tuple[Any, ...]]]:
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        return {
            name: Counter(tuple(r) for r in connection.execute(sa.select(table)))
            for name, table in meta.tables.items()
        }


def _run(register: Register, kind: str, dry_run: bool = False) -> Any:
    identifiers = {"email": "anna@x.example"}
    return run_on_datastore(
        register,
        register.datastores[0],
        ExecutionRequest(kind, identifiers, "U-1", dry_run=dry_run),  # type: ignore[arg-type]
        Identifiers.parse(identifiers, "RU"),
        secret=b"k",
        today=TODAY,
    )


def test_access_returns_every_row_even_identical_ones(shop: tuple[sa.Engine, Register]) -> None:
    _engine, register = shop
    outcome = _run(register, "access")
    assert {t: len(rows) for t, rows in outcome.rows.items()} == ANNA
    pages = Counter(row["page"] for row in outcome.rows["visits"])
    assert pages == Counter({"/tea": 2, "/cart": 1})
    assert {row["topic"] for row in outcome.rows["newsletter"]} == {"tea", "news"}
    keyed = {t.table: t.keyed for t in outcome.tables}
    assert keyed == {
        "customers": True,
        "badges": True,
        "visits": False,
        "newsletter": False,
        "reviews": False,
    }


def test_erasure_removes_exactly_the_subjects_unkeyed_rows(
    shop: tuple[sa.Engine, Register],
) -> None:
    engine, register = shop
    before = _rows(engine)
    dry = _run(register, "erasure", dry_run=True)
    assert _rows(engine) == before, "a dry run changed the database"
    outcome = _run(register, "erasure")
    assert outcome.residual == 0
    counts = {t.table: (t.deleted, t.masked) for t in outcome.tables}
    assert counts == {t.table: (t.deleted, t.masked) for t in dry.tables}
    assert counts["visits"] == (3, 0) and counts["newsletter"] == (2, 0)
    assert counts["reviews"] == (0, 1)
    after = _rows(engine)
    assert after["visits"] == Counter({(2, "/tea", None): 1})
    assert after["newsletter"] == Counter({("boris@x.example", "tea"): 1})
    assert after["badges"] == Counter({(2, "early", "Boris"): 1})
    assert (2, "Boris", "Lovely tea") in after["reviews"], "Boris's review changed"
    (anna,) = [r for r in after["reviews"] if r[0] == 1]
    assert "Anna" not in str(anna) and "Lovely" not in str(anna)
    # Anna's account stays, anonymised: her kept (anonymised) review still refers to it
    emails = {r[0]: r[1] for r in after["customers"]}
    assert emails[2] == "boris@x.example" and 1 in emails and "anna" not in emails[1]


def test_datastores_test_names_tables_without_any_key(shop: tuple[sa.Engine, Register]) -> None:
    engine, register = shop
    problems = compare(reflect(engine, register.datastores[0]), register.datastores[0])
    flagged = sorted(p.split(":")[0] for p in problems)
    assert flagged == ["app.newsletter", "app.reviews", "app.visits"], problems
    assert all("add a primary key" in p for p in problems)


def test_a_change_the_database_refuses_fails_clearly_and_changes_nothing(
    shop: tuple[sa.Engine, Register],
) -> None:
    """A CHECK forbids the NULL that masking writes: a clear error, nothing half-done."""
    engine, register = shop
    if engine.dialect.name == "sqlite":  # cannot add a CHECK later: a trigger says the same
        forbid = (
            "CREATE TRIGGER author_given BEFORE UPDATE OF author ON reviews "
            "WHEN NEW.author IS NULL BEGIN SELECT RAISE(ABORT, 'author required'); END"
        )
    else:
        forbid = "ALTER TABLE reviews ADD CONSTRAINT author_given CHECK (author IS NOT NULL)"
    with engine.begin() as connection:
        connection.exec_driver_sql(forbid)
    before = _rows(engine)
    with pytest.raises(DatastoreRefused) as refused:
        _run(register, "erasure")
    message = str(refused.value)
    assert "refused the erasure" in message and "nothing was committed" in message
    assert "anna" not in message.lower()
    assert _rows(engine) == before, "a refused erasure left part of its changes"
    assert sum(len(rows) for rows in _run(register, "access").rows.values()) == sum(ANNA.values())
