"""Legal holds: rows a legal obligation still requires us to keep.

A table's purposes are its ``purposes:`` in the register, or else every purpose that covers one
of its columns' categories. When one of them has the legal basis ``legal-obligation`` and a
retention period that has not run out for a row, the row is held: erasure restricts it instead,
and the result says which purpose holds it and until when. The period counts as the purpose's
``retention.from`` says (``law.counting.retention_end``): from the row's ``collected_at``
column (or the table's retention column), from the end of that date's calendar year
(``year-end``), or from today for ``contract-end`` (the erasure ends the contract). A row
without a date of its own is held as long as the row it belongs to (an invoice line, its
invoice); one with neither is held with an unknown end, because deleting what the law says to
keep cannot be undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from steward.datastores.connect import Schema
from steward.datastores.graph import Found, Key
from steward.law.counting import retention_end
from steward.register.models import Purpose, Register, Table
from steward.register.taxonomy import LegalBasis


@dataclass(frozen=True)
class Hold:
    purpose: str
    basis_reference: str | None
    until: date | None


def table_purposes(register: Register, spec: Table) -> list[Purpose]:
    if spec.purposes:
        return [p for p in register.purposes if p.id in spec.purposes]
    seen: dict[str, Purpose] = {}
    for column in spec.columns.values():
        for purpose in register.purposes_covering(column.category):
            seen[purpose.id] = purpose
    return list(seen.values())


def purposeless(register: Register, spec: Table) -> bool:
    """A personal table nothing in the register says why it is kept: no ``purposes:`` and no
    purpose covering its columns' categories (``datastores test`` and execution refuse it)."""
    return bool(spec.columns) and not spec.reference_data and not table_purposes(register, spec)


def legal_purposes(register: Register, spec: Table) -> list[Purpose]:
    return [
        p
        for p in table_purposes(register, spec)
        if p.basis is LegalBasis.LEGAL_OBLIGATION and p.retention is not None
    ]


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def date_column(spec: Table) -> str | None:
    """The column a row's retention counts from: ``collected_at``, else ``retention.column``."""
    return spec.collected_at or (spec.retention.column if spec.retention else None)


def hold_for(purposes: list[Purpose], spec: Table, row: dict[str, Any], today: date) -> Hold | None:
    """The longest running legal hold on ``row``, or None when it may be erased now.

    Each purpose counts from its ``retention.from`` (``law.counting.retention_end``). A row
    whose period needs a date it does not have is held with ``until=None``; ``inherit`` then
    gives it the hold of the row it belongs to, if any.
    """
    column = date_column(spec)
    start = _as_date(row.get(column)) if column else None
    best: Hold | None = None
    for purpose in purposes:
        assert purpose.retention is not None
        until = retention_end(purpose.retention.duration, purpose.retention.from_, start, today)
        if until is None:
            return Hold(purpose.id, purpose.basis_reference, None)
        if until > today and (best is None or (best.until is not None and until > best.until)):
            best = Hold(purpose.id, purpose.basis_reference, until)
    return best


def inherit(
    schema: Schema,
    found: Found,
    held: dict[str, dict[Key, Hold]],
    legal_tables: set[str],
) -> None:
    """Rows held without a date of their own (invoice lines) are held as long as their parent.

    A row held with an unknown end that refers (foreign key or declared reference) to rows of
    the subject in tables with legal holds takes the latest end among those parents, under its
    own purpose; when none of them is held any longer it is not held either. A row without
    such a parent keeps its unknown end (``datastores test`` warns about its table).
    """
    index: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], list[Key]]] = {}
    changed = True
    while changed:
        changed = False
        for table, rows in held.items():
            for key, hold in list(rows.items()):
                if hold.until is not None:
                    continue
                parents = _parent_holds(schema, found, held, legal_tables, table, key, index)
                if parents is None or any(p is not None and p.until is None for p in parents):
                    continue  # no parent to count from, or a parent still undecided
                dated = [p.until for p in parents if p is not None and p.until is not None]
                if dated:
                    rows[key] = Hold(hold.purpose, hold.basis_reference, max(dated))
                else:
                    del rows[key]  # every parent may go: so may this row
                changed = True


def _parent_holds(
    schema: Schema,
    found: Found,
    held: dict[str, dict[Key, Hold]],
    legal_tables: set[str],
    table: str,
    key: Key,
    index: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], list[Key]]],
) -> list[Hold | None] | None:
    """The holds (None: not held) of the subject's rows that ``key`` refers to in legal tables;
    None when it refers to none. ``index`` keeps each parent table's rows by referred values."""
    row = found.rows[table][key]
    parents: list[Hold | None] = []
    for link in schema.outbound(table):
        if link.parent not in legal_tables or link.parent == table:
            continue
        by_values = index.get((link.parent, link.to_columns))
        if by_values is None:
            by_values = index[(link.parent, link.to_columns)] = {}
            for parent_key, parent in found.rows.get(link.parent, {}).items():
                values = tuple(parent.get(c) for c in link.to_columns)
                by_values.setdefault(values, []).append(parent_key)
        for parent_key in by_values.get(tuple(row.get(c) for c in link.columns), []):
            parents.append(held.get(link.parent, {}).get(parent_key))
    return parents or None
