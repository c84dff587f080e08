"""The check after an erasure: what is still there, and why.

    residual = check_erasure(connection, schema, ids, whose, found, outcomes)

It searches again, on the committed data, from every identifier the erasure's search used or
learned, and re-reads the key of every row it found (a masked account no longer matches its
e-mail, but its held invoice is still there), in one batch. It searches on from the rows found
that should not be there; a row kept as planned (held, masked) had every row that refers to it
found and re-read already, so searching on from it would only repeat the first search. Each row
found again is, per table:

- ``held``: under a legal hold, kept on purpose;
- ``masked``: kept because something refers to it, its personal columns replaced;
- ``shared``: it belongs to someone else too, so the erasure left it;
- ``residual``: none of those: a delete a trigger skipped, a mask a trigger undid, a row
  written since. The erasure is complete when no table has one.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from steward.datastores.actions import TableOutcome, masked_columns
from steward.datastores.connect import Schema
from steward.datastores.graph import Found, Key, find_subject
from steward.datastores.identity import Identifiers
from steward.datastores.whose import Whose

REASONS = ("held", "masked", "shared", "residual")


def _still_personal(
    schema: Schema, table: str, before: dict[str, Any], after: dict[str, Any]
) -> bool:
    """Whether a row meant to be masked still holds a personal value it held before."""
    info = schema.tables[table]
    spec = info.spec
    assert spec is not None
    for column in masked_columns(info):
        mask = spec.columns.get(column)
        if mask is not None and mask.mask == "year":
            continue  # keeps part of the value on purpose
        value = before.get(column)
        if value not in (None, "") and after.get(column) == value:
            return True
    return False


def _reason(
    schema: Schema,
    table: str,
    key: Key,
    row: dict[str, Any],
    found: Found,
    held: set[Key],
    masked: set[Key],
    shared: bool,
) -> str:
    if key in held:
        return "held"
    if key in masked:
        before = found.rows.get(table, {}).get(key, {})
        return "residual" if _still_personal(schema, table, before, row) else "masked"
    info = schema.tables[table]
    if not info.primary_key and masked:  # unkeyed: a masked row's key was its old values
        personal = set(masked_columns(info))
        for old in masked:
            before = found.rows.get(table, {}).get(old, {})
            same = all(row.get(c) == before.get(c) for c in info.matchable if c not in personal)
            if same and not _still_personal(schema, table, before, row):
                return "masked"
    if shared or key in found.shared.get(table, {}):
        return "shared"
    return "residual"


def check_erasure(
    connection: sa.Connection,
    schema: Schema,
    ids: Identifiers,
    whose: Whose,
    found: Found,
    outcomes: list[TableOutcome],
    on_sight: frozenset[str] = frozenset(),
) -> int:
    """Search again after an erasure committed; fill each table's ``left`` and return the
    number of residual rows (zero when the erasure is complete).

    ``on_sight``: the tables the erasure deleted from as it searched (their rows were never
    read, so the rows of them that refer to a kept row are looked for in the same batch).
    """
    again = find_subject(
        connection,
        schema,
        ids,
        whose=whose,
        learned=found.learned,
        # rows deleted on sight are not re-read by key: DELETE ... RETURNING named only rows it
        # deleted (one a trigger skipped was never returned), and any row of those tables that
        # still refers to a row found is looked for by ``below`` in the same batch
        reread={t: list(r) for t, r in found.rows.items() if t not in on_sight},
        shared={t: list(r) for t, r in found.shared.items()},
        below=(found.rows, on_sight) if on_sight else None,
    )
    kept = {(t.table, tuple(k)) for t in outcomes for k in (*t.restricted_keys, *t.masked_keys)}
    unexpected = {
        t: [k for k in rows if (t, k) not in kept and k not in found.leaves.get(t, ())]
        for t, rows in again.rows.items()
    }
    if any(unexpected.values()):  # a residual row: what refers to it may be left too
        nobody = Identifiers(region=ids.region)  # the identifiers were searched above
        deeper = find_subject(connection, schema, nobody, whose=whose, rows=unexpected)
        for table, rows in deeper.rows.items():
            again.rows[table].update(rows)
    by_table = {t.table: t for t in outcomes}
    for outcome in outcomes:
        outcome.left = dict.fromkeys(REASONS, 0)
    for table in sorted({*again.rows, *again.shared}):
        if table not in by_table:  # nothing of it was found before: all of it is left
            by_table[table] = TableOutcome(schema.datastore.id, table)
            by_table[table].left = dict.fromkeys(REASONS, 0)
            outcomes.append(by_table[table])
        outcome = by_table[table]
        assert outcome.left is not None
        held = {tuple(k) for k in outcome.restricted_keys} if outcome.held else set()
        masked = {tuple(k) for k in outcome.masked_keys}
        for shared, rows_again in (
            (False, again.rows.get(table, {})),
            (
                True,
                {k: r for k, r in again.shared.get(table, {}).items() if not again.has(table, k)},
            ),
        ):
            for key, row in rows_again.items():
                outcome.left[_reason(schema, table, key, row, found, held, masked, shared)] += 1
    return sum((t.left or {}).get("residual", 0) for t in outcomes)
