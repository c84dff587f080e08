"""Published notice versions: immutable rows, each with the register it came from.

- ``NoticeVersion``: number (1, 2, ... per operator), publication time, content hash over every
  rendered document, the register's exact text and hash, the changes since the previous version
  (JSON, see ``diff.Change``), whether any is material, how many announcements were queued.
- ``NoticeDocument``: the rendered notice per language and format, stored as published so an old
  version reads exactly as it did even after Steward's templates change.

Rows are never updated or deleted: the ORM refuses it (see ``_refuse_changes``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow


class ImmutableVersionError(RuntimeError):
    """Someone tried to change or delete a published notice version; publish a new one instead."""


class NoticeVersion(Base):
    __tablename__ = "notice_versions"
    __table_args__ = (UniqueConstraint("operator_id", "number", name="uq_notice_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(320))
    content_sha256: Mapped[str] = mapped_column(String(64))
    register_sha256: Mapped[str] = mapped_column(String(64))
    register_source: Mapped[str] = mapped_column(String(1000))
    register_text: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text, default="[]")
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    announced: Mapped[int] = mapped_column(Integer, default=0)
    # When the version applies: its publication, or after the notice period of a material change
    # under 'effective: after-notice'. None (versions before this column): on publication.
    effective_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    @property
    def applies_from(self) -> datetime:
        return self.effective_at or self.published_at


class NoticeDocument(Base):
    __tablename__ = "notice_documents"
    __table_args__ = (
        UniqueConstraint("version_id", "lang", "format", name="uq_notice_documents_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id"), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)


def _refuse_changes(mapper: object, connection: object, target: object) -> None:
    raise ImmutableVersionError(
        f"{type(target).__name__} rows are immutable; publish a new notice version instead"
    )


for _table in (NoticeVersion, NoticeDocument):
    event.listen(_table, "before_update", _refuse_changes)
    event.listen(_table, "before_delete", _refuse_changes)
