"""What Steward's requests send to PostgreSQL around their statements, read off the wire.

An erasure's ``BEGIN`` travels with the search's first batch (psycopg would send it with a
sync of its own: a round trip before the first statement), and an access, which only reads,
sends neither ``BEGIN`` nor ``COMMIT`` at the server's default READ COMMITTED, where each
statement sees its own snapshot either way. At REPEATABLE READ the access keeps its
transaction, since there it gives every hop one snapshot. A refused write still undoes the
whole erasure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from steward.datastores import ExecutionRequest
from steward.datastores.connect import datastore_engine, reflect
from steward.datastores.errors import DatastoreRefused
from steward.datastores.executor import run_on_datastore
from steward.datastores.identity import Identifiers
from steward.register import load_register
from steward.register.models import Register

SCHEMA = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, full_name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),
  note text);
CREATE TABLE tickets (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),
  body text NOT NULL);
INSERT INTO customers VALUES (1, 'ann@example.com', 'Ann'), (2, 'bob@example.com', 'Bob'),
  (3, 'cy@example.com', 'Cy');
INSERT INTO orders VALUES (10, 1, 'gift'), (11, 1, NULL), (20, 2, 'x'), (30, 3, 'y');
INSERT INTO tickets VALUES (100, 1, 'help'), (200, 2, 'hi'), (300, 3, 'yo');
"""

REGISTER = """
steward: 1
operator:
  id: wire
  legal_name: Wire LLC
  names: {en: Wire}
  country: RU
  contacts: {privacy_email: privacy@wire.example, postal_address: "1 Wire St"}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - id: customer
    names: {en: Customer}
purposes:
  - id: service
    names: {en: Service}
    descriptions: {en: The service.}
    basis: contract
    categories: [contact.email, identity.name, contract.services, contract.support]
    subjects: [customer]
    retention: {duration: P1Y}
datastores:
  - id: app
    kind: postgresql
    connection: {env: WIRE_DB_URL}
    location: RU
    tables:
      - name: customers
        subject: customer
        identity: {email: email}
        columns: {email: contact.email, full_name: identity.name}
        purposes: [service]
        on_erasure: delete
      - name: orders
        columns: {note: contract.services}
        purposes: [service]
      - name: tickets
        columns: {body: contract.support}
        purposes: [service]
"""


@pytest.fixture
def shop(
    postgres_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Register]]:
    url = postgres_database()
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as db:
        db.execute(SCHEMA)
    monkeypatch.setenv("WIRE_DB_URL", url)
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER, encoding="utf-8")
    yield url, load_register(path)


def _traced(
    register: Register, tmp_path: Path, kind: str, email: str, engine: sa.Engine | None = None
) -> tuple[Any, list[list[str]]]:
    """Run ``kind`` for ``email``; the statements the client sent, one list per sync.
    Through ``engine`` when given (kept open), else a fresh engine disposed after."""
    datastore = register.datastores[0]
    kept, engine = engine is not None, engine or datastore_engine(datastore)
    trace = tmp_path / f"trace-{kind}-{email}-{len(list(tmp_path.iterdir()))}.txt"
    try:
        schema = reflect(engine, datastore)
        with trace.open("w") as out:

            @sa.event.listens_for(engine, "checkout")
            def _trace(dbapi: Any, _record: Any, _proxy: Any) -> None:
                dbapi.pgconn.trace(out.fileno())
                dbapi.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

            try:
                outcome = run_on_datastore(
                    register,
                    datastore,
                    ExecutionRequest(kind, {"email": email}, "W"),  # type: ignore[arg-type]
                    Identifiers.parse({"email": email}, "RU"),
                    secret=b"k",
                    today=date(2026, 12, 2),
                    engine=engine,
                    schema=schema,
                )
            finally:
                sa.event.remove(engine, "checkout", _trace)
    finally:
        if not kept:
            engine.dispose()
    syncs: list[list[str]] = [[]]
    named: dict[str, str] = {}  # prepared statement -> its first word
    for line in trace.read_text().splitlines():
        # the client's messages: 'F <n> Parse "" "SELECT ..."' (sent unnamed), 'F <n> Parse
        # "steward_0" "SELECT ..."' then 'F <n> Bind "" "steward_0" ...' each time it runs,
        # 'F 4 Sync', 'F <n> Query "COMMIT"'
        sent = re.match(
            r'F\t\d+\t(Sync|Parse\t "(\w*)" "([A-Z]+)|Bind\t "" "(\w+)"|Query\t "([A-Z]+))', line
        )
        if sent is None:
            continue
        if sent.group(1) == "Sync":
            syncs.append([])
        elif sent.group(2):  # prepared: counted when bound
            named[sent.group(2)] = sent.group(3)
        elif sent.group(4):
            syncs[-1].append(named.get(sent.group(4), "(prepared before)"))
        else:
            syncs[-1].append(sent.group(3) or sent.group(5))
    return outcome, [s for s in syncs if s]


def _rows(url: str) -> dict[str, int]:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as db:
        return {
            t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("customers", "orders", "tickets")
        }


def test_erasure_begins_with_its_first_batch(shop: tuple[str, Register], tmp_path: Path) -> None:
    url, register = shop
    outcome, syncs = _traced(register, tmp_path, "erasure", "ann@example.com")
    statements = [s for sync in syncs for s in sync]
    assert statements.count("BEGIN") == 1 and statements.count("COMMIT") == 1, syncs
    first = next(sync for sync in syncs if "BEGIN" in sync)
    assert first[0] == "BEGIN" and len(first) > 1, syncs  # no sync of its own
    # the writes and their COMMIT in one sync, the check after it without a transaction
    committed = next(i for i, sync in enumerate(syncs) if "COMMIT" in sync)
    assert syncs[committed][-1] == "COMMIT" and "DELETE" in syncs[committed] + syncs[1], syncs
    assert all(s == "SELECT" for sync in syncs[committed + 1 :] for s in sync), syncs
    assert outcome.residual == 0
    assert _rows(url) == {"customers": 2, "orders": 2, "tickets": 2}


def test_access_sends_no_transaction_at_read_committed(
    shop: tuple[str, Register], tmp_path: Path
) -> None:
    _url, register = shop
    outcome, syncs = _traced(register, tmp_path, "access", "ann@example.com")
    statements = [s for sync in syncs for s in sync]
    assert set(statements) == {"SELECT"}, syncs
    assert len(syncs) == outcome.round_trips, (syncs, outcome.round_trips)
    assert {t.table: t.found for t in outcome.tables} == {
        "customers": 1,
        "orders": 2,
        "tickets": 1,
    }


def test_access_keeps_its_transaction_at_repeatable_read(
    shop: tuple[str, Register], tmp_path: Path
) -> None:
    url, register = shop
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as db:
        db.execute(
            f"ALTER DATABASE \"{name}\" SET default_transaction_isolation = 'repeatable read'"
        )
    outcome, syncs = _traced(register, tmp_path, "access", "bob@example.com")
    statements = [s for sync in syncs for s in sync]
    assert statements[0] == "BEGIN" and statements.count("BEGIN") == 1, syncs
    assert statements[-1] in ("COMMIT", "ROLLBACK"), syncs
    assert sum(t.found for t in outcome.tables) == 3


def test_a_refused_write_undoes_the_whole_erasure(
    shop: tuple[str, Register], tmp_path: Path
) -> None:
    url, register = shop
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as db:
        db.execute(
            "CREATE FUNCTION no() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'kept'; END $$;"
            "CREATE TRIGGER no_customer_delete BEFORE DELETE ON customers "
            "FOR EACH ROW EXECUTE FUNCTION no()"
        )
    before = _rows(url)
    with pytest.raises(DatastoreRefused, match="nothing was committed"):
        _traced(register, tmp_path, "erasure", "cy@example.com")
    assert _rows(url) == before  # the ticket and orders deleted before the refusal are back
    # and the connection is usable again for the next request
    outcome, _syncs = _traced(register, tmp_path, "access", "cy@example.com")
    assert sum(t.found for t in outcome.tables) == 3


def test_statements_are_prepared_once_per_connection(
    shop: tuple[str, Register], tmp_path: Path
) -> None:
    """A batch prepares each statement the first time it is sent on a connection and binds it
    by name afterwards, and those statements outlive a rollback on the connection (psycopg's
    own preparing, which drops them all after a rollback, is off)."""
    _url, register = shop
    engine = datastore_engine(register.datastores[0])
    try:
        first, _syncs = _traced(register, tmp_path, "access", "ann@example.com", engine)
        with engine.connect() as connection:
            pid = connection.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
            for _ in range(6):  # psycopg would prepare it from the fifth time
                connection.execute(sa.text("SELECT 1"))
            connection.rollback()
        traces = set(tmp_path.iterdir())
        again, syncs = _traced(register, tmp_path, "access", "ann@example.com", engine)
        with engine.connect() as connection:  # the same connection all along
            assert connection.connection.driver_connection.info.backend_pid == pid  # type: ignore[union-attr]
        (trace,) = set(tmp_path.iterdir()) - traces
        sent = trace.read_text()
        assert "\tParse\t" not in sent, sent
        assert sent.count("\tBind\t") == sum(map(len, syncs)) == again.queries > 0, syncs
    finally:
        engine.dispose()
    assert [(t.table, t.found) for t in again.tables] == [(t.table, t.found) for t in first.tables]
    assert {t.table: t.found for t in again.tables} == {"customers": 1, "orders": 2, "tickets": 1}
