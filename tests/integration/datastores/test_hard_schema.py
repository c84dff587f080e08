"""The executor on a schema with every hard case, on real SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from steward.datastores import ExecutionRequest, execute, graph
from steward.datastores.actions import deletable_on_sight
from steward.datastores.batch import tracing
from steward.datastores.connect import compare, reflect
from steward.datastores.executor import (
    DatastoreOutcome,
    Kind,
    forget_connections,
    run_on_datastore,
)
from steward.datastores.identity import Identifiers
from steward.register import load_register
from steward.register.models import Register
from steward.store.db import make_engine, session_factory, upgrade

from .hard_schema import ALICE, ALICE_PG, SHARED, ddl, fill, register_yaml

TODAY = date(2026, 11, 22)


@pytest.fixture
def hard(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[sa.Engine, Register, str]]:
    url = any_database
    engine = sa.create_engine(url)
    dialect = engine.dialect.name
    with engine.begin() as connection:
        for statement in ddl(dialect):
            connection.exec_driver_sql(statement)
        fill(connection, dialect)
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}[dialect]
    monkeypatch.setenv("HARD_DB_URL", url)
    path = tmp_path / "register.yaml"
    path.write_text(register_yaml(kind, "HARD_DB_URL"), encoding="utf-8")
    yield engine, load_register(path), dialect
    forget_connections()
    engine.dispose()


def _expected(dialect: str) -> dict[str, set[tuple[Any, ...]]]:
    wanted = ALICE_PG if dialect == "postgresql" else ALICE
    return {t: k for t, k in wanted.items() if k}


def _answered(dialect: str) -> dict[str, set[tuple[Any, ...]]]:
    """What an access request for Alice returns: her rows and those she shares."""
    return {**_expected(dialect), **SHARED}


def _run(register: Register, kind: Kind, identifiers: dict[str, str]) -> DatastoreOutcome:
    return run_on_datastore(
        register,
        register.datastores[0],
        ExecutionRequest(kind, identifiers, "T"),
        Identifiers.parse(identifiers, "RU"),
        secret=b"k",
        today=TODAY,
    )


def _access(
    engine: sa.Engine, register: Register, identifiers: dict[str, str]
) -> dict[str, set[tuple[Any, ...]]]:
    outcome = _run(register, "access", identifiers)
    schema = reflect(engine, register.datastores[0])
    return {
        table: {tuple(row[c] for c in schema.tables[table].primary_key) for row in rows}
        for table, rows in outcome.rows.items()
    }


def _snapshot(engine: sa.Engine) -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    meta = sa.MetaData()
    meta.reflect(engine)
    shot = {}
    with engine.connect() as connection:
        for table in meta.tables.values():
            if table.name.startswith("events_"):
                continue
            pk = [c.name for c in table.primary_key.columns]
            rows = connection.execute(sa.select(table)).mappings()
            shot[table.name] = {tuple(r[c] for c in pk): tuple(r.values()) for r in rows}
    return shot


@pytest.mark.parametrize(
    "identifiers",
    [
        {"email": "  alice.liddell@EXAMPLE.com"},
        {"phone": "+7 (912) 345 67 89"},
        {"account-id": "u-alice"},
    ],
    ids=["email-any-case", "phone-any-format", "account-id"],
)
def test_access_finds_exactly_the_subjects_rows(
    hard: tuple[sa.Engine, Register, str], identifiers: dict[str, str]
) -> None:
    engine, register, dialect = hard
    assert _access(engine, register, identifiers) == _answered(dialect)


def test_identity_only_by_phone_finds_carol_and_her_calls(
    hard: tuple[sa.Engine, Register, str],
) -> None:
    engine, register, _dialect = hard
    found = _access(engine, register, {"phone": "+7 916 000-00-03"})
    assert found == {"Account Holders": {("u-carol",)}, "addresses": {(2,)}, "call_log": {(3,)}}


def test_erasure_removes_exactly_the_subject_and_keeps_others_byte_for_byte(
    hard: tuple[sa.Engine, Register, str], tmp_path: Path
) -> None:
    engine, register, dialect = hard
    expected = _expected(dialect)
    before = _snapshot(engine)
    store = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(store)
    factory = session_factory(store)
    dry = execute(
        factory,
        register,
        ExecutionRequest("erasure", {"email": "alice.liddell@example.com"}, "D-1", dry_run=True),
        secret=b"k",
        today=TODAY,
    )
    assert _snapshot(engine) == before, "a dry run changed the database"
    assert dry["totals"]["found"] == sum(len(k) for k in expected.values())
    result = execute(
        factory,
        register,
        ExecutionRequest("erasure", {"email": "alice.liddell@example.com"}, "E-1"),
        secret=b"k",
        today=TODAY,
    )
    assert result["residual"] == 0
    assert {k: v for k, v in result["totals"].items() if k != "found"} == {
        k: v for k, v in dry["totals"].items() if k != "found"
    }
    assert [(h["table"], h["until"], h["rows"]) for h in result["holds"]] == [
        ("invoices", "2031-06-01", 1)
    ]
    after = _snapshot(engine)
    for table, rows in before.items():
        mine = expected.get(table, set())
        for key, row in rows.items():
            if key not in mine:
                assert after[table].get(key) == row, f"{table} {key} of another subject changed"
    held = after["invoices"][(1,)]
    assert held == before["invoices"][(1,)], "the held invoice was touched"
    assert (2,) not in after["invoices"], "the invoice past its retention was kept"
    alice = after["Account Holders"].get(("u-alice",))
    assert alice is not None, "Alice is referred to by Bob's row and her held invoice"
    text = json.dumps([str(v) for v in alice])
    assert "Alice" not in text and "345" not in text and "first" not in text
    with engine.connect() as connection:
        display = (
            connection.execute(
                sa.text(
                    "SELECT * FROM "
                    + ("`Account Holders`" if dialect == "mysql" else '"Account Holders"')
                )
            )
            .mappings()
            .all()
        )
    row = next(r for r in display if r["User ID"] == "u-alice")
    assert row["Display"] == (row["name"] or "").upper() or row["Display"] is None
    assert row["changes"] >= 1, "the update trigger did not run"
    for table in ("memberships", "membership_notes", "messages", "call_log"):
        assert not any(k in after[table] for k in expected[table]), f"{table} rows left"
    again = execute(
        factory,
        register,
        ExecutionRequest("erasure", {"email": "alice.liddell@example.com"}, "E-2"),
        secret=b"k",
        today=TODAY,
    )
    assert again["totals"]["deleted"] == 0 and again["residual"] == 0
    assert _snapshot(engine) == after, "running the same erasure twice changed something"


def test_datastores_test_names_what_the_register_gets_wrong(
    hard: tuple[sa.Engine, Register, str], tmp_path: Path
) -> None:
    engine, register, _dialect = hard
    text = register_yaml(register.datastores[0].kind, "HARD_DB_URL")
    text = text.replace(
        "columns: {note: content}", "columns: {notte: content}\n        language_column: lang"
    )
    text = text.replace("- name: call_log", "- name: call_logs")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    bad = load_register(path)
    problems = compare(reflect(engine, bad.datastores[0]), bad.datastores[0])
    assert "app.membership_notes: column 'notte' does not exist" in problems
    assert "app.membership_notes: column 'lang' does not exist" in problems
    assert "app.call_logs: table does not exist in the database" in problems
    assert compare(reflect(engine, register.datastores[0]), register.datastores[0]) == []


def test_learned_identifiers_never_attribute_another_account(
    hard: tuple[sa.Engine, Register, str],
) -> None:
    """Eve shares Alice's phone: an e-mail request must not return Eve's account."""
    engine, register, _dialect = hard
    holders = sa.Table("Account Holders", sa.MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(
            holders.insert(),
            {"User ID": "u-eve", "E-Mail": "eve@x.example", "phone": "+79123456789", "name": "Eve"},
        )
    by_email = _access(engine, register, {"email": "alice.liddell@example.com"})
    assert by_email["Account Holders"] == {("u-alice",)}
    assert by_email["call_log"] == ALICE["call_log"], "the learned phone still finds the calls"
    by_phone = _access(engine, register, {"phone": "+7 912 345 67 89"})
    assert by_phone["Account Holders"] == {("u-alice",), ("u-eve",)}


def test_erasure_deletes_on_sight_only_tables_nothing_refers_to(
    hard: tuple[sa.Engine, Register, str],
) -> None:
    engine, register, dialect = hard
    datastore = register.datastores[0]
    schema = reflect(engine, datastore)
    # not call_log: a phone number is no key, so a call may be two account holders' (shared)
    expected = {"membership_notes"}
    if dialect == "sqlite":
        expected.add("notes")  # SQLite cannot add the cycle's second foreign key
    if dialect == "postgresql":
        expected.add("events")
    assert deletable_on_sight(schema, register) == expected
    outcome = _run(register, "erasure", {"email": "alice.liddell@example.com"})
    deleted = {t.table: t.deleted for t in outcome.tables}
    assert deleted["membership_notes"] == len(ALICE["membership_notes"])
    assert deleted["call_log"] == len(ALICE["call_log"])
    assert outcome.residual == 0


def test_postgresql_sends_each_hop_as_one_round_trip(
    hard: tuple[sa.Engine, Register, str],
) -> None:
    _engine, register, dialect = hard
    outcome = _run(register, "access", {"email": "alice.liddell@example.com"})
    if dialect == "postgresql":
        assert outcome.round_trips < outcome.queries, outcome.as_dict()
    else:
        assert outcome.round_trips == outcome.queries, outcome.as_dict()


SUBJECTS = [
    {"email": "alice.liddell@example.com"},
    {"phone": "+7 912 345 67 89"},
    {"email": "bob@example.com"},
    {"phone": "+79160000003"},
    {"email": "dave@example.com"},
    {"account_id": "u-bob"},
]


def _search(
    engine: sa.Engine,
    register: Register,
    identifiers: dict[str, str],
    erasing: bool,
    lookahead: int,
) -> tuple[Any, ...]:
    """Everything a search reports, from inside a transaction that is rolled back."""
    datastore = register.datastores[0]
    schema = reflect(engine, datastore)
    on_sight = deletable_on_sight(schema, register) if erasing else frozenset[str]()
    if not engine.dialect.delete_returning:
        on_sight = frozenset()
    with engine.connect() as connection, connection.begin() as transaction:
        found = graph.find_subject(
            connection,
            schema,
            Identifiers.parse(identifiers, "RU"),
            delete_on_sight=on_sight,
            lookahead=lookahead,
        )
        transaction.rollback()
    shape = (
        {t: dict(rows) for t, rows in found.rows.items()},
        {ref: refs for ref, refs in found.referrers.items() if refs},
        {t: keys for t, keys in found.shared.items() if keys},
        {t: keys for t, keys in found.deleted.items() if keys},
    )
    return shape, found.round_trips


@pytest.mark.parametrize("erasing", [False, True], ids=["access", "erasure"])
def test_lookahead_finds_what_searching_hop_by_hop_finds(
    hard: tuple[sa.Engine, Register, str], erasing: bool
) -> None:
    """Rows fetched with their parents' hop (nested IN, on every dialect here, though only
    PostgreSQL uses it by default) are exactly the rows, referrers, shared rows and on-sight
    deletions the plain hop-by-hop search finds, for every subject."""
    engine, register, dialect = hard
    for identifiers in SUBJECTS:
        for depth in (1, 2, 3):
            ahead, trips = _search(engine, register, identifiers, erasing, depth)
            plain, plain_trips = _search(engine, register, identifiers, erasing, 0)
            assert ahead == plain, (identifiers, depth)
            if dialect == "postgresql":
                assert trips <= plain_trips, (identifiers, depth, trips, plain_trips)
    if dialect == "postgresql":
        alice = SUBJECTS[0]
        assert (
            _search(engine, register, alice, erasing, 2)[1]
            < _search(engine, register, alice, erasing, 0)[1]
        )


def test_a_row_another_subject_refers_to_is_masked_and_found_only_when_it_would_go(
    hard: tuple[sa.Engine, Register, str],
) -> None:
    """Dave's account goes unless Fay (another subject) was referred by him: then it stays,
    masked. The search itself never looks for referrers; the erasure asks for them only for
    the rows it is about to delete."""
    engine, register, _dialect = hard
    holders = sa.Table("Account Holders", sa.MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(
            holders.insert(),
            [
                {
                    "User ID": "u-fay",
                    "E-Mail": "fay@x.example",
                    "name": "Fay",
                    "referrer": "u-dave",
                },
                {"User ID": "u-gil", "E-Mail": "gil@x.example", "name": "Gil", "referrer": None},
            ],
        )
    kept = _run(register, "erasure", {"email": "dave@example.com"})
    by_table = {t.table: t for t in kept.tables}
    assert by_table["Account Holders"].masked == 1 and by_table["Account Holders"].deleted == 0
    with engine.connect() as connection:
        rows = {r["User ID"]: r for r in connection.execute(sa.select(holders)).mappings()}
    assert rows["u-dave"]["name"] != "Dave Own-Address", "Dave's name was not masked"
    assert rows["u-fay"]["referrer"] == "u-dave", "Fay's row changed"

    with tracing() as sent:
        gone = _run(register, "erasure", {"email": "gil@x.example"})
    assert {t.table: t.deleted for t in gone.tables}["Account Holders"] == 1
    with engine.connect() as connection:
        gil = sa.select(holders).where(holders.c["User ID"] == "u-gil")
        assert connection.execute(gil).first() is None
    assert sum("referrer IN" in s or "referrer =" in s for s in sent) == 1, sent

    with tracing() as sent:
        alice = _run(register, "erasure", {"email": "alice.liddell@example.com"})
    assert {t.table: t.masked for t in alice.tables}["Account Holders"] == 1
    assert not any("referrer IN" in s or "referrer =" in s for s in sent), (
        "Alice's row stays for her held invoice: nobody needed to ask who refers to it"
    )


def test_partitions_and_inheritance_children_are_one_table_with_their_root(
    hard: tuple[sa.Engine, Register, str], tmp_path: Path
) -> None:
    """Gil's event lives in the partition that has a foreign key, his project's note in an
    inheritance child of ``notes`` with a foreign key of its own: neither is a stranger
    referring to his rows, so his erasure deletes everything of his."""
    engine, register, dialect = hard
    if dialect != "postgresql":
        pytest.skip("declarative partitions and table inheritance are PostgreSQL's")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE notes_archive () INHERITS (notes);"
            "ALTER TABLE notes_archive ADD FOREIGN KEY (project) REFERENCES projects(id);"
            """INSERT INTO "Account Holders" ("User ID", "E-Mail", name)
               VALUES ('u-gil', 'gil@x.example', 'Gil');"""
            "INSERT INTO projects (id, owner, title) VALUES (7, 'u-gil', 'Gil''s shed');"
            "INSERT INTO notes_archive (id, project, body) VALUES (70, 7, 'old plans');"
            "INSERT INTO events (id, holder, at, page) VALUES (9, 'u-gil', '2026-05-01', '/g');"
        )
    forget_connections()
    schema = reflect(engine, register.datastores[0])
    assert "events_2026" not in schema.tables and "notes_archive" not in schema.tables
    outcome = _run(register, "erasure", {"email": "gil@x.example"})
    deleted = {t.table: t.deleted for t in outcome.tables}
    assert deleted == {"Account Holders": 1, "projects": 1, "notes": 1, "events": 1}, deleted
    assert outcome.residual == 0
    with engine.connect() as connection:
        left = connection.exec_driver_sql(
            """SELECT (SELECT count(*) FROM "Account Holders" WHERE "User ID" = 'u-gil')
                    + (SELECT count(*) FROM notes_archive) + (SELECT count(*) FROM events
                       WHERE holder = 'u-gil')"""
        ).scalar()
    assert left == 0


def test_datastores_test_names_a_foreign_key_on_some_partitions_only(
    hard: tuple[sa.Engine, Register, str], tmp_path: Path
) -> None:
    engine, _register, dialect = hard
    if dialect != "postgresql":
        pytest.skip("declarative partitions are PostgreSQL's")
    text = register_yaml("postgresql", "HARD_DB_URL").replace(
        "        references:\n          - {columns: holder, table: Account Holders, "
        "to_columns: User ID}\n",
        "",
        1,
    )
    path = tmp_path / "undeclared.yaml"
    path.write_text(text, encoding="utf-8")
    undeclared = load_register(path)
    assert not undeclared.datastores[0].tables[-1].references
    problems = compare(reflect(engine, undeclared.datastores[0]), undeclared.datastores[0])
    assert problems == [
        "app.events: the foreign key (holder) -> Account Holders(User ID) exists on "
        "partition(s) events_2026 only, so Steward cannot rely on it for the rest; declare it "
        "under this table: references: [{columns: holder, table: Account Holders, "
        "to_columns: User ID}]"
    ]
