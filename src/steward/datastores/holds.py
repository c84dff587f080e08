"""Legal holds: rows a legal obligation still requires us to keep.

A table's purposes are its ``purposes:`` in the register, or else every purpose that covers one
of its columns' categories. When one of them has the legal basis ``legal-obligation`` and a
retention period that has not run out for a row, the row is held: erasure restricts it instead,
and the result says which purpose holds it and until when. The period counts from the row's
``collected_at`` column (or the table's retention column); a row without a date is held with an
unknown end, because deleting what the law says to keep cannot be undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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


def hold_for(purposes: list[Purpose], spec: Table, row: dict[str, Any], today: date) -> Hold | None:
    """The longest running legal hold on ``row``, or None when it may be erased now."""
    column = spec.collected_at or (spec.retention.column if spec.retention else None)
    start = _as_date(row.get(column)) if column else None
    best: Hold | None = None
    for purpose in purposes:
        assert purpose.retention is not None
        if start is None:
            return Hold(purpose.id, purpose.basis_reference, None)
        until = purpose.retention.duration.after(start)
        if until > today and (best is None or (best.until is not None and until > best.until)):
            best = Hold(purpose.id, purpose.basis_reference, until)
    return best
