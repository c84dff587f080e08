"""Filing drafts: each generated notification to Roskomnadzor, its status and its history.

One row per draft. A new draft of the same kind supersedes the open one (``status`` becomes
``superseded``); filing is recorded on the row (``filed_on``, ``registry_number``, who). The
rows of an operator and kind, oldest first, are the history the Filings page shows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow

STATUSES = ("draft", "filed", "superseded")


class FilingDraft(Base):
    __tablename__ = "filing_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    register_sha256: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    fields: Mapped[str] = mapped_column(Text)  # JSON: rkn.Draft.fields
    missing: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    changes: Mapped[str] = mapped_column(Text, default="[]")  # JSON: against the last filed
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    event_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_citation: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    registry_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    filed_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    reminded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
