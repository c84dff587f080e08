"""A uniform random sample of a table's rows, for discovery (it reads; it never writes).

    sample = sample_table(engine, info, size=1000)
    sample.columns["email"]      # the sampled values of that column, None for NULL
    sample.skipped               # {"photo": "binary column"}

Every row has the same chance to be drawn, wherever it sits in the table: a table no larger
than ``size`` is read whole; a larger one is read with a Bernoulli filter (each row kept with
probability 2·size/rows, in the database, in one pass and without sorting) and the rows kept
are cut down to ``size`` by a uniform draw. The first rows of a table, its oldest, are not a
sample of it. Binary columns are not read; text values are cut to ``max_chars`` in the
database so that one huge cell cannot flood the scan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from steward.datastores.connect import TableInfo, _server
from steward.datastores.errors import ConnectionFailed

MAX_CHARS = 64 * 1024
_BINARY = (sa.LargeBinary, sa.types._Binary, sa.PickleType)


@dataclass
class TableSample:
    table: str
    total: int  # rows in the table (an estimate on large PostgreSQL/MariaDB tables)
    method: str  # "whole table" or "bernoulli"
    columns: dict[str, list[Any]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()), []))


def _is_binary(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, _BINARY)


def _is_text(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, sa.String | sa.Text)


def _estimate(connection: sa.Connection, table: sa.Table, size: int) -> int:
    """The table's row count: the planner's estimate when it says the table is large."""
    dialect = connection.dialect.name
    estimate = -1
    if dialect == "postgresql":
        name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
        value = connection.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
            {"name": name},
        ).scalar()
        estimate = int(value) if value is not None else -1
    elif dialect in ("mysql", "mariadb"):
        value = connection.execute(
            sa.text(
                "SELECT TABLE_ROWS FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = COALESCE(:schema, DATABASE()) AND TABLE_NAME = :name"
            ),
            {"schema": table.schema, "name": table.name},
        ).scalar()
        estimate = int(value) if value is not None else -1
    if estimate > size * 20:
        return estimate
    count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    return int(count or 0)


def _bernoulli(dialect: str, share: float) -> sa.ColumnElement[bool]:
    if dialect == "sqlite":  # random() is a uniform 64-bit signed integer
        cut = min(int(-(2**63) + share * 2**64), 2**63 - 1)
        return sa.func.random() < sa.literal(cut)
    if dialect in ("mysql", "mariadb"):
        return sa.func.rand() < sa.literal(share)
    return sa.func.random() < sa.literal(share)


def sample_table(
    engine: sa.Engine,
    info: TableInfo,
    size: int = 1000,
    *,
    max_chars: int = MAX_CHARS,
    seed: int | None = None,
) -> TableSample:
    """Up to ``size`` rows of ``info``'s table drawn uniformly at random.

    Raises ``ConnectionFailed`` when the database cannot be reached.
    """
    table = info.table
    selected: list[Any] = []
    names: list[str] = []
    skipped: dict[str, str] = {}
    for column in table.columns:
        if _is_binary(column):
            skipped[column.name] = "binary column"
            continue
        names.append(column.name)
        expression: Any = column
        if _is_text(column):
            expression = sa.func.substr(column, 1, max_chars)
            if engine.dialect.name == "sqlite":
                # SQLite keeps whatever bytes it was given in a TEXT column; read them as bytes
                # so that invalid UTF-8 reaches the scan (which replaces it) instead of failing
                # the whole query in the driver
                expression = sa.cast(expression, sa.LargeBinary)
        selected.append(expression.label(f"c{len(names)}"))
    try:
        with engine.connect() as connection:
            total = _estimate(connection, table, size)
            query = sa.select(*selected) if selected else None
            method = "whole table"
            share = 2.0 * size / total if total else 1.0
            if query is not None and share < 1.0:
                query = query.where(_bernoulli(connection.dialect.name, share)).limit(size * 4)
                method = "bernoulli"
            rows = [tuple(r) for r in connection.execute(query)] if query is not None else []
    except sa.exc.OperationalError as exc:
        raise ConnectionFailed(
            f"cannot read {info.key} on {_server(engine.url)} ({type(exc.orig).__name__})"
        ) from None
    if len(rows) > size:
        rows = random.Random(seed).sample(rows, size)
    sample = TableSample(info.key, total, method, skipped=skipped)
    for index, name in enumerate(names):
        sample.columns[name] = [row[index] for row in rows]
    return sample
