"""Tables of retention: holds on records or tables, and each sweep with its destruction act."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow


class RetentionHold(Base):
    """A hold that wins over retention: one record (``row_key``) or a whole table (``*``)."""

    __tablename__ = "retention_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    datastore: Mapped[str] = mapped_column(String(64), index=True)
    table_name: Mapped[str] = mapped_column(String(200))
    row_key: Mapped[str] = mapped_column(String(500))  # canonical JSON of the key, or "*"
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[date | None] = mapped_column(Date, nullable=True)
    set_by: Mapped[str] = mapped_column(String(320))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(320), nullable=True)


class RetentionRun(Base):
    """One sweep: when, who or what started it, what it destroyed, and its act."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    trigger: Mapped[str] = mapped_column(String(40))  # schedule, cli, admin:<who>
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), index=True)  # running, done, partial, failed
    result: Mapped[str] = mapped_column(Text, default="{}")  # JSON: per datastore and table
    destroyed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    act_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    act_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    @property
    def subjects(self) -> int | None:
        """How many subjects' data the sweep destroyed, where its tables tell (None: none of
        them does, or the sweep was recorded before subjects were counted)."""
        found = json.loads(self.result or "{}").get("subjects")
        if not isinstance(found, dict) or not found.get("told_in"):
            return None
        return int(found["count"])
