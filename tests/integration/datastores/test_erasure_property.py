"""Erasure on random schemas touches only what belongs to the subject alone.

Each example builds a schema nobody wrote by hand: two subject kinds whose account ids collide
(customers 1-3, staff 1-2), tables of either kind or both, linked by foreign keys or only by
references the register declares, some links with a direction, some tables under a legal hold,
and on PostgreSQL a partitioned table whose foreign key exists on one partition only. It erases
one random subject and compares every row before and after with an oracle written here from
the rules in docs/register.md: a row belongs to the owners of the rows it refers to through
owning links, accounts own themselves.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.datastores.executor import ExecutionRequest, forget_connections, run_on_datastore
from steward.datastores.identity import Identifiers
from steward.register import load_register

TODAY = date(2026, 11, 22)
ACCOUNTS = {"customers": ("customer", [1, 2, 3]), "staff": ("employee", [1, 2])}
KINDS = ("customer", "employee")


@dataclass
class LinkSpec:
    column: str
    parent: str
    fk: bool
    direction: str  # both | to


@dataclass
class TableSpec:
    name: str
    kinds: tuple[str, ...]
    held: bool
    links: list[LinkSpec]
    partitioned: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list)


@st.composite
def schemas(draw: st.DrawFn, postgresql: bool) -> list[TableSpec]:
    tables: list[TableSpec] = []
    count = draw(st.integers(1, 5))
    for i in range(count):
        kinds = draw(st.sampled_from([("customer",), ("employee",), KINDS]))
        parents = [*ACCOUNTS, *(t.name for t in tables)]
        chosen = draw(st.lists(st.sampled_from(parents), min_size=1, max_size=3))
        links = [
            LinkSpec(
                f"l{j}",
                parent,
                draw(st.booleans()),
                draw(st.sampled_from(["both", "both", "to"])),
            )
            for j, parent in enumerate(chosen)
        ]
        table = TableSpec(f"t{i}", kinds, draw(st.booleans()) and draw(st.booleans()), links)
        ids: dict[str, list[int]] = {n: list(v[1]) for n, v in ACCOUNTS.items()}
        ids.update({t.name: [r["id"] for r in t.rows] for t in tables})
        for n in range(draw(st.integers(1, 4))):
            row: dict[str, Any] = {"id": 100 * (i + 1) + n, "v": f"value {i}.{n}", "part": n % 2}
            for link in links:
                row[link.column] = draw(st.none() | st.sampled_from(ids[link.parent]))
            table.rows.append(row)
        tables.append(table)
    if postgresql and draw(st.booleans()):
        tables[-1].partitioned = True  # nothing refers to the last table: its key may be wide
    return tables


def _ddl(dialect: str, tables: list[TableSpec]) -> list[str]:
    text = "VARCHAR(100)" if dialect == "mysql" else "TEXT"
    out = [
        f"CREATE TABLE customers (id INTEGER PRIMARY KEY, email {text}, name {text})",
        f"CREATE TABLE staff (id INTEGER PRIMARY KEY, email {text}, name {text})",
    ]
    for t in tables:
        columns = [f"id INTEGER NOT NULL, v {text}, d DATE NOT NULL, part INTEGER NOT NULL"]
        for link in t.links:
            fk = f" REFERENCES {link.parent}(id)" if link.fk and not t.partitioned else ""
            columns.append(f"{link.column} INTEGER{fk}")
        key = "PRIMARY KEY (id, part)" if t.partitioned else "PRIMARY KEY (id)"
        tail = " PARTITION BY LIST (part)" if t.partitioned else ""
        out.append(f"CREATE TABLE {t.name} ({', '.join(columns)}, {key}){tail}")
        if t.partitioned:
            out.append(f"CREATE TABLE {t.name}_a PARTITION OF {t.name} FOR VALUES IN (0)")
            out.append(f"CREATE TABLE {t.name}_b PARTITION OF {t.name} FOR VALUES IN (1)")
            for link in t.links:
                if link.fk:  # on one partition only
                    out.append(
                        f"ALTER TABLE {t.name}_b ADD FOREIGN KEY ({link.column}) "
                        f"REFERENCES {link.parent}(id)"
                    )
    return out


def _register(kind: str, tables: list[TableSpec]) -> str:
    entries = []
    for t in tables:
        refs = [
            f"{{columns: {link.column}, table: {link.parent}, to_columns: id, "
            f"direction: {link.direction}}}"
            for link in t.links
            if not link.fk or link.direction != "both" or t.partitioned
        ]
        purposes = "[legal]" if t.held else "[service]"
        entries.append(
            f"      - name: {t.name}\n"
            f"        belongs_to: [{', '.join(t.kinds)}]\n"
            f"        columns: {{v: content}}\n"
            f"        purposes: {purposes}\n"
            + ("        collected_at: d\n" if t.held else "")
            + (f"        references: [{', '.join(refs)}]\n" if refs else "")
        )
    return f"""
steward: 1
operator:
  id: random
  legal_name: Random Ltd
  names: {{en: Random}}
  country: RU
  contacts: {{privacy_email: privacy@random.example, postal_address: "1 Random St"}}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - {{id: customer, names: {{en: Customer}}}}
  - {{id: employee, names: {{en: Employee}}}}
purposes:
  - id: service
    names: {{en: Service}}
    descriptions: {{en: The service.}}
    basis: contract
    categories: [contact.email, identity.name, content]
    subjects: [customer, employee]
  - id: legal
    names: {{en: Accounting}}
    descriptions: {{en: Tax law.}}
    basis: legal-obligation
    categories: [content]
    subjects: [customer, employee]
    retention: {{duration: P5Y, from: collection}}
policy:
  requests: {{subject: customer}}
datastores:
  - id: db
    kind: {kind}
    connection: {{env: RANDOM_DB_URL}}
    location: RU
    tables:
      - name: customers
        subject: customer
        identity: {{id: account-id}}
        columns: {{email: contact.email, name: identity.name}}
        purposes: [service]
      - name: staff
        subject: employee
        identity: {{id: account-id}}
        columns: {{email: contact.email, name: identity.name}}
        purposes: [service]
{"".join(entries)}"""


Row = tuple[str, int]


class Oracle:
    """Who owns each row, worked out from the data as docs/register.md says."""

    def __init__(self, tables: list[TableSpec]):
        self.tables = {t.name: t for t in tables}
        self.rows = {t.name: {r["id"]: r for r in t.rows} for t in tables}
        self.memo: dict[Row, frozenset[Row]] = {}

    def kinds(self, table: str) -> tuple[str, ...]:
        return (ACCOUNTS[table][0],) if table in ACCOUNTS else self.tables[table].kinds

    def owning(self, child: str, link: LinkSpec) -> bool:
        if link.direction == "to":
            return False
        return bool(set(self.kinds(child)) & set(self.kinds(link.parent)))

    def owners(self, table: str, rowid: int) -> frozenset[Row]:
        if table in ACCOUNTS:
            return frozenset([(table, rowid)])
        if (table, rowid) not in self.memo:
            row = self.rows[table][rowid]
            found: set[Row] = set()
            for link in self.tables[table].links:
                if self.owning(table, link) and row[link.column] is not None:
                    found |= self.owners(link.parent, row[link.column])
            self.memo[(table, rowid)] = frozenset(found)
        return self.memo[(table, rowid)]

    def reached(self, subject: Row, kind: str) -> set[Row]:
        """Rows the search reaches from the account through owning links, inbound."""
        seen = {subject}
        todo = [subject]
        while todo:
            parent, pid = todo.pop()
            for t in self.tables.values():
                if kind not in t.kinds:
                    continue
                for link in t.links:
                    if link.parent != parent or not self.owning(t.name, link):
                        continue
                    for row in t.rows:
                        if row[link.column] == pid and (t.name, row["id"]) not in seen:
                            seen.add((t.name, row["id"]))
                            todo.append((t.name, row["id"]))
        return seen


def _digest(row: dict[str, Any]) -> str:
    return hashlib.sha256(repr(sorted((k, str(v)) for k, v in row.items())).encode()).hexdigest()


def _snapshot(engine: sa.Engine, tables: list[TableSpec]) -> dict[Row, str]:
    shot = {}
    meta = sa.MetaData()
    with engine.connect() as connection:
        for name in [*ACCOUNTS, *(t.name for t in tables)]:
            table = sa.Table(name, meta, autoload_with=connection)
            for row in connection.execute(sa.select(table)).mappings():
                shot[(name, row["id"])] = _digest(dict(row))
    return shot


def _drop_everything(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            for name in sa.inspect(connection).get_table_names():
                connection.exec_driver_sql(f"DROP TABLE `{name}`")
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")


@pytest.fixture
def databases(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Iterator[str]]:
    """A fresh, empty database for each example (a new file on SQLite)."""

    def fresh() -> Iterator[str]:
        for n in itertools.count():
            if any_database.startswith("sqlite"):
                url = f"sqlite:///{tmp_path / f'example-{n}.db'}"
            else:
                url = any_database
                engine = sa.create_engine(url)
                _drop_everything(engine)
                engine.dispose()
            monkeypatch.setenv("RANDOM_DB_URL", url)
            yield url

    yield fresh()
    forget_connections()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_erasure_changes_only_rows_of_the_subject_alone(
    databases: Iterator[str], tmp_path: Path, data: st.DataObject
) -> None:
    url = next(databases)
    engine = sa.create_engine(url)
    dialect = engine.dialect.name
    tables = data.draw(schemas(dialect == "postgresql"), label="schema")
    account = data.draw(st.sampled_from(list(ACCOUNTS)), label="account table")
    kind, ids = ACCOUNTS[account]
    subject_id = data.draw(st.sampled_from(ids), label="subject")
    with engine.begin() as connection:
        for statement in _ddl(dialect, tables):
            connection.exec_driver_sql(statement)
        for name, (_k, account_ids) in ACCOUNTS.items():
            connection.execute(
                sa.Table(name, sa.MetaData(), autoload_with=connection).insert(),
                [{"id": i, "email": f"{name}{i}@x.example", "name": f"N{i}"} for i in account_ids],
            )
        for t in tables:
            rows = [{**r, "d": date(2026, 6, 1)} for r in t.rows]
            connection.execute(
                sa.Table(t.name, sa.MetaData(), autoload_with=connection).insert(), rows
            )
    kind_name = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}[dialect]
    path = tmp_path / "register.yaml"
    path.write_text(_register(kind_name, tables), encoding="utf-8")
    forget_connections()
    register = load_register(path)
    before = _snapshot(engine, tables)
    identifiers = {"account-id": str(subject_id)}
    outcome = run_on_datastore(
        register,
        register.datastores[0],
        ExecutionRequest("erasure", identifiers, "P-1", subject=kind),
        Identifiers.parse(identifiers, "RU"),
        secret=b"k",
        today=TODAY,
    )
    after = _snapshot(engine, tables)
    forget_connections()
    engine.dispose()

    oracle = Oracle(tables)
    subject: Row = (account, subject_id)
    reached = oracle.reached(subject, kind)
    alone = {r for r in reached if r == subject or oracle.owners(*r) == {subject}}
    referrers: dict[Row, set[Row]] = {}
    for t in tables:
        for link in t.links:
            for row in t.rows:
                if row[link.column] is not None:
                    referrers.setdefault((link.parent, row[link.column]), set()).add(
                        (t.name, row["id"])
                    )
    leaves = {  # rows of nobody that only the subject's rows refer to (an address)
        r
        for r in before
        if r[0] not in ACCOUNTS
        and not oracle.owners(*r)
        and referrers.get(r)
        and referrers[r] <= alone
    }
    changed = {r for r, digest in before.items() if after.get(r) != digest}
    assert changed <= alone | leaves, (
        f"rows not the subject's alone changed: {sorted(changed - alone - leaves)}",
        outcome.as_dict(),
    )
    held = {t.name for t in tables if t.held}
    missed = {r for r in alone if r[0] not in held and r not in changed}
    assert not missed, (f"rows of the subject alone left untouched: {sorted(missed)}",)
    assert outcome.residual == 0, outcome.as_dict()
