"""Erasure, restriction and rectification of the subject's rows in one datastore.

    outcomes, writes = plan_erasure(schema, found, register, dialect="postgresql", secret=...)

Nothing here talks to the database: each ``plan_*`` decides per row and returns the outcome per
table with the statements that apply it; the executor sends them as one batch, in order, in the
transaction its search ran in (``batch.py``), or not at all for a dry run.

Erasure decides per row:

- held:    a legal hold is running (see ``holds.py``): the row is restricted, not touched;
- delete:  the table's ``on_erasure`` is ``delete`` (the default when no column names a mask);
           rows in a foreign-key cycle that no delete order can break are masked instead;
- mask:    ``on_erasure: anonymise``, or a row that something kept still refers to through a
           foreign key or a declared reference (a held invoice's order, a customer another
           customer was referred by): its personal columns are masked so that references and
           other subjects' rows stay intact.

Rows the subject shares with someone else (``Found.shared``) are never deleted or masked;
each table's outcome counts them, and the rows they refer to are kept like any kept row's.

Deletes run child-first in passes, so databases that check foreign keys row by row (InnoDB)
never see a dangling reference. Generated columns are never written: the database derives them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, cast

import sqlalchemy as sa

from steward.datastores.batch import Statement
from steward.datastores.connect import Schema, TableInfo
from steward.datastores.graph import (
    Found,
    Key,
    RowRef,
    _batches,
    _match,
    may_have_referrers,
    one_of,
)
from steward.datastores.holds import Hold, hold_for, inherit, legal_purposes
from steward.datastores.masking import mask_rule
from steward.datastores.whose import Whose, may_share, whose_for
from steward.register.models import Purpose, Register, Table
from steward.register.taxonomy import TableAction


@dataclass
class TableOutcome:
    datastore: str
    table: str
    found: int = 0
    deleted: int = 0
    masked: int = 0
    held: int = 0
    restricted: int = 0
    rectified: int = 0
    shared: int = 0  # the subject's rows that belong to someone else too: left untouched
    out_of_scope: int = 0  # an erasure limited to purposes: rows serving another one, untouched
    # after an erasure, what the check found still there and why: held, masked, shared, residual
    left: dict[str, int] | None = None
    keyed: bool = True  # False: the table has no primary or unique key (rows matched on values)
    unrecorded: int = 0  # restricted rows neither flagged in the table nor in Steward's list
    holds: list[dict[str, Any]] = field(default_factory=list)
    restricted_keys: list[list[Any]] = field(default_factory=list)
    masked_keys: list[list[Any]] = field(default_factory=list)
    # per restricted key, in the same order: (reason, until ISO date or None)
    row_holds: list[tuple[str, str | None]] = field(default_factory=list)
    # per restricted key, in the same order: how Steward's restriction list names the row
    # (``seals.row_key``: the key as JSON, or a keyed digest for a table without a key)
    listed_keys: list[str] = field(default_factory=list)
    # rows an earlier request left held for this subject, re-read now and still there
    kept: int = 0
    # rows of a table without a key listed for this subject that cannot be read back
    # (nothing to find them by): counted from the list, not seen
    kept_unread: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            k: v for k, v in self.__dict__.items() if not k.endswith("_keys") and k != "row_holds"
        }


def personal_columns(info: TableInfo) -> list[str]:
    spec = info.spec
    if spec is None:
        return []
    names = dict.fromkeys([*spec.identity, *spec.columns])
    return [n for n in names if n in info.table.c and n not in info.generated]


def masked_columns(info: TableInfo) -> list[str]:
    """The columns a mask replaces: the personal ones, but not a key the register only uses
    to identify the subject."""
    spec = info.spec
    assert spec is not None
    return [c for c in personal_columns(info) if c not in info.primary_key or spec.columns.get(c)]


def _by_keys(
    dialect: str,
    info: TableInfo,
    name: tuple[str, ...],
    build: Callable[[Any], Any],
    keys: Sequence[Key],
    params: dict[str, Any] | None = None,
) -> list[Statement]:
    """``build(test)`` restricted to the rows ``keys`` name, in batches.

    A one-column key is matched with ``graph.one_of``: one SQL text for any number of keys,
    built once per table (kept under ``name``); on PostgreSQL the server prepares it. An unkeyed
    table's rows are matched one by one on their ``matchable`` values.
    """
    extra = params or {}
    if not info.primary_key:
        return _by_values(info, name, build, keys, extra)
    if len(info.primary_key) == 1:
        statement = info.statements.get(name)
        if statement is None:
            column = info.table.c[info.primary_key[0]]
            statement = info.statements[name] = build(
                one_of(column, column, "steward_keys", dialect)
            )
        return [
            Statement(statement, {**extra, "steward_keys": [k[0] for k in batch]})
            for batch in _batches(keys)
        ]
    return [
        Statement(build(_match(info.table, info.primary_key, list(batch))), extra)
        for batch in _batches(keys)
    ]


def _by_values(
    info: TableInfo,
    name: tuple[Any, ...],
    build: Callable[[Any], Any],
    keys: Sequence[Key],
    extra: dict[str, Any],
) -> list[Statement]:
    """``build(test)`` for each row of an unkeyed table, matched on every matchable column.

    NULL matches NULL. The values travel as parameters, so one statement per pattern of NULLs
    is built and kept; no subject's value is ever part of a kept statement.
    """
    if not info.matchable:
        return []  # nothing to match its rows on: they stay, and the check after says so
    table = info.table
    statements = []
    for key in dict.fromkeys(keys):
        values = key[: len(info.matchable)]
        nulls = tuple(v is None for v in values)
        statement = info.statements.get((*name, "by-values", nulls))
        if statement is None:
            test = sa.and_(
                *(
                    table.c[c].is_(None)
                    if null
                    else table.c[c] == sa.bindparam(f"m_{i}", type_=table.c[c].type)
                    for i, (c, null) in enumerate(zip(info.matchable, nulls, strict=True))
                )
            )
            statement = info.statements[(*name, "by-values", nulls)] = build(test)
        matched = {f"m_{i}": v for i, v in enumerate(values) if v is not None}
        statements.append(Statement(statement, {**extra, **matched}))
    return statements


def hold_order(hold: Hold) -> tuple[date, str]:
    """Holds in date order, the ones without a known end last."""
    return (hold.until or date.max, hold.purpose)


def erasure_action(spec: Table) -> TableAction:
    """The register's ``on_erasure``, or ``anonymise`` when a column names a mask, else delete."""
    if spec.on_erasure:
        return spec.on_erasure
    masked = any(c.mask for c in spec.columns.values())
    return TableAction.ANONYMISE if masked else TableAction.DELETE


@dataclass(frozen=True)
class _Rules:
    """What the register says about erasing each table, worked out once per schema."""

    legal: dict[str, list[Purpose]]  # purposes that may hold a row by law
    action: dict[str, TableAction]
    on_sight: frozenset[str]
    referred: dict[str, bool]  # rows outside the search may refer to the table's rows


def _rules(schema: Schema, register: Register, whose: Whose) -> _Rules:
    memo = schema.memo.get(("erasure", whose.kind))
    if memo is not None and memo[0] is register:
        return cast(_Rules, memo[1])
    legal: dict[str, list[Purpose]] = {}
    action: dict[str, TableAction] = {}
    for info in schema.tables.values():
        if info.spec is not None:
            legal[info.key] = legal_purposes(register, info.spec)
            action[info.key] = erasure_action(info.spec)
    on_sight = frozenset(
        info.key
        for info in schema.tables.values()
        if info.spec is not None
        and info.spec.subject is None
        and not info.spec.reference_data
        and action[info.key] is TableAction.DELETE
        and not legal[info.key]
        and not schema.inbound(info.key)
        and not may_share(schema, whose, info.key)
    )
    referred = {key: may_have_referrers(schema, whose, key) for key in schema.tables}
    rules = _Rules(legal, action, on_sight, referred)
    # the register is kept, so ``is`` stays sound
    schema.memo[("erasure", whose.kind)] = (register, rules)
    return rules


def deletable_on_sight(
    schema: Schema, register: Register, whose: Whose | None = None
) -> frozenset[str]:
    """Tables whose rows an erasure deletes as soon as the search reaches them.

    A table qualifies when its rows are always deleted (no legal hold can apply, its action is
    ``delete``), nothing refers to it, so no other row can make one of them stay, and none of
    its rows can belong to someone else too (``whose.may_share``).
    """
    return _rules(schema, register, whose or whose_for(schema, register, None)).on_sight


ReferrerSearch = Callable[[set[RowRef]], None]


def _plan(
    schema: Schema,
    found: Found,
    register: Register,
    whose: Whose,
    today: date,
    find_referrers: ReferrerSearch | None,
) -> tuple[dict[str, dict[Key, Hold]], set[RowRef], set[RowRef]]:
    rules = _rules(schema, register, whose)
    held: dict[str, dict[Key, Hold]] = defaultdict(dict)
    delete: set[RowRef] = set()
    mask: set[RowRef] = set()
    for table, rows in found.rows.items():
        spec = schema.tables[table].spec
        assert spec is not None
        legal = rules.legal[table]
        for key, row in rows.items():
            hold = hold_for(legal, spec, row, today) if legal else None
            if hold is not None:
                held[table][key] = hold
    inherit(schema, found, held, {t for t, purposes in rules.legal.items() if purposes})
    for table, rows in found.rows.items():
        deleting = rules.action[table] is TableAction.DELETE
        for key in rows:
            if key in held.get(table, {}):
                continue
            (delete if deleting else mask).add((table, key))
    _keep_referred(found, delete, mask)
    if find_referrers is not None:
        # only now, and only for rows still to be deleted: the rows outside the subject's that
        # refer to them (another customer referred by this one) make them stay, masked
        candidates = {ref for ref in delete if rules.referred[ref[0]]}
        if candidates:
            find_referrers(candidates)
            _keep_referred(found, delete, mask)
    return held, delete, mask


def _keep_referred(found: Found, delete: set[RowRef], mask: set[RowRef]) -> None:
    """A row something kept refers to cannot go: move it from ``delete`` to ``mask``."""
    changed = True
    while changed:
        changed = False
        for ref in list(delete):
            if any(referrer not in delete for referrer in found.kept_by(ref)):
                delete.discard(ref)
                mask.add(ref)
                changed = True


def linked_columns(schema: Schema, table: str) -> frozenset[str]:
    """Columns of ``table`` that refer to another row (foreign keys and declared references)."""
    return frozenset(c for link in schema.outbound(table) for c in link.columns)


def mask_statements(
    dialect: str,
    info: TableInfo,
    found: Found,
    keys: list[Key],
    secret: bytes,
    linked: frozenset[str],
    only: Sequence[str] | None = None,
) -> list[Statement]:
    """The UPDATEs that mask ``keys``' personal columns (``only`` these, when given)."""
    if not keys:
        return []
    spec = info.spec
    assert spec is not None
    table = info.table
    rules = {
        c: mask_rule(
            spec.columns.get(c),
            table.c[c],
            unique=c in info.unique,
            linked=c in linked,
            secret=secret,
        )
        for c in masked_columns(info)
        if only is None or c in only
    }
    columns = [c for c, rule in rules.items() if rule.kept is None]  # kept columns: no write
    if not columns or not keys:
        return []
    rows = found.rows[info.key]

    def masked(column: str, old: Any) -> Any:
        return None if old is None else rules[column].value(old)

    if all(rules[c].constant for c in columns):
        # every row gets the same values: one UPDATE per batch of keys
        values = {f"v_{i}": rules[c].value(None) for i, c in enumerate(columns)}
        return _by_keys(
            dialect,
            info,
            ("mask", *columns),
            partial(_update_columns, table, columns),
            keys,
            values,
        )
    if not info.primary_key:  # unkeyed: one UPDATE per row, matched on its values
        build = partial(_update_columns, table, columns)
        return [
            statement
            for key in keys
            for statement in _by_keys(
                dialect,
                info,
                ("mask-each", *columns),
                build,
                [key],
                {f"v_{i}": masked(c, rows[key][c]) for i, c in enumerate(columns)},
            )
        ]
    # values differ per row: one statement run once per row (a pipeline or executemany)
    name = ("mask-each", *columns)
    statement = info.statements.get(name)
    if statement is None:
        statement = info.statements[name] = (
            sa.update(table)
            .where(
                sa.and_(
                    *(
                        table.c[k] == sa.bindparam(f"k_{i}", type_=table.c[k].type)
                        for i, k in enumerate(info.primary_key)
                    )
                )
            )
            .values(_assignments(table, columns))
        )
    params = []
    for key in keys:
        row = rows[key]
        entry = {f"k_{i}": v for i, v in enumerate(key)}
        entry.update({f"v_{i}": masked(c, row[c]) for i, c in enumerate(columns)})
        params.append(entry)
    return [Statement(statement, params)]


def _delete(table: sa.Table, test: Any) -> sa.Delete:
    return sa.delete(table).where(test)


def _update(table: sa.Table, values: dict[str, Any], test: Any) -> sa.Update:
    return sa.update(table).where(test).values(values)


def _update_columns(table: sa.Table, columns: Sequence[str], test: Any) -> sa.Update:
    """``UPDATE table SET column = :v_i ... WHERE test`` (built only when not kept already)."""
    return _update(table, _assignments(table, columns), test)


def _assignments(table: sa.Table, columns: Sequence[str]) -> dict[str, Any]:
    """``column = :v_i`` for each column (indexed names: column names may need quoting)."""
    return {c: sa.bindparam(f"v_{i}", type_=table.c[c].type) for i, c in enumerate(columns)}


def _delete_passes(found: Found, delete: set[RowRef]) -> tuple[list[set[RowRef]], set[RowRef]]:
    """Child-first passes over ``delete``, and the rows no order can delete (a cycle)."""
    remaining = set(delete)
    passes: list[set[RowRef]] = []
    while remaining:
        ready = {
            ref
            for ref in remaining
            if not any(r in remaining and r != ref for r in found.referrers.get(ref, ()))
        }
        if not ready:
            return passes, remaining
        passes.append(ready)
        remaining -= ready
    return passes, set()


def _delete_statements(
    dialect: str, schema: Schema, found: Found, passes: list[set[RowRef]]
) -> list[Statement]:
    statements: list[Statement] = []
    for ready in passes:
        by_table: dict[str, list[Key]] = defaultdict(list)
        for table, key in ready:
            if key not in found.deleted.get(table, ()):  # not already deleted on sight
                by_table[table].append(key)
        for table, keys in sorted(by_table.items()):
            info = schema.tables[table]
            statements += _by_keys(
                dialect,
                info,
                ("delete",),
                partial(_delete, info.table),
                sorted(keys, key=repr),
            )
    return statements


def restrict_statements(dialect: str, info: TableInfo, keys: list[Key]) -> list[Statement]:
    """Set the register's restriction flag column on ``keys`` (none without a flag column)."""
    spec = info.spec
    if spec is None or not spec.restrict_column or not keys:
        return []
    flag = spec.restrict_column
    return _by_keys(
        dialect,
        info,
        ("restrict",),
        partial(_update, info.table, {flag: True}),
        keys,
    )


Planned = tuple[list[TableOutcome], list[Statement]]


def plan_erasure(
    schema: Schema,
    found: Found,
    register: Register,
    *,
    dialect: str,
    secret: bytes,
    today: date,
    find_referrers: ReferrerSearch | None = None,
    whose: Whose | None = None,
) -> Planned:
    """Per row: held, deleted or masked, and the statements that do it.

    ``find_referrers(rows)`` is asked, once, for the rows outside the search that refer to the
    rows about to be deleted (``graph.find_referrers``); without it only the referrers the
    search recorded count. ``whose``: the subject kind searched for (default: the register's).
    """
    whose = whose or whose_for(schema, register, None)
    held, delete, mask = _plan(schema, found, register, whose, today, find_referrers)
    passes, stuck = _delete_passes(found, delete)
    while stuck:  # rows in a cycle are masked; rows they referred to may then have to stay
        delete -= stuck
        mask |= stuck
        held_or_kept = mask | {(t, k) for t, keys in held.items() for k in keys}
        blocked = {ref for ref in delete if any(r in held_or_kept for r in found.kept_by(ref))}
        delete -= blocked
        mask |= blocked
        passes, stuck = _delete_passes(found, delete)
    writes = _delete_statements(dialect, schema, found, passes)
    deleted: dict[str, int] = defaultdict(int)
    for table, _ in delete:
        deleted[table] += 1
    masked: dict[str, list[Key]] = defaultdict(list)
    for table, key in mask:
        masked[table].append(key)
    outcomes = []
    for table in sorted({*found.rows, *found.shared}):
        info = schema.tables[table]
        rows = found.rows.get(table, {})
        outcome = TableOutcome(schema.datastore.id, table, found=len(rows))
        outcome.shared = len(found.shared.get(table, {}))
        outcome.deleted = deleted[table]
        mask_keys = sorted(masked[table], key=repr)
        outcome.masked = len(mask_keys)
        outcome.masked_keys = [list(k) for k in mask_keys]
        hold_keys = sorted(held.get(table, {}), key=repr)
        outcome.held = outcome.restricted = len(hold_keys)
        groups: dict[Hold, int] = defaultdict(int)
        for key in hold_keys:
            groups[held[table][key]] += 1
        outcome.holds = [
            {
                "purpose": h.purpose,
                "basis": h.basis_reference,
                "until": h.until.isoformat() if h.until else None,
                "rows": n,
            }
            for h, n in sorted(groups.items(), key=lambda item: hold_order(item[0]))
        ]
        outcome.restricted_keys = [list(k) for k in hold_keys]
        outcome.row_holds = [
            (h.purpose, h.until.isoformat() if h.until else None)
            for h in (held[table][k] for k in hold_keys)
        ]
        writes += mask_statements(
            dialect, info, found, mask_keys, secret, linked_columns(schema, table)
        )
        writes += restrict_statements(dialect, info, hold_keys)
        outcomes.append(outcome)
    return outcomes, writes


def plan_restriction(schema: Schema, found: Found, *, dialect: str) -> Planned:
    """The subject's own rows are restricted (the flag column, Steward's list). Rows they share
    with someone else (``Found.shared``) are not: restricting them would stop the processing
    of a person who asked nothing; each table's ``shared`` counts the rows left in use."""
    outcomes = []
    writes: list[Statement] = []
    for table in sorted({*found.rows, *found.shared}):
        info = schema.tables[table]
        rows = found.rows.get(table, {})
        keys = sorted(rows, key=repr)
        writes += restrict_statements(dialect, info, keys)
        outcome = TableOutcome(schema.datastore.id, table, found=len(rows), restricted=len(keys))
        outcome.shared = len(found.shared.get(table, {}))
        outcome.restricted_keys = [list(k) for k in keys]
        outcomes.append(outcome)
    return outcomes, writes
