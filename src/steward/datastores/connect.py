"""Connect to the operator's databases named in the register, and reflect what is there.

    engine = datastore_engine(datastore)          # URL from the variable the register names
    schema = reflect(engine, datastore)           # tables, keys, foreign keys, generated columns
    problems = compare(schema, datastore)          # what the register names that is not there

A ``Schema`` joins the database's reflected foreign keys with the ``references`` the register
declares, so the subject graph follows both the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from steward.datastores.errors import ConnectionFailed, SchemaMismatch
from steward.register.models import Datastore, Table


def datastore_url(datastore: Datastore) -> str:
    """The SQLAlchemy URL of ``datastore``.

    Raises ``SchemaMismatch`` when the variable is unset, or when its value is not a URL of a
    database Steward supports (the message never repeats the value: it may hold a password).
    """
    env = datastore.connection.env or ""
    where = f"the URL in {env}" if env and not datastore.connection.url else "connection.url"
    if datastore.connection.url:
        url = datastore.connection.url
    else:
        url = os.environ.get(env, "")
        if not url:
            raise SchemaMismatch(
                f"datastore '{datastore.id}': environment variable {env} is not set; "
                f"set it to the database URL (e.g. postgresql://user:pass@host/db)"
            )
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    elif url.startswith("mysql://") or url.startswith("mariadb://"):
        url = "mysql+pymysql://" + url.split("://", 1)[1]
    try:
        backend = sa.engine.make_url(url).get_backend_name()
    except sa.exc.ArgumentError:
        backend = ""
    if backend not in ("postgresql", "mysql", "mariadb", "sqlite"):
        raise SchemaMismatch(
            f"datastore '{datastore.id}': {where} is not a PostgreSQL, MariaDB/MySQL or SQLite "
            f"database URL (e.g. postgresql://user:pass@host/db, sqlite:///path/app.db)"
        )
    return url


def _server(url: sa.engine.URL) -> str:
    """Where ``url`` points, without its user or password: ``host:port/database``."""
    if url.get_backend_name() == "sqlite":
        return url.database or "(memory)"
    port = f":{url.port}" if url.port else ""
    return f"{url.host or 'localhost'}{port}/{url.database or ''}"


def datastore_engine(datastore: Datastore) -> sa.Engine:
    """An engine for the datastore; SQLite gets foreign keys on and a busy timeout."""
    url = datastore_url(datastore)
    # no pre-ping: a dropped pooled connection fails the step as ConnectionFailed (retryable),
    # the pool is discarded and the retry reconnects; pinging would cost a round trip per step
    # hide_parameters: a failing statement's parameters are the subject's data; never log them
    engine = sa.create_engine(url, pool_recycle=1800, hide_parameters=True)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


@dataclass(frozen=True)
class Link:
    """``child.columns`` refer to ``parent.to_columns``; ``enforced`` when the database says so."""

    child: str
    columns: tuple[str, ...]
    parent: str
    to_columns: tuple[str, ...]
    enforced: bool


@dataclass
class TableInfo:
    """One reflected table. ``primary_key`` is the row key Steward tracks rows by: the primary
    key, else the narrowest unique key of NOT NULL columns, else empty ("unkeyed": rows are then
    matched on every column in ``matchable``, see ``graph.row_keys``)."""

    key: str  # qualified name as the register writes it
    table: sa.Table
    primary_key: tuple[str, ...]
    generated: frozenset[str]
    spec: Table | None
    unique: frozenset[str] = frozenset()
    key_source: str = "primary key"
    matchable: tuple[str, ...] = ()  # columns an unkeyed row is matched on (exact types)
    statements: dict[Any, Any] = field(default_factory=dict)  # compiled lookups (graph.py)


@dataclass
class Schema:
    datastore: Datastore
    tables: dict[str, TableInfo] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    memo: dict[str, Any] = field(default_factory=dict)  # facts derived once (actions.py)

    def inbound(self, name: str) -> list[Link]:
        return self._links_by_end[0].get(name, [])

    def outbound(self, name: str) -> list[Link]:
        return self._links_by_end[1].get(name, [])

    @cached_property
    def _links_by_end(self) -> tuple[dict[str, list[Link]], dict[str, list[Link]]]:
        """Links by parent and by child (``links`` is complete once ``reflect`` returns)."""
        inbound: dict[str, list[Link]] = {}
        outbound: dict[str, list[Link]] = {}
        for link in self.links:
            inbound.setdefault(link.parent, []).append(link)
            outbound.setdefault(link.child, []).append(link)
        return inbound, outbound


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _row_key(table: sa.Table) -> tuple[tuple[str, ...], str]:
    """The columns that identify one row, and where they come from."""
    primary = tuple(c.name for c in table.primary_key.columns)
    if primary:
        return primary, "primary key"
    keys: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            keys.append(tuple(c.name for c in constraint.columns))
    for index in table.indexes:
        partial = any(options.get("where") for options in index.dialect_options.values())
        if index.unique and not partial and len(index.expressions) == len(index.columns):
            keys.append(tuple(c.name for c in index.columns))
    usable = [k for k in keys if k and all(not table.c[c].nullable for c in k)]
    if not usable:
        return (), ""
    best = min(usable, key=lambda k: (len(k), k))
    return best, f"unique key ({', '.join(best)})"


_EXACT = (int, str, bytes, bool, date, datetime, time, timedelta, Decimal, UUID)


def _matchable(table: sa.Table) -> tuple[str, ...]:
    """Columns whose values compare exactly with ``=`` (no floats, JSON or arrays)."""
    names = []
    for column in table.columns:
        if column.computed is not None:
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            continue
        if kind in _EXACT:
            names.append(column.name)
    return tuple(names)


def _column_checks(connection: sa.Connection, metadata: sa.MetaData) -> None:
    """Add MariaDB's column-level CHECKs (``JSON`` is ``LONGTEXT CHECK (json_valid(c))``),
    which SQLAlchemy's reflection leaves out, so masks can respect them (``constraints.py``)."""
    try:
        rows = connection.execute(
            sa.text(
                "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE "
                "FROM information_schema.CHECK_CONSTRAINTS "
                "WHERE CONSTRAINT_SCHEMA = DATABASE() AND LEVEL = 'Column'"
            )
        ).all()
    except sa.exc.DBAPIError:  # MySQL has no LEVEL column: its reflection sees every CHECK
        connection.rollback()
        return
    for _schema, table_name, name, clause in rows:
        table = metadata.tables.get(table_name)
        if table is not None:
            table.append_constraint(sa.CheckConstraint(sa.text(clause), name=name))


def reflect(engine: sa.Engine, datastore: Datastore) -> Schema:
    """Reflect every table in the schemas the register uses; raises ``ConnectionFailed``."""
    schemas = {t.schema_ for t in datastore.tables} or {None}
    metadata = sa.MetaData()
    try:
        with engine.connect() as connection:
            for schema_name in schemas:
                metadata.reflect(connection, schema=schema_name)
            if engine.dialect.name == "mysql":
                _column_checks(connection, metadata)
    except sa.exc.OperationalError as exc:
        raise ConnectionFailed(
            f"datastore '{datastore.id}': cannot connect to {_server(engine.url)}"
            f" ({type(exc.orig).__name__})"
        ) from None
    specs = {t.qualified_name: t for t in datastore.tables}
    result = Schema(datastore)
    for table in metadata.tables.values():
        key = _qualified(table.schema, table.name)
        unique = {c.name for c in table.primary_key.columns}
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint) and len(constraint.columns) == 1:
                unique.update(c.name for c in constraint.columns)
        for index in table.indexes:
            if index.unique and len(index.columns) == 1:
                unique.update(c.name for c in index.columns)
        row_key, source = _row_key(table)
        result.tables[key] = TableInfo(
            key=key,
            table=table,
            primary_key=row_key,
            generated=frozenset(c.name for c in table.columns if c.computed is not None),
            spec=specs.get(key),
            unique=frozenset(unique),
            key_source=source,
            matchable=() if row_key else _matchable(table),
        )
    for info in result.tables.values():
        for fk in info.table.foreign_key_constraints:
            parent = fk.referred_table
            result.links.append(
                Link(
                    child=info.key,
                    columns=tuple(c.name for c in fk.columns),
                    parent=_qualified(parent.schema, parent.name),
                    to_columns=tuple(e.column.name for e in fk.elements),
                    enforced=True,
                )
            )
    for spec in datastore.tables:
        for ref in spec.references:
            link = Link(
                spec.qualified_name, tuple(ref.columns), ref.table, tuple(ref.to_columns), False
            )
            same = any(
                (existing.child, existing.columns, existing.parent, existing.to_columns)
                == (link.child, link.columns, link.parent, link.to_columns)
                for existing in result.links
            )
            if not same:
                result.links.append(link)
    return result


def compare(schema: Schema, datastore: Datastore) -> list[str]:
    """Problems between the register and the database, one sentence each (empty when none)."""
    problems: list[str] = []
    for spec in datastore.tables:
        info = schema.tables.get(spec.qualified_name)
        where = f"{datastore.id}.{spec.qualified_name}"
        if info is None:
            problems.append(f"{where}: table does not exist in the database")
            continue
        names = {c.name for c in info.table.columns}
        wanted = [*spec.identity, *spec.columns]
        if spec.retention:
            wanted.append(spec.retention.column)
        for extra in ("restrict_column", "collected_at"):
            value = getattr(spec, extra, None)
            if value:
                wanted.append(value)
        for ref in spec.references:
            wanted.extend(ref.columns)
        for column in dict.fromkeys(wanted):
            if column not in names:
                problems.append(f"{where}: column '{column}' does not exist")
        if not info.primary_key and not spec.reference_data:
            columns = ", ".join(info.matchable) or "none"
            problems.append(
                f"{where}: table has no primary key and no unique key of NOT NULL columns; "
                f"Steward matches its rows on every column ({columns}), which is slower and "
                f"treats identical rows alike: add a primary key"
            )
        for ref in spec.references:
            parent = schema.tables.get(ref.table)
            if parent is None:
                problems.append(f"{where}: reference to table '{ref.table}' which does not exist")
                continue
            parent_names = {c.name for c in parent.table.columns}
            for column in ref.to_columns:
                if column not in parent_names:
                    problems.append(
                        f"{where}: reference to '{ref.table}.{column}' which does not exist"
                    )
            for link in schema.outbound(spec.qualified_name):
                if (
                    link.enforced
                    and link.columns == tuple(ref.columns)
                    and (link.parent, link.to_columns) != (ref.table, tuple(ref.to_columns))
                ):
                    problems.append(
                        f"{where}: the register says {','.join(ref.columns)} refers to "
                        f"{ref.table}.{','.join(ref.to_columns)} but the database's foreign key "
                        f"points to {link.parent}.{','.join(link.to_columns)}"
                    )
    return problems
