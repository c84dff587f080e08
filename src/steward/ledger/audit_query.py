"""Reading the audit log: filters shared by the admin page, the exports and the CLI.

rows = search(session, AuditFilter(actor="dpo@example.com", action="person."), limit=50)
for line in to_jsonl(iter_filtered(session, f)): ...
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from steward.ledger.audit import AuditEntry
from steward.lib.cells import safe_cell

CSV_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "ip",
    "details",
    "previous_hash",
    "hash",
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str = ""
    action: str = ""  # a prefix: "person." matches every person action
    object_type: str = ""
    object_id: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    def apply(self, query: Select[tuple[AuditEntry]]) -> Select[tuple[AuditEntry]]:
        if self.actor:
            query = query.where(AuditEntry.actor == self.actor.strip())
        if self.action:
            query = query.where(AuditEntry.action.startswith(self.action.strip(), autoescape=True))
        if self.object_type:
            query = query.where(AuditEntry.object_type == self.object_type.strip())
        if self.object_id:
            query = query.where(AuditEntry.object_id == self.object_id.strip())
        if self.since:
            query = query.where(AuditEntry.at >= datetime.combine(self.since, time(), UTC))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time(), UTC)
            query = query.where(AuditEntry.at < end)
        return query


def search(
    session: Session, where: AuditFilter, *, before: int | None = None, limit: int = 50
) -> list[AuditEntry]:
    """Newest first; ``before`` an entry id to page further back."""
    query = where.apply(select(AuditEntry))
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def iter_filtered(session: Session, where: AuditFilter, batch: int = 2000) -> Iterator[AuditEntry]:
    """Oldest first, in batches, for exports of any size."""
    last = 0
    while True:
        query = where.apply(select(AuditEntry)).where(AuditEntry.id > last)
        rows = session.scalars(query.order_by(AuditEntry.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def as_dict(entry: AuditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        **entry.fields(),
        "previous_hash": entry.previous_hash,
        "hash": entry.hash,
    }


def to_jsonl(entries: Iterable[AuditEntry]) -> Iterator[str]:
    for entry in entries:
        yield json.dumps(as_dict(entry), ensure_ascii=False, sort_keys=True) + "\n"


def _csv_cell(value: object) -> str:
    """A value as CSV text a spreadsheet never runs (`lib/cells.safe_cell`)."""
    text = "" if value is None else value if isinstance(value, str) else json.dumps(value)
    return safe_cell(text)


def to_csv(entries: Iterable[AuditEntry]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = as_dict(entry)
        writer.writerow([_csv_cell(row[c]) for c in CSV_COLUMNS])
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
