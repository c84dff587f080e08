"""Rows kept for the subject by earlier requests: read back, and reported with their reasons.

    kept = read_listed(connection, schema, found, listed, secret)    # still there, by table
    add_kept(outcome.tables, kept, register, "app")                  # counts and holds

After an erasure the subject's account is masked, so a later request by the same e-mail no
longer reaches the invoices a legal hold kept. Steward's restriction list knows them
(``runs.py`` finds the entries by the seals of the request's identifiers); this module reads
them back in the operator's database, in the request's transaction, so a row is reported kept
only while it is there. A row of a table without a key is read back by its reference columns
and recognised by its seal; one with no reference column to find it by is counted from the
list as ``kept_unread``, never as seen.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from steward.datastores.actions import TableOutcome
from steward.datastores.connect import Schema
from steward.datastores.graph import ANY_SUBJECT, Found, Key, _match, find_subject, row_keys
from steward.datastores.identity import Identifiers
from steward.datastores.seals import is_sealed, row_key
from steward.register.models import Register


@dataclass(frozen=True)
class Listed:
    """An entry of Steward's restriction list kept for this subject by an earlier request."""

    row_key: str
    reason: str
    until: date | None
    reference: str


@dataclass
class Kept:
    rows: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    entries: dict[str, list[Listed]] = field(default_factory=lambda: defaultdict(list))
    unread: dict[str, list[Listed]] = field(default_factory=lambda: defaultdict(list))


def read_listed(
    connection: sa.Connection,
    schema: Schema,
    found: Found,
    listed: Mapping[str, Sequence[Listed]],
    secret: bytes,
) -> Kept:
    """The listed rows still in the database and not found by this request's own search."""
    kept = Kept()
    keyed: dict[str, list[Key]] = {}
    sealed: dict[str, list[Listed]] = {}
    for table, entries in listed.items():
        info = schema.tables.get(table)
        if info is None:
            continue
        for entry in entries:
            if info.primary_key and not is_sealed(entry.row_key):
                keyed.setdefault(table, []).append(tuple(json.loads(entry.row_key)))
            elif not info.primary_key and is_sealed(entry.row_key):
                sealed.setdefault(table, []).append(entry)
    by_text = {(t, e.row_key): e for t, entries in listed.items() for e in entries}
    if keyed:
        again = find_subject(
            connection, schema, Identifiers(region=None), whose=ANY_SUBJECT, reread=keyed
        )
        # their owner (the masked account) is not found now, so the search may take them for
        # someone else's: they are read back either way
        for table in {*again.rows, *again.shared}:
            info = schema.tables[table]
            rows = {**again.shared.get(table, {}), **again.rows.get(table, {})}
            for key, row in rows.items():
                hit = by_text.get((table, row_key(secret, schema, info, key, row)))
                if hit is not None and not found.has(table, key):
                    kept.rows[table][key] = row
                    kept.entries[table].append(hit)
    for table, entries in sealed.items():
        info = schema.tables[table]
        locators: dict[tuple[str, ...], set[tuple[Any, ...]]] = defaultdict(set)
        for entry in entries:
            where = json.loads(entry.row_key)[1]
            if not where:
                kept.unread[table].append(entry)
                continue
            columns = tuple(sorted(where))
            locators[columns].add(tuple(where[c] for c in columns))
        for columns, values in locators.items():
            result = connection.execute(
                sa.select(info.table).where(_match(info.table, columns, sorted(values, key=repr)))
            )
            read = [dict(r._mapping) for r in result]
            for key, row in zip(row_keys(info, read), read, strict=True):
                hit = by_text.get((table, row_key(secret, schema, info, key, row)))
                if hit is not None and not found.has(table, key):
                    kept.rows[table][key] = row
                    kept.entries[table].append(hit)
    return kept


def add_kept(outcomes: list[TableOutcome], kept: Kept, register: Register, datastore: str) -> None:
    """Each table's ``kept`` and ``kept_unread`` counts, and its holds, one per reason, end
    date and earlier request (``request``), as that request recorded them."""
    purposes = {p.id: p for p in register.purposes}
    by_table = {t.table: t for t in outcomes}
    for table in sorted({*kept.entries, *kept.unread}):
        outcome = by_table.get(table)
        if outcome is None:
            outcome = by_table[table] = TableOutcome(datastore, table)
            outcomes.append(outcome)
        outcome.kept = len(kept.entries.get(table, ()))
        outcome.kept_unread = len(kept.unread.get(table, ()))
        groups: dict[tuple[str, date | None, str], int] = defaultdict(int)
        for entry in (*kept.entries.get(table, ()), *kept.unread.get(table, ())):
            groups[(entry.reason, entry.until, entry.reference)] += 1
        for (reason, until, reference), rows in sorted(
            groups.items(), key=lambda g: (g[0][1] or date.max, g[0][0], g[0][2])
        ):
            purpose = purposes.get(reason)
            outcome.holds.append(
                {
                    "purpose": reason,
                    "basis": purpose.basis_reference if purpose else None,
                    "until": until.isoformat() if until else None,
                    "rows": rows,
                    "request": reference,
                }
            )
    outcomes.sort(key=lambda t: t.table)
