"""Find every row of one subject in one datastore: the subject graph.

    found = find_subject(connection, schema, identifiers)
    found.rows["orders"]       -> {(12,): {"id": 12, "customer_id": 3, ...}, ...}

Rules, in the order the search applies them:

A search is for one subject kind (``whose.py``: which links make a row whose). Its identity
columns match only in that kind's tables.

1. Seeds: rows of registered tables whose identity columns match the subject's identifiers
   (e-mail case-folded, phone compared in E.164, account id exact). Identifiers of other kinds
   read from the subject's own rows (the phone stored on the account found by e-mail) seed a
   second round in tables that do not declare ``subject:``, so a call recording kept only by
   phone number is found from an e-mail. They never seed other accounts: an account found
   only through a phone number read from another account may be a family member's, and the
   subject proved only the identifiers they gave.
2. Inbound: rows that refer to a subject row (orders -> customer) through an *owning* link (a
   foreign key or a declared reference, see ``whose.py``) belong to the subject and are searched
   in turn. Accounts are the exception (a customer referred by the subject is another subject),
   and so are rows of another kind (a rental an employee handled is the customer's).
3. Outbound: rows a subject row refers to (customer -> address) are attributed when their table
   holds personal data and no row outside the subject's refers to them; an address two customers
   use is *shared*, a row that belongs to another person (their card) is dropped. Outbound rows
   are leaves.
4. Owners: once the search ends, a row that also hangs, through an owning link, from an account
   that is not the subject's (an order with another customer's id, paid with the subject's
   card) is moved to ``Found.shared``, and so is every row hanging from a shared row. Parents
   not found are read upward one batch per level; in the usual schema every parent is found and
   this costs no query.
5. Reference data and tables the register does not name are never entered, nor are other
   subjects' accounts. Their rows that refer to the subject's rows (through a foreign key, or a
   declared reference: ``Found.declared``) are *referrers*: a row something else depends on
   cannot be deleted. Only erasure needs
   them, and only for the rows it would otherwise delete, so the search does not look for them;
   ``find_referrers`` does, for the rows erasure names (``actions.plan_erasure``).
6. An erasure may name tables whose rows it deletes on sight (``delete_on_sight``, chosen by
   ``actions.deletable_on_sight``: nothing refers to them, nothing in them is kept and none of
   their rows can be shared). Their
   rows reached through a reference are then read with ``DELETE ... RETURNING`` instead of a
   ``SELECT``: one statement instead of a read and a later delete. They are listed in
   ``Found.deleted``; rows matched by an identity column are always read first, because the
   match is confirmed in Python.

Every step is set-based: one query per link per hop, ``WHERE (cols) IN (...)`` in batches,
never one query per row. Visited keys make cycles and self-references terminate. The queries of
one hop do not depend on each other, so each hop is sent as one batch (``batch.py``: a single
round trip on PostgreSQL); the seeds learned from the first hop's rows ride along with the
second hop. Where a batch is one round trip, a hop also looks ahead: the rows referring to the
rows it looks for, up to ``LOOKAHEAD`` levels down through enforced foreign keys, are fetched in
the same batch with nested ``IN (SELECT ...)`` (order items with the orders of a customer);
those rows' own referring rows are then not searched again. The rows found are the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

import sqlalchemy as sa

from steward.datastores.batch import Counter, Statement, pipelines, run_batch
from steward.datastores.connect import Link, Schema, TableInfo
from steward.datastores.identity import Identifiers, candidates, normalise
from steward.datastores.whose import (
    Whose,
    enterable,
    is_account,
    links_into,
    owning_links,
)
from steward.register.taxonomy import IdentityKind

BATCH = 500
# levels of referring rows fetched in the same batch as the rows they refer to, where a batch is
# one round trip (psycopg's pipeline); elsewhere each statement is a round trip of its own, and
# a lookahead would only add queries when the rows it refers to turn out not to exist
LOOKAHEAD = 2
# levels of owning links followed up from a row to find whether it also belongs to someone else
OWNER_DEPTH = 8
ANY_SUBJECT = Whose()
Key = tuple[Any, ...]
RowRef = tuple[str, Key]


@dataclass
class Found:
    """The subject's rows in one datastore, and who else refers to them."""

    rows: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    # parent row -> rows that refer to it through an enforced foreign key (any owner)
    referrers: dict[RowRef, set[RowRef]] = field(default_factory=lambda: defaultdict(set))
    # parent row -> rows that refer to it through a reference only the register declares
    declared: dict[RowRef, set[RowRef]] = field(default_factory=lambda: defaultdict(set))
    # the subject's rows that belong to someone else too (never erased; exported as shared)
    shared: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    deleted: dict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))  # on sight
    # identifiers of other kinds read from the subject's accounts (they seeded the search)
    learned: dict[IdentityKind, set[str]] = field(default_factory=dict)
    # rows found only because the subject's rows refer to them (an address): never searched on
    leaves: dict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))
    sent: Counter = field(default_factory=Counter)

    @property
    def queries(self) -> int:
        return self.sent.statements

    @property
    def round_trips(self) -> int:
        return self.sent.round_trips

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def has(self, table: str, key: Key) -> bool:
        return key in self.rows.get(table, {})

    def kept_by(self, ref: RowRef) -> set[RowRef]:
        """Rows that refer to ``ref`` (a foreign key or a declared reference)."""
        return self.referrers.get(ref, set()) | self.declared.get(ref, set())


Rows = list[dict[str, Any]]
Frontier = dict[str, set[Key]]


@dataclass
class _Lookup:
    """Rows of ``info`` whose ``columns`` hold one of ``values``, and what to do with them.

    A lookahead (``via``, in an enclosing lookup's ``ahead``) finds instead the rows that refer,
    through the links ``via`` names, to the rows the enclosing lookup finds; it rides in the
    same batch with the same values.
    """

    info: TableInfo
    columns: tuple[str, ...]
    values: Iterable[tuple[Any, ...]]
    absorb: Callable[[Rows], None]
    lower: bool = False
    delete: bool = False  # DELETE ... RETURNING instead of SELECT
    via: tuple[Link, ...] = ()
    ahead: list[_Lookup] = field(default_factory=list)


def _batches(values: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _match(table: sa.Table, columns: Sequence[str], values: Sequence[tuple[Any, ...]]) -> Any:
    if len(columns) == 1:
        return table.c[columns[0]].in_([v[0] for v in values])
    return sa.tuple_(*(table.c[c] for c in columns)).in_(values)


def row_keys(info: TableInfo, rows: Rows) -> list[Key]:
    """The key of each row: its row-key columns' values.

    An unkeyed table's rows are keyed by their ``matchable`` values plus an occurrence number, so
    two identical rows stay two rows; ``actions.py`` matches them back on those values.
    """
    if info.primary_key:
        return [tuple(row[c] for c in info.primary_key) for row in rows]
    seen: dict[tuple[Any, ...], int] = defaultdict(int)
    keys = []
    for row in rows:
        values = tuple(row[c] for c in info.matchable)
        keys.append((*values, seen[values]))
        seen[values] += 1
    return keys


def one_of(expression: Any, column: sa.Column[Any], name: str, dialect: str) -> Any:
    """``expression IN :name`` with one SQL text for any number of values.

    PostgreSQL gets ``= ANY(:name)`` (an array of ``column``'s type), so the server prepares it;
    other databases an expanding ``IN``.
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return expression == sa.any_(sa.bindparam(name, type_=ARRAY(column.type)))
    return expression.in_(sa.bindparam(name, expanding=True))


def _test(info: TableInfo, columns: Sequence[str], dialect: str, lower: bool) -> Any:
    """``cols IN :values`` on ``info``'s table."""
    table = info.table
    if len(columns) == 1:
        column = table.c[columns[0]]
        return one_of(sa.func.lower(column) if lower else column, column, "values", dialect)
    return sa.tuple_(*(table.c[c] for c in columns)).in_(sa.bindparam("values", expanding=True))


def _referring(schema: Schema, test: Any, via: Sequence[Link]) -> Any:
    """Rows referring, link after link of ``via``, to the rows ``test`` selects (nested IN)."""
    for link in via:
        parent = schema.tables[link.parent].table
        child = schema.tables[link.child].table
        # correlate(None): a table that refers to itself names itself inside and out
        rows = sa.select(*(parent.c[c] for c in link.to_columns)).where(test).correlate(None)
        if len(link.columns) == 1:
            test = child.c[link.columns[0]].in_(rows)
        else:
            test = sa.tuple_(*(child.c[c] for c in link.columns)).in_(rows)
    return test


def _lookup(schema: Schema, root: _Lookup, lookup: _Lookup, dialect: str) -> Any:
    """A compiled-once ``SELECT * ... WHERE cols IN :values`` for ``lookup``.

    On PostgreSQL a single column uses ``= ANY(:values)``: one SQL text for any number of
    values, so the statement is compiled once and prepared by the server. A lookahead nests
    ``root``'s test in one ``IN (SELECT ...)`` per link. ``delete`` makes it
    ``DELETE ... WHERE ... RETURNING *``.
    """
    info = lookup.info
    key = (root.info.key, root.columns, dialect, root.lower, lookup.via, lookup.delete)
    statement = info.statements.get(key)
    if statement is None:
        test = _test(root.info, root.columns, dialect, root.lower)
        test = _referring(schema, test, lookup.via)
        if lookup.delete:
            statement = sa.delete(info.table).where(test).returning(*info.table.c)
        else:
            statement = sa.select(info.table).where(test)
        info.statements[key] = statement
    return statement


def _run(
    connection: sa.Connection, schema: Schema, found: Found, lookups: Sequence[_Lookup | None]
) -> None:
    """Send every lookup (and its lookaheads) as one batch, then hand each its rows, in order."""
    batch: list[Statement] = []
    owners: list[int] = []
    flat: list[_Lookup] = []
    dialect = connection.dialect.name
    for root in lookups:
        if root is None:
            continue
        distinct = sorted({v for v in root.values if all(x is not None for x in v)}, key=repr)
        riding = [root, *root.ahead]  # enclosing lookups first: their rows are absorbed first
        statements = [
            (len(flat) + i, _lookup(schema, root, x, dialect)) for i, x in enumerate(riding)
        ]
        flat.extend(riding)
        single = len(root.columns) == 1
        for values in _batches(distinct):
            params = [v[0] for v in values] if single else list(values)
            for owner, statement in statements:
                batch.append(Statement(statement, {"values": params}))
                owners.append(owner)
    if not batch:
        return
    rows: dict[int, Rows] = defaultdict(list)
    for index, result in zip(owners, run_batch(connection, batch, found.sent), strict=True):
        rows[index].extend(result)
    for index, lookup in enumerate(flat):
        if index in rows:
            lookup.absorb(rows[index])


def _is_integer(column: sa.Column[Any]) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def _absorb_seed(
    found: Found,
    info: TableInfo,
    column: str,
    kind: IdentityKind,
    targets: set[str],
    region: str | None,
    frontier: Frontier,
    rows: Rows,
) -> None:
    mine = [
        row
        for row in rows  # a spelling asked for may be another number in this region
        if row[column] in targets or normalise(kind, row[column], region) in targets
    ]
    for row, key in zip(mine, row_keys(info, mine), strict=True):
        if key not in found.rows[info.key]:
            found.rows[info.key][key] = row
            frontier[info.key].add(key)


def _seedable(
    schema: Schema, whose: Whose, accounts: bool
) -> list[tuple[TableInfo, str, IdentityKind, bool]]:
    """(table, identity column, kind, integer column) of every table a search for ``whose``
    seeds, worked out once per schema and subject kind; ``accounts=False`` leaves out the
    tables that declare ``subject:``."""
    key = ("seedable", whose.kind, accounts)
    memo = schema.memo.get(key)
    if memo is not None and memo[0] is whose.kinds:
        return cast(list[tuple[TableInfo, str, IdentityKind, bool]], memo[1])
    seedable = []
    for info in schema.tables.values():
        if not enterable(info) or info.spec is None or not info.spec.identity:
            continue
        if not whose.holds(info) or (not accounts and info.spec.subject is not None):
            continue
        for column, kind in info.spec.identity.items():
            if column in info.table.c:
                seedable.append((info, column, kind, _is_integer(info.table.c[column])))
    schema.memo[key] = (whose.kinds, seedable)  # kept: ``is`` stays sound
    return seedable


def _seeds(
    schema: Schema,
    whose: Whose,
    values: dict[IdentityKind, set[str]],
    region: str | None,
    found: Found,
    frontier: Frontier,
    *,
    accounts: bool = True,
) -> list[_Lookup]:
    """Lookups of the rows whose identity columns hold one of ``values``.

    ``accounts=False`` leaves out the tables that declare ``subject:`` (learned identifiers).
    """
    lookups: list[_Lookup] = []
    if not values:
        return lookups
    for info, column, kind, integer in _seedable(schema, whose, accounts):
        targets = values.get(kind)
        if not targets:
            continue
        wanted: list[Any] = sorted({c for v in targets for c in candidates(kind, v)})
        if integer:  # an account id kept in an integer column
            wanted = [int(v) for v in wanted if v.lstrip("-").isdigit()]
            if not wanted:
                continue
        absorb = partial(_absorb_seed, found, info, column, kind, targets, region, frontier)
        lookups.append(
            _Lookup(info, (column,), [(v,) for v in wanted], absorb, kind is IdentityKind.EMAIL)
        )
    return lookups


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


def _index(
    rows: dict[Key, dict[str, Any]], keys: Iterable[Key], columns: Sequence[str]
) -> dict[tuple[Any, ...], list[Key]]:
    by_value: dict[tuple[Any, ...], list[Key]] = defaultdict(list)
    for key in keys:
        row = rows[key]
        by_value[tuple(row[c] for c in columns)].append(key)
    return by_value


def _absorb_inbound(
    found: Found,
    link: Link,
    child: TableInfo,
    parents: dict[tuple[Any, ...], list[Key]] | None,
    entered: bool,
    frontier: Frontier,
    deleted: bool,
    covered: set[Key] | None,
    rows: Rows,
) -> None:
    if parents is None:  # a lookahead: its parents were found in the same batch
        parent_rows = found.rows[link.parent]
        parents = _index(parent_rows, parent_rows, link.to_columns)
    for row, key in zip(rows, row_keys(child, rows), strict=True):
        if covered is not None:
            covered.add(key)
        if deleted:
            found.deleted[child.key].add(key)
        into = found.referrers if link.enforced else found.declared
        for parent_key in parents.get(tuple(row[c] for c in link.columns), []):
            into[(link.parent, parent_key)].add((child.key, key))
        if entered and key not in found.rows[child.key]:
            found.rows[child.key][key] = row
            frontier[child.key].add(key)


@dataclass(frozen=True)
class _Search:
    """What one search looks for, shared by the lookups it plans."""

    schema: Schema
    whose: Whose
    found: Found
    delete_on_sight: frozenset[str]
    covered: dict[str, set[Key]]  # rows whose referring rows a lookahead has already found
    lookahead: int


def _lookahead(
    search: _Search, table: TableInfo, via: tuple[Link, ...], depth: int, frontier: Frontier
) -> list[_Lookup] | None:
    """Lookups of every row referring to ``table``'s rows that the enclosing lookup finds.

    None when they cannot all ride along: no depth left, or a link the database does not
    enforce (a declared reference may join columns of different types, which only values
    bound from the rows found can bridge). The next hop then searches those rows as usual.
    """
    links = links_into(search.schema, search.whose, table.key, followed=True)
    if depth == 0 or any(not link.enforced for link, _ in links):
        return None
    lookups = []
    for link, child in links:
        path = (*via, link)
        deeper = _lookahead(search, child, path, depth - 1, frontier)
        delete = child.key in search.delete_on_sight
        covered = search.covered[child.key] if deeper is not None else None
        absorb = partial(
            _absorb_inbound, search.found, link, child, None, True, frontier, delete, covered
        )
        lookups.append(_Lookup(child, link.columns, (), absorb, delete=delete, via=path))
        lookups.extend(deeper or [])
    return lookups


def _inbound(
    search: _Search, link: Link, child: TableInfo, keys: set[Key], frontier: Frontier
) -> _Lookup:
    """Rows that refer to the subject's rows ``keys`` through ``link`` (orders -> customer),
    with lookaheads for the rows referring to those (their order items), as deep as the
    search's ``lookahead``."""
    found = search.found
    parents = _index(found.rows[link.parent], keys, link.to_columns)
    delete = child.key in search.delete_on_sight
    ahead = _lookahead(search, child, (), search.lookahead, frontier)
    covered = search.covered[child.key] if ahead is not None else None
    absorb = partial(_absorb_inbound, found, link, child, parents, True, frontier, delete, covered)
    return _Lookup(child, link.columns, parents, absorb, delete=delete, ahead=ahead or [])


def _absorb_outbound(found: Found, parent: TableInfo, leaves: Frontier, rows: Rows) -> None:
    for row, key in zip(rows, row_keys(parent, rows), strict=True):
        if key not in found.rows[parent.key]:
            found.rows[parent.key][key] = row
            leaves[parent.key].add(key)


def _outbound(
    search: _Search, link: Link, child_keys: set[Key], leaves: Frontier
) -> _Lookup | None:
    """Rows the subject's rows refer to through ``link`` that hold personal data (an address)."""
    schema, found = search.schema, search.found
    parent = schema.tables.get(link.parent)
    if parent is None or not enterable(parent) or parent.spec is None:
        return None
    if is_account(parent) or not parent.spec.columns or link.direction == "from":
        return None
    if not search.whose.holds(parent):
        return None
    rows = found.rows[link.child]
    values = {tuple(rows[k][c] for c in link.columns) for k in child_keys}
    have = found.rows.get(parent.key, {})
    values -= {tuple(r[c] for c in link.to_columns) for r in have.values()}
    if not values:
        return None  # every row it points to is already the subject's (invoice -> its order)
    return _Lookup(
        parent, link.to_columns, values, partial(_absorb_outbound, found, parent, leaves)
    )


def _absorb_sharers(
    found: Found,
    table: str,
    link: Link,
    child: TableInfo,
    parents: dict[tuple[Any, ...], list[Key]],
    shared: set[Key],
    rows: Rows,
) -> None:
    into = found.referrers if link.enforced else found.declared
    for row, child_key in zip(rows, row_keys(child, rows), strict=True):
        owners = parents.get(tuple(row[c] for c in link.columns), [])
        if found.has(child.key, child_key):
            for owner in owners:
                into[(table, owner)].add((child.key, child_key))
        else:
            shared.update(owners)


def _drop_shared(connection: sa.Connection, schema: Schema, found: Found, leaves: Frontier) -> None:
    """Move outbound-reached rows that a row outside the subject's also refers to into
    ``found.shared`` (an address two customers use)."""
    lookups: list[_Lookup | None] = []
    shared: dict[str, set[Key]] = defaultdict(set)
    for table, keys in leaves.items():
        if not keys:
            continue
        for link in schema.inbound(table):
            child = schema.tables.get(link.child)
            if child is None:
                continue
            parents = _index(found.rows[table], keys, link.to_columns)
            absorb = partial(_absorb_sharers, found, table, link, child, parents, shared[table])
            lookups.append(_Lookup(child, link.columns, parents, absorb))
    _run(connection, schema, found, lookups)
    for table, keys in shared.items():
        for key in keys:
            found.shared[table][key] = found.rows[table].pop(key)


Pending = dict[Link, dict[tuple[Any, ...], list[RowRef]]]


def _pending() -> Pending:
    return defaultdict(lambda: defaultdict(list))


def _absorb_owners(
    search: _Search,
    link: Link,
    values: dict[tuple[str, ...], list[RowRef]],
    elsewhere: set[RowRef],
    later: Pending,
    rows: Rows,
) -> None:
    schema, found = search.schema, search.found
    parent = schema.tables[link.parent]
    for row, key in zip(rows, row_keys(parent, rows), strict=True):
        # values are compared as text: a declared reference may join different types
        origins = values.get(tuple(str(row[c]) for c in link.to_columns), [])
        if found.has(parent.key, key) or key in found.shared.get(parent.key, {}):
            continue  # the subject's own row after all
        if is_account(parent):
            elsewhere.update(origins)
            continue
        for up in owning_links(schema, search.whose, parent.key):
            value = tuple(row[c] for c in up.columns)
            if all(v is not None for v in value):
                later[up][value].extend(origins)


def _owned_elsewhere(connection: sa.Connection, search: _Search, pending: Pending) -> set[RowRef]:
    """The rows in ``pending`` (by the link and value they refer through) that hang from an
    account that is not the subject's, following owning links up one batch per level."""
    schema, found = search.schema, search.found
    elsewhere: set[RowRef] = set()
    for _level in range(OWNER_DEPTH):
        if not pending:
            return elsewhere
        lookups: list[_Lookup | None] = []
        later = _pending()
        for link, values in pending.items():
            parent = schema.tables[link.parent]
            if is_account(parent) and link.enforced:  # the database says that account exists
                elsewhere.update(ref for refs in values.values() for ref in refs)
                continue
            by_text = {tuple(str(v) for v in value): refs for value, refs in values.items()}
            absorb = partial(_absorb_owners, search, link, by_text, elsewhere, later)
            lookups.append(_Lookup(parent, link.to_columns, list(values), absorb))
        _run(connection, schema, found, lookups)
        pending = later
    # deeper than anyone writes a schema: assume someone else owns them (never erased)
    elsewhere.update(ref for values in pending.values() for refs in values.values() for ref in refs)
    return elsewhere


def _settle_owners(connection: sa.Connection, search: _Search, leaves: Frontier) -> None:
    """Move the rows that belong to someone else too into ``found.shared`` (an order with
    another customer's id, paid with the subject's card, and what hangs from it), and drop the
    outbound-reached rows that are someone else's (another customer's card)."""
    schema, whose, found = search.schema, search.whose, search.found
    parents_of: dict[RowRef, list[RowRef]] = defaultdict(list)
    pending = _pending()
    indexes: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], list[Key]]] = {}
    for table, rows in found.rows.items():
        for link in owning_links(schema, whose, table):
            index = indexes.get((link.parent, link.to_columns))
            if index is None:
                mine = found.rows.get(link.parent, {})
                index = indexes[(link.parent, link.to_columns)] = _index(
                    mine, mine, link.to_columns
                )
            for key, row in rows.items():
                value = tuple(row[c] for c in link.columns)
                if any(v is None for v in value):
                    continue
                keys = index.get(value)
                if keys:
                    parents_of[(table, key)].extend((link.parent, k) for k in keys)
                else:
                    pending[link][value].append((table, key))
    if not pending:
        return  # every row hangs from the subject's rows only (the usual case: no query)
    shared = _owned_elsewhere(connection, search, pending)
    changed = bool(shared)
    while changed:  # a row hanging from a shared row is shared
        changed = False
        for ref, parents in parents_of.items():
            if ref not in shared and any(p in shared for p in parents):
                shared.add(ref)
                changed = True
    for table, key in shared:
        if key not in found.rows[table]:
            continue
        row = found.rows[table].pop(key)
        if key in leaves.get(table, ()):
            leaves[table].discard(key)  # someone else's row the subject's rows refer to
        else:
            found.shared[table][key] = row


def find_subject(
    connection: sa.Connection,
    schema: Schema,
    ids: Identifiers,
    *,
    whose: Whose = ANY_SUBJECT,
    delete_on_sight: frozenset[str] = frozenset(),
    lookahead: int | None = None,
    learned: Mapping[IdentityKind, set[str]] | None = None,
    rows: Mapping[str, Iterable[Key]] | None = None,
    reread: Mapping[str, Iterable[Key]] | None = None,
    shared: Mapping[str, Iterable[Key]] | None = None,
    below: tuple[Mapping[str, Mapping[Key, dict[str, Any]]], frozenset[str]] | None = None,
) -> Found:
    """All rows of the subject in this datastore (see the module docstring for the rules).

    ``whose``: the subject kind searched for and the kinds of each table (default: any).
    ``lookahead``: levels of referring rows fetched with the rows they refer to (default
    ``LOOKAHEAD`` where a batch is one round trip, else none); the rows found are the same.
    ``delete_on_sight`` must name only tables whose rows cannot be shared
    (``whose.may_share``): they are gone before anyone knows.
    ``learned``: identifiers learned elsewhere (another datastore's accounts, an earlier
    search); like the ones read here, they seed every table but the accounts.
    ``rows``: keys of rows to start from as well (the check after an erasure re-reads the rows
    the erasure found, and searches on from those still there); ``reread`` and ``shared``: keys
    of rows to re-read into ``Found.rows`` and ``Found.shared`` without searching on from them.
    ``below``: rows (by table) and tables: the rows of those tables that refer to those rows,
    looked for in the first batch (rows an erasure deleted on sight, unread, may still be there).
    """
    found = Found()
    if lookahead is None:
        lookahead = LOOKAHEAD if pipelines(connection) else 0
    search = _Search(schema, whose, found, delete_on_sight, defaultdict(set), lookahead)
    frontier: Frontier = defaultdict(set)
    known = {k: {v} for k in IdentityKind if (v := ids.value(k))}
    given = {k: set(v) for k, v in (learned or {}).items() if v and not known.get(k)}
    first = _seeds(schema, whose, known, ids.region, found, frontier)
    # identifiers learned elsewhere are known now: they ride in the first batch
    first += _seeds(schema, whose, given, ids.region, found, frontier, accounts=False)
    first += _by_keys(schema, found.rows, rows or {}, frontier)
    first += _by_keys(schema, found.rows, reread or {}, defaultdict(set))
    first += _by_keys(schema, found.shared, shared or {}, defaultdict(set))
    if below is not None:
        parents, into = below
        for table, known_rows in parents.items():
            for link, child in links_into(schema, whose, table, followed=True):
                if child.key in into and known_rows:
                    index = _index(dict(known_rows), known_rows, link.to_columns)
                    absorb = partial(
                        _absorb_inbound, found, link, child, index, True, frontier, False, None
                    )
                    first.append(_Lookup(child, link.columns, index, absorb))
    _run(connection, schema, found, first)
    read = _learned(schema, found, known, ids.region)
    found.learned = {
        k: every for k in {*read, *given} if (every := read.get(k, set()) | given.get(k, set()))
    }
    learned = {k: fresh for k, got in read.items() if (fresh := got - given.get(k, set()))}
    leaves: Frontier = defaultdict(set)
    while learned or any(frontier.values()):
        current, frontier = frontier, defaultdict(set)
        # learned seeds first: a row they find is a full member, never a leaf of this hop
        lookups: list[_Lookup | None] = [
            *_seeds(schema, whose, learned, ids.region, found, frontier, accounts=False)
        ]
        learned = {}
        for table, keys in current.items():
            if not keys:
                continue
            unsearched = keys - search.covered[table]
            if unsearched:
                lookups.extend(
                    _inbound(search, link, child, unsearched, frontier)
                    for link, child in links_into(schema, whose, table, followed=True)
                )
            lookups.extend(_outbound(search, link, keys, leaves) for link in schema.outbound(table))
        _run(connection, schema, found, lookups)
        for table, keys in leaves.items():
            # a leaf later reached as an inbound row is a full member and stays searched
            keys.difference_update(current.get(table, set()))
    _settle_owners(connection, search, leaves)
    _drop_shared(connection, schema, found, leaves)
    for table, keys in leaves.items():
        found.leaves[table] = {k for k in keys if k in found.rows.get(table, {})}
    found.rows = defaultdict(dict, {t: r for t, r in found.rows.items() if r})
    return found


def _absorb_keyed(
    into: dict[str, dict[Key, dict[str, Any]]], info: TableInfo, frontier: Frontier, rows: Rows
) -> None:
    for row, key in zip(rows, row_keys(info, rows), strict=True):
        if key not in into[info.key]:
            into[info.key][key] = row
            frontier[info.key].add(key)


def _by_keys(
    schema: Schema,
    into: dict[str, dict[Key, dict[str, Any]]],
    rows: Mapping[str, Iterable[Key]],
    frontier: Frontier,
) -> list[_Lookup]:
    """Lookups of the rows ``rows`` names by key (an unkeyed row by its values)."""
    lookups = []
    for table, keys in rows.items():
        info = schema.tables.get(table)
        if info is None:
            continue
        columns = info.primary_key or info.matchable
        values = [tuple(key[: len(columns)]) for key in keys]
        if columns and values:
            absorb = partial(_absorb_keyed, into, info, frontier)
            lookups.append(_Lookup(info, columns, values, absorb))
    return lookups


def find_referrers(
    connection: sa.Connection,
    schema: Schema,
    found: Found,
    rows: Iterable[RowRef],
    whose: Whose = ANY_SUBJECT,
) -> None:
    """Record in ``found.referrers`` (``found.declared``) the rows outside the search that
    refer to ``rows`` through a foreign key (a declared reference).

    One batch: a query per link into their tables that the search does not follow (from an
    unregistered table, reference data, another subject's account, a table of another kind).
    """
    by_table: dict[str, set[Key]] = defaultdict(set)
    for table, key in rows:
        by_table[table].add(key)
    lookups: list[_Lookup | None] = []
    for table, keys in by_table.items():
        for link, child in links_into(schema, whose, table, followed=False):
            parents = _index(found.rows[table], keys, link.to_columns)
            absorb = partial(
                _absorb_inbound, found, link, child, parents, False, defaultdict(set), False, None
            )
            lookups.append(_Lookup(child, link.columns, parents, absorb))
    _run(connection, schema, found, lookups)


def may_have_referrers(schema: Schema, whose: Whose, table: str) -> bool:
    """Whether rows outside the search could refer to ``table``'s rows (``find_referrers``)."""
    return bool(links_into(schema, whose, table, followed=False))
