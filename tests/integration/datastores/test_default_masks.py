"""The default mask of a column is one the database accepts, whatever its type and constraints.

Hypothesis builds a table with one personal column of a random type (text of any length,
integers, decimals, booleans, dates, times, UUIDs, JSON, arrays, enums, a foreign key) under
random constraints (NOT NULL, UNIQUE, CHECK of a range, a list or a length), puts the subject's
row and another customer's row in it, and erases the subject with ``on_erasure: anonymise`` and
no mask in the register. The erasure must pass, change the subject's value (a foreign key is
unlinked where it may be NULL, kept where it may not), and leave the other row as it was.
Before, a NOT NULL JSON, array or UUID column got NULL, an enum got ``[erased]``, a unique
integer kept its value while the result said "masked", and a CHECK was never considered.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.datastores import ExecutionRequest
from steward.datastores.connect import reflect
from steward.datastores.executor import run_on_datastore
from steward.datastores.identity import Identifiers
from steward.register import load_register

COUNTER = itertools.count()

REGISTER = """
steward: 1
operator:
  id: masks
  legal_name: Masks LLC
  names: {{en: Masks}}
  country: RU
  contacts: {{privacy_email: privacy@masks.example, postal_address: "1 Mask St"}}
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
    connection: {{env: MASKS_DB_URL}}
    location: RU
    tables:
      - name: {table}
        subject: customer
        identity: {{email: email}}
        columns: {{email: contact.email, c: identity.name}}
        on_erasure: anonymise
        purposes: [service]
"""


@dataclass(frozen=True)
class Column:
    """One generated column: its DDL per dialect and two valid values (subject's, other's)."""

    kind: str
    ddl: dict[str, str]
    mine: Any
    other: Any
    checks: tuple[str, ...] = ()
    setup: tuple[str, ...] = ()  # statements to run first (a PostgreSQL enum type)


def _all(text: str) -> dict[str, str]:
    return {"sqlite": text, "postgresql": text, "mysql": text}


@st.composite
def columns(draw: st.DrawFn, dialect: str) -> Column:
    kinds = ["text", "int", "smallint", "decimal", "bool", "date", "timestamp", "time", "json"]
    kinds += ["enum", "fk", "uuid"]
    if dialect == "postgresql":
        kinds += ["text[]", "int[]"]
    kind = draw(st.sampled_from(kinds))
    length = "length" if dialect == "sqlite" else "char_length"
    if kind == "text":
        n = draw(st.integers(1, 40))
        low = draw(st.one_of(st.none(), st.integers(1, n)))
        checks = (f"{length}(c) >= {low}",) if low else ()
        mine = "A" * max(n, low or 0)
        return Column(kind, _all(f"VARCHAR({n})"), mine[:n], "B" * n, checks)
    if kind in ("int", "smallint"):
        low = draw(st.one_of(st.none(), st.integers(-5, 90)))
        # a unique value is drawn at random in range: a narrow range could collide (the
        # preview then reports the refusal, see docs), so the range here stays wide
        high = draw(st.one_of(st.none(), st.integers(10_000, 30_000)))
        checks = ()
        if low is not None and draw(st.booleans()):
            checks += (f"c > {low}",)
        elif low is not None:
            checks += (f"c >= {low}",)
        if high is not None:
            checks += (f"c BETWEEN {low if low is not None else -10} AND {high}",)
        ddl = "INTEGER" if kind == "int" else "SMALLINT"
        return Column(kind, _all(ddl), 95, 99, checks)
    if kind == "decimal":
        return Column(kind, _all("DECIMAL(6,2)"), Decimal("12.50"), Decimal("13.00"))
    if kind == "bool":
        return Column(kind, _all("BOOLEAN"), True, True)
    if kind == "date":
        return Column(kind, _all("DATE"), date(1990, 7, 3), date(1991, 1, 2))
    if kind == "timestamp":
        ddl = {"sqlite": "TIMESTAMP", "postgresql": "TIMESTAMP", "mysql": "DATETIME"}
        return Column(kind, ddl, datetime(1990, 7, 3, 12, 30), datetime(1991, 1, 2))
    if kind == "time":
        return Column(kind, _all("TIME"), time(12, 30), time(9, 0))
    if kind == "json":
        ddl = {"sqlite": "JSON", "postgresql": draw(st.sampled_from(["JSON", "JSONB"]))}
        ddl["mysql"] = "JSON"
        if dialect == "mysql":  # MariaDB's JSON is LONGTEXT with CHECK (json_valid(c))
            return Column(kind, ddl, '{"name": "Anna"}', '{"name": "Boris"}')
        return Column(kind, ddl, {"name": "Anna"}, {"name": "Boris"})
    if kind == "uuid":
        ddl = {"sqlite": "CHAR(36)", "postgresql": "UUID", "mysql": "UUID"}
        if dialect == "postgresql":
            return Column(kind, ddl, uuid.uuid4(), uuid.uuid4())
        return Column(kind, ddl, str(uuid.uuid4()), str(uuid.uuid4()))
    if kind == "enum":
        values = "'gold', 'silver'"
        ddl = {"sqlite": "VARCHAR(6)", "postgresql": "tier", "mysql": f"ENUM({values})"}
        checks = (f"c IN ({values})",) if dialect == "sqlite" else ()
        setup = (
            ("DROP TYPE IF EXISTS tier CASCADE", f"CREATE TYPE tier AS ENUM ({values})")
            if dialect == "postgresql"
            else ()
        )
        return Column(kind, ddl, "gold", "silver", checks, setup)
    if kind == "fk":
        return Column(kind, _all("INTEGER REFERENCES tiers(id)"), 1, 2)
    element = "TEXT" if kind == "text[]" else "INTEGER"
    mine: list[Any] = ["a", "b"] if kind == "text[]" else [1, 2]
    return Column(kind, {"postgresql": f"{element}[]"}, mine, mine)


def _create(connection: sa.Connection, dialect: str, table: str, column: Column, flags: Any) -> str:
    not_null, unique = flags
    for statement in column.setup:
        connection.exec_driver_sql(statement)
    definition = column.ddl[dialect]
    if column.kind == "fk":
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS tiers (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql(
            "INSERT INTO tiers (id) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM tiers)"
        )
        connection.exec_driver_sql(
            "INSERT INTO tiers (id) SELECT 2 WHERE NOT EXISTS (SELECT 1 FROM tiers WHERE id = 2)"
        )
        definition = f"INTEGER {'NOT NULL ' if not_null else ''}REFERENCES tiers(id)"
    elif not_null:
        definition += " NOT NULL"
    constraints = [f"CHECK ({check})" for check in column.checks]
    if unique and column.kind in ("text", "int", "smallint", "uuid", "decimal", "date"):
        constraints.append("UNIQUE (c)")
    body = ", ".join(
        ["id INTEGER PRIMARY KEY", "email VARCHAR(100) NOT NULL", f"c {definition}", *constraints]
    )
    connection.exec_driver_sql(f"CREATE TABLE {table} ({body})")
    meta = sa.MetaData()
    t = sa.Table(table, meta, autoload_with=connection)
    connection.execute(
        t.insert(),
        [
            {"id": 1, "email": "anna@x.example", "c": column.mine},
            {"id": 2, "email": "boris@x.example", "c": column.other},
        ],
    )
    return table


def _rows(engine: sa.Engine, table: str) -> dict[int, Any]:
    t = sa.Table(table, sa.MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        return {r.id: r.c for r in connection.execute(sa.select(t))}


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_the_default_mask_of_any_column_is_accepted_by_the_database(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = sa.create_engine(any_database)
    dialect = engine.dialect.name
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}[dialect]
    monkeypatch.setenv("MASKS_DB_URL", any_database)

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(column=columns(dialect), flags=st.tuples(st.booleans(), st.booleans()))
    def check(column: Column, flags: tuple[bool, bool]) -> None:
        table = f"m_{next(COUNTER)}"
        with engine.begin() as connection:
            _create(connection, dialect, table, column, flags)
        before = _rows(engine, table)
        path = tmp_path / f"{table}.yaml"
        path.write_text(REGISTER.format(kind=kind, table=table), encoding="utf-8")
        register = load_register(path)
        datastore = register.datastores[0]
        ids = {"email": "anna@x.example"}
        outcome = run_on_datastore(
            register,
            datastore,
            ExecutionRequest("erasure", ids, "M"),
            Identifiers.parse(ids, "RU"),
            secret=b"k",
            today=date(2026, 11, 22),
            engine=engine,
            schema=reflect(engine, datastore),
        )
        after = _rows(engine, table)
        assert outcome.tables[0].masked == 1, outcome.as_dict()
        assert after[2] == before[2], "another customer's row changed"
        not_null, _unique = flags
        if column.kind == "fk" and not_null:
            assert after[1] == before[1], "a NOT NULL foreign key is kept"
        elif column.kind == "enum" and not_null:
            assert after[1] == "gold", "an enum gets its first value"
        else:
            assert after[1] != before[1], f"{column.kind} kept the subject's value"
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE {table}")

    try:
        check()
    finally:
        engine.dispose()
