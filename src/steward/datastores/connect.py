"""Connect to the operator's databases named in the register, and reflect what is there.

    engine = datastore_engine(datastore)          # URL from the variable the register names
    schema = reflect(engine, datastore)           # tables, keys, foreign keys, generated columns
    problems = compare(schema, datastore)          # what the register names that is not there

A ``Schema`` joins the database's reflected foreign keys with the ``references`` the register
declares, so the subject graph follows both the same way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from steward.datastores.errors import ConnectionFailed, SchemaMismatch
from steward.register.models import Datastore, Table


def datastore_url(datastore: Datastore, environ: Mapping[str, str] | None = None) -> str:
    """The SQLAlchemy URL of ``datastore`` (its variable read from ``environ``, else the process).

    Raises ``SchemaMismatch`` when the variable is unset, or when its value is not a URL of a
    database Steward supports (the message never repeats the value: it may hold a password).
    """
    env = datastore.connection.env or ""
    where = f"the URL in {env}" if env and not datastore.connection.url else "connection.url"
    if datastore.connection.url:
        url = datastore.connection.url
    else:
        url = (os.environ if environ is None else environ).get(env, "")
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


def datastore_engine(datastore: Datastore, environ: Mapping[str, str] | None = None) -> sa.Engine:
    """An engine for the datastore; SQLite gets foreign keys on and a busy timeout.

    The one factory of engines on the operator's databases: every reader (execution, notice
    audiences, discovery) comes through it, so URLs, drivers and logging rules are the same.
    """
    url = datastore_url(datastore, environ)
    # no pre-ping: a dropped pooled connection fails the step as ConnectionFailed (retryable),
    # the pool is discarded and the retry reconnects; pinging would cost a round trip per step
    # hide_parameters: a failing statement's parameters are the subject's data; never log them
    # psycopg's own preparing off: batches prepare their statements themselves (batch.py), and
    # psycopg would drop every prepared statement of the connection (DEALLOCATE ALL) after a
    # rollback of its own
    options: dict[str, Any] = {}
    if url.startswith("postgresql+psycopg://"):
        options["connect_args"] = {"prepare_threshold": None}
    engine = sa.create_engine(url, pool_recycle=1800, hide_parameters=True, **options)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    elif engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _generic_plans(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            # Steward's statements are prepared (psycopg, from the fifth use) and their
            # parameters are key arrays: PostgreSQL would plan each one again for its values
            # (a custom plan: 0.15-0.35 ms of the server's time for a nested lookup that then
            # runs in 0.02 ms, measured on the bench) though the plan is the same index lookup;
            # a plan never changes which rows a statement reads or writes
            info = getattr(dbapi_connection, "info", dbapi_connection)  # psycopg 3, psycopg2
            if getattr(info, "server_version", 0) >= 120000:  # the setting is PostgreSQL 12's
                cursor = dbapi_connection.cursor()
                cursor.execute("SET plan_cache_mode = force_generic_plan")
                cursor.close()
                dbapi_connection.commit()

    return engine


@dataclass(frozen=True)
class Link:
    """``child.columns`` refer to ``parent.to_columns``; ``enforced`` when the database says so."""

    child: str
    columns: tuple[str, ...]
    parent: str
    to_columns: tuple[str, ...]
    enforced: bool
    direction: str = "both"  # the register's: "to" (child to parent only), "from", "both"

    @property
    def ends(self) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
        return self.child, self.columns, self.parent, self.to_columns


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
    # PostgreSQL partitions and inheritance children, folded into their root table
    parts: dict[str, str] = field(default_factory=dict)
    # foreign keys that exist on some partitions of a table only: (link, partitions with it)
    partial: list[tuple[Link, list[str]]] = field(default_factory=list)

    memo: dict[Any, Any] = field(default_factory=dict)  # facts derived once (actions.py)

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


_INHERITS = """
SELECT nc.nspname, c.relname, np.nspname, p.relname
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace nc ON nc.oid = c.relnamespace
JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace np ON np.oid = p.relnamespace
"""


def _inheritance(connection: sa.Connection) -> dict[str, str]:
    """PostgreSQL partitions and inheritance children -> their root table (others: none).

    A query of the root reads (and a DELETE of it deletes) the rows of every child, so the
    children are one table with it.
    """
    if connection.dialect.name != "postgresql":
        return {}
    default = sa.inspect(connection).default_schema_name

    def name(schema: str, table: str) -> str:
        return _qualified(None if schema == default else schema, table)

    parent = {name(cs, c): name(ps, p) for cs, c, ps, p in connection.exec_driver_sql(_INHERITS)}
    roots = {}
    for child in parent:
        root, seen = parent[child], {child}
        while root in parent and root not in seen:  # a partition that is partitioned itself
            seen.add(root)
            root = parent[root]
        roots[child] = root
    return roots


def _fold_parts(result: Schema, links: list[Link]) -> list[Link]:
    """Links of partitions become links of their root; a foreign key on some partitions only
    is kept (unenforced: the other partitions do not check it) and listed in ``partial``."""
    parts = result.parts
    if not parts:
        return links
    children: dict[str, list[str]] = {}
    for child, root in parts.items():
        children.setdefault(root, []).append(child)
    folded: dict[tuple[Any, ...], list[str]] = {}
    kept: list[Link] = []
    for link in links:
        child, parent = parts.get(link.child, link.child), parts.get(link.parent, link.parent)
        ends = (child, link.columns, parent, link.to_columns)
        if link.child in parts:
            folded.setdefault(ends, []).append(link.child)
        else:
            kept.append(Link(child, link.columns, parent, link.to_columns, link.enforced))
    own = {link.ends for link in kept}
    for ends, having in folded.items():
        if ends in own:
            continue  # declared on the root (and cloned onto each partition)
        everywhere = set(having) >= set(children[ends[0]])
        link = Link(*ends, enforced=everywhere)
        kept.append(link)
        if not everywhere:
            result.partial.append((link, sorted(having)))
    return kept


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
            parts = _inheritance(connection)
    except sa.exc.OperationalError as exc:
        raise ConnectionFailed(
            f"datastore '{datastore.id}': cannot connect to {_server(engine.url)}"
            f" ({type(exc.orig).__name__})"
        ) from None
    specs = {t.qualified_name: t for t in datastore.tables}
    result = Schema(datastore, parts=parts)
    for table in metadata.tables.values():
        key = _qualified(table.schema, table.name)
        if key in parts:
            continue
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
    links = []
    for table in metadata.tables.values():
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table
            links.append(
                Link(
                    child=_qualified(table.schema, table.name),
                    columns=tuple(c.name for c in fk.columns),
                    parent=_qualified(parent.schema, parent.name),
                    to_columns=tuple(e.column.name for e in fk.elements),
                    enforced=True,
                )
            )
    result.links = _fold_parts(result, links)
    for spec in datastore.tables:
        for ref in spec.references:
            link = Link(
                spec.qualified_name,
                tuple(ref.columns),
                ref.table,
                tuple(ref.to_columns),
                False,
                ref.direction,
            )
            # a reference the database also declares gives that foreign key its direction
            same = [i for i, existing in enumerate(result.links) if existing.ends == link.ends]
            for i in same:
                existing = result.links[i]
                result.links[i] = Link(*existing.ends, existing.enforced, ref.direction)
            if not same:
                result.links.append(link)
    return result


def _flow(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"[{', '.join(names)}]"


def rule_problems(schema: Schema, datastore: Datastore) -> list[tuple[int, str]]:
    """Retention rules naming a column their table does not have: (the table's index in the
    datastore's ``tables``, so the caller can point at the rule in the file; the sentence)."""
    problems = []
    for index, spec in enumerate(datastore.tables):
        info = schema.tables.get(spec.qualified_name)
        if info is None or spec.retention is None or spec.retention.column in info.table.c:
            continue
        dated = [c.name for c in info.table.columns if isinstance(c.type, sa.Date | sa.DateTime)]
        hint = (
            f"date columns of the table: {', '.join(dated)}"
            if dated
            else "the table has no date column"
        )
        problems.append(
            (
                index,
                f"{datastore.id}.{spec.qualified_name}: the retention rule's column "
                f"'{spec.retention.column}' does not exist; {hint}",
            )
        )
    return problems


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
        wanted = [*spec.identity, *spec.columns]  # the retention column: rule_problems
        for extra in ("restrict_column", "collected_at", "language_column"):
            value = getattr(spec, extra, None)
            if value:
                wanted.append(value)
        for ref in spec.references:
            wanted.extend(ref.columns)
        for column in dict.fromkeys(wanted):
            if column not in names:
                problems.append(f"{where}: column '{column}' does not exist")
        for column, column_spec in spec.columns.items():
            lookup = column_spec.lookup
            if lookup is None:
                continue
            target_name = f"{lookup.schema_}.{lookup.table}" if lookup.schema_ else lookup.table
            target = schema.tables.get(target_name)
            if target is None:
                problems.append(
                    f"{where}: column '{column}' looks up '{target_name}', which the register "
                    f"does not declare; add it to the datastore's tables (reference_data: true)"
                )
                continue
            have = {c.name for c in target.table.columns}
            for needed in (lookup.key, lookup.value):
                if needed not in have:
                    problems.append(
                        f"{where}: column '{column}' looks up {target_name}.{needed}, "
                        f"which does not exist"
                    )
        if not info.primary_key and not spec.reference_data:
            columns = ", ".join(info.matchable) or "none"
            problems.append(
                f"{where}: table has no primary key and no unique key of NOT NULL columns; "
                f"Steward matches its rows on every column ({columns}), which is slower and "
                f"treats identical rows alike: add a primary key"
            )
        declared = {(tuple(r.columns), r.table, tuple(r.to_columns)) for r in spec.references}
        for link, having in schema.partial:
            if link.child != spec.qualified_name:
                continue
            if (link.columns, link.parent, link.to_columns) in declared:
                continue
            problems.append(
                f"{where}: the foreign key ({', '.join(link.columns)}) -> {link.parent}"
                f"({', '.join(link.to_columns)}) exists on partition(s) {', '.join(having)} "
                f"only, so Steward cannot rely on it for the rest; declare it under this "
                f"table: references: [{{columns: {_flow(link.columns)}, table: {link.parent}, "
                f"to_columns: {_flow(link.to_columns)}}}]"
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
