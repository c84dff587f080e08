"""Find every row of one subject in one datastore: the subject graph.

    found = find_subject(connection, schema, identifiers)
    found.rows["orders"]       -> {(12,): {"id": 12, "customer_id": 3, ...}, ...}

Rules, in the order the search applies them:

1. Seeds: rows of registered tables whose identity columns match the subject's identifiers
   (e-mail case-folded, phone compared in E.164, account id exact). Identifiers of other kinds
   read from the subject's own rows (the phone stored on the account found by e-mail) seed a
   second round, so a call recording kept only by phone number is found from an e-mail.
2. Inbound: rows that refer to a subject row (orders -> customer), through a reflected foreign
   key or a reference the register declares, belong to the subject and are searched in turn.
   Tables that declare ``subject:`` (the customers of the operator) are the exception: a
   customer who was referred by the subject is another subject, never the subject's data.
3. Outbound: rows a subject row refers to (customer -> address) are attributed when their table
   holds personal data and no row outside the subject's refers to them; a shared row (an address
   two customers use, a city, a product) is never attributed. Outbound rows are leaves.
4. Reference data and tables the register does not name are never entered. Their rows that
   refer to the subject's rows are still recorded as *referrers*, so erasure knows it cannot
   delete a row something else depends on.

Every step is set-based: one query per link per hop, ``WHERE (cols) IN (...)`` in batches,
never one query per row. Visited keys make cycles and self-references terminate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from steward.datastores.connect import Link, Schema, TableInfo
from steward.datastores.identity import Identifiers, candidates, normalise
from steward.register.taxonomy import IdentityKind

BATCH = 500
Key = tuple[Any, ...]
RowRef = tuple[str, Key]


@dataclass
class Found:
    """The subject's rows in one datastore, and who else refers to them."""

    rows: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    # parent row -> rows that refer to it through an enforced foreign key (any owner)
    referrers: dict[RowRef, set[RowRef]] = field(default_factory=lambda: defaultdict(set))
    shared: dict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))
    queries: int = 0

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def has(self, table: str, key: Key) -> bool:
        return key in self.rows.get(table, {})


def _batches(values: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _match(table: sa.Table, columns: Sequence[str], values: Sequence[tuple[Any, ...]]) -> Any:
    if len(columns) == 1:
        return table.c[columns[0]].in_([v[0] for v in values])
    return sa.tuple_(*(table.c[c] for c in columns)).in_(values)


def _key(info: TableInfo, row: dict[str, Any]) -> Key:
    return tuple(row[c] for c in info.primary_key)


def _enterable(info: TableInfo | None) -> bool:
    return info is not None and info.spec is not None and not info.spec.reference_data


def _lookup(info: TableInfo, columns: Sequence[str], dialect: str, lower: bool = False) -> Any:
    """A compiled-once ``SELECT * ... WHERE cols IN :values`` for this table and columns.

    On PostgreSQL a single column uses ``= ANY(:values)``: one SQL text for any number of
    values, so the statement is compiled once and prepared by the server.
    """
    key = (tuple(columns), dialect, lower)
    statement = info.statements.get(key)
    if statement is None:
        table = info.table
        if len(columns) == 1:
            column: Any = table.c[columns[0]]
            if lower:
                column = sa.func.lower(column)
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import ARRAY

                param = sa.bindparam("values", type_=ARRAY(table.c[columns[0]].type))
                test = column == sa.any_(param)
            else:
                test = column.in_(sa.bindparam("values", expanding=True))
        else:
            test = sa.tuple_(*(table.c[c] for c in columns)).in_(
                sa.bindparam("values", expanding=True)
            )
        statement = info.statements[key] = sa.select(table).where(test)
    return statement


def _select_in(
    connection: sa.Connection,
    found: Found,
    info: TableInfo,
    columns: Sequence[str],
    values: Iterable[tuple[Any, ...]],
) -> list[dict[str, Any]]:
    distinct = sorted({v for v in values if all(x is not None for x in v)}, key=repr)
    rows: list[dict[str, Any]] = []
    statement = _lookup(info, columns, connection.dialect.name)
    single = len(columns) == 1
    for batch in _batches(distinct):
        found.queries += 1
        params = [v[0] for v in batch] if single else list(batch)
        rows.extend(dict(r) for r in connection.execute(statement, {"values": params}).mappings())
    return rows


def _is_integer(column: sa.Column[Any]) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def _seed(
    connection: sa.Connection,
    schema: Schema,
    values: dict[IdentityKind, set[str]],
    region: str | None,
    found: Found,
    frontier: dict[str, set[Key]],
) -> None:
    for info in schema.tables.values():
        if not _enterable(info) or info.spec is None or not info.spec.identity:
            continue
        for column, kind in info.spec.identity.items():
            targets = values.get(kind, set())
            wanted: list[Any] = sorted({c for v in targets for c in candidates(kind, v)})
            if not wanted or column not in info.table.c:
                continue
            if _is_integer(info.table.c[column]):  # an account id kept in an integer column
                wanted = [int(v) for v in wanted if v.lstrip("-").isdigit()]
                if not wanted:
                    continue
            statement = _lookup(
                info, [column], connection.dialect.name, lower=kind is IdentityKind.EMAIL
            )
            found.queries += 1
            for row in connection.execute(statement, {"values": wanted}).mappings():
                if normalise(kind, row[column], region) not in targets:
                    continue
                key = _key(info, dict(row))
                if key not in found.rows[info.key]:
                    found.rows[info.key][key] = dict(row)
                    frontier[info.key].add(key)


def _learned(
    schema: Schema, found: Found, known: dict[IdentityKind, set[str]], region: str | None
) -> dict[IdentityKind, set[str]]:
    """Identifiers of other kinds read from the subject's own rows (the phone on the account)."""
    learned: dict[IdentityKind, set[str]] = defaultdict(set)
    for table, rows in found.rows.items():
        spec = schema.tables[table].spec
        if spec is None or spec.subject is None:
            continue
        for column, kind in spec.identity.items():
            if known.get(kind):
                continue
            for row in rows.values():
                value = normalise(kind, row.get(column), region)
                if value:
                    learned[kind].add(value)
    return learned


def _index(rows: dict[Key, dict[str, Any]], keys: Iterable[Key], columns: Sequence[str]):  # type: ignore[no-untyped-def]
    by_value: dict[tuple[Any, ...], list[Key]] = defaultdict(list)
    for key in keys:
        row = rows[key]
        by_value[tuple(row[c] for c in columns)].append(key)
    return by_value


def _follow_inbound(
    connection: sa.Connection,
    schema: Schema,
    found: Found,
    link: Link,
    parent_keys: set[Key],
    frontier: dict[str, set[Key]],
) -> None:
    child = schema.tables.get(link.child)
    if child is None or not child.primary_key:
        return
    parents = _index(found.rows[link.parent], parent_keys, link.to_columns)
    entered = _enterable(child) and child.spec is not None and child.spec.subject is None
    for row in _select_in(connection, found, child, link.columns, parents):
        key = _key(child, row)
        if link.enforced:
            for parent_key in parents.get(tuple(row[c] for c in link.columns), []):
                found.referrers[(link.parent, parent_key)].add((child.key, key))
        if entered and key not in found.rows[child.key]:
            found.rows[child.key][key] = row
            frontier[child.key].add(key)


def _follow_outbound(
    connection: sa.Connection,
    schema: Schema,
    found: Found,
    link: Link,
    child_keys: set[Key],
    leaves: dict[str, set[Key]],
) -> None:
    parent = schema.tables.get(link.parent)
    if parent is None or not _enterable(parent) or parent.spec is None:
        return
    if parent.spec.subject is not None or not parent.spec.columns or not parent.primary_key:
        return
    rows = found.rows[link.child]
    values = {tuple(rows[k][c] for c in link.columns) for k in child_keys}
    have = found.rows.get(parent.key, {})
    values -= {tuple(r[c] for c in link.to_columns) for r in have.values()}
    if not values:
        return  # every row it points to is already the subject's (invoice -> its order)
    for row in _select_in(connection, found, parent, link.to_columns, values):
        key = _key(parent, row)
        if key not in found.rows[parent.key]:
            found.rows[parent.key][key] = row
            leaves[parent.key].add(key)


def _drop_shared(
    connection: sa.Connection, schema: Schema, found: Found, leaves: dict[str, set[Key]]
) -> None:
    """Remove outbound-reached rows that a row outside the subject's also refers to."""
    for table, keys in leaves.items():
        if not keys:
            continue
        shared: set[Key] = set()
        for link in schema.inbound(table):
            child = schema.tables.get(link.child)
            if child is None or not child.primary_key:
                continue
            parents = _index(found.rows[table], keys, link.to_columns)
            for row in _select_in(connection, found, child, link.columns, parents):
                child_key = _key(child, row)
                owners = parents.get(tuple(row[c] for c in link.columns), [])
                if found.has(child.key, child_key):
                    if link.enforced:
                        for owner in owners:
                            found.referrers[(table, owner)].add((child.key, child_key))
                else:
                    shared.update(owners)
        for key in shared:
            del found.rows[table][key]
            found.referrers.pop((table, key), None)
        found.shared[table].update(shared)


def find_subject(connection: sa.Connection, schema: Schema, ids: Identifiers) -> Found:
    """All rows of the subject in this datastore (see the module docstring for the rules)."""
    found = Found()
    frontier: dict[str, set[Key]] = defaultdict(set)
    known = {k: {v} for k in IdentityKind if (v := ids.value(k))}
    _seed(connection, schema, known, ids.region, found, frontier)
    learned = _learned(schema, found, known, ids.region)
    if learned:
        _seed(connection, schema, learned, ids.region, found, frontier)
    leaves: dict[str, set[Key]] = defaultdict(set)
    while any(frontier.values()):
        current, frontier = frontier, defaultdict(set)
        for table, keys in current.items():
            if not keys:
                continue
            for link in schema.inbound(table):
                _follow_inbound(connection, schema, found, link, keys, frontier)
            for link in schema.outbound(table):
                _follow_outbound(connection, schema, found, link, keys, leaves)
        for table, keys in leaves.items():
            # a leaf later reached as an inbound row is a full member and stays searched
            keys.difference_update(current.get(table, set()))
    _drop_shared(connection, schema, found, leaves)
    found.rows = defaultdict(dict, {t: r for t, r in found.rows.items() if r})
    return found
