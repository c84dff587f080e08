"""Rows of the consent ledger. Events are append-only and hash-chained; nothing is edited.

- ``ConsentSubject``: a stable Steward id for a person, linked to the operator's identifiers.
- ``ConsentIdentifier``: an identifier of a subject (e-mail, phone, account id, visitor cookie),
  stored only as a keyed hash (HMAC-SHA256), never in plain text.
- ``ConsentArtefact``: the exact text shown (label, banner copy, form, notice), stored once under
  its SHA-256 and never changed; events point at it by hash.
- ``ConsentEvent``: one given / refused / withdrawn / expired event, chained like the audit log.
- ``ConsentReconfirmation``: a mark that consents to a purpose given before a material notice
  change must be asked again (the mark is itself append-only).
- ``ConsentWebhook``: a pending or delivered signed notice of a withdrawal to the operator.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow

ACTIONS = ("given", "refused", "withdrawn", "expired")
METHODS = ("banner", "web-form", "api", "paper", "phone", "gpc", "unsubscribe", "system")
RECORDERS = ("subject", "agent", "guardian", "system")


class ConsentSubject(Base):
    __tablename__ = "consent_subjects"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConsentIdentifier(Base):
    __tablename__ = "consent_identifiers"
    __table_args__ = (UniqueConstraint("kind", "digest", name="uq_consent_identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("consent_subjects.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    # HMAC of (subject, kind, digest) under the identifier key: re-pointing the row at another
    # subject without the key breaks it (``consent.evidence``). NULL: linked before sealing.
    seal: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ConsentArtefact(Base):
    __tablename__ = "consent_artefacts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    notice_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConsentEvent(Base):
    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_subject", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    receipt_id: Mapped[str] = mapped_column(String(36), unique=True)
    subject_id: Mapped[str] = mapped_column(String(36), ForeignKey("consent_subjects.id"))
    item_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    purpose_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(16))
    notice_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    artefact_sha256: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("consent_artefacts.sha256"), nullable=True
    )
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    evidence: Mapped[str] = mapped_column(Text, default="{}")
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def fields(self) -> dict[str, Any]:
        """What the chain hashes: every column but the id and the hashes themselves."""
        return {
            "at": self.at.astimezone(UTC).isoformat(),
            "receipt_id": self.receipt_id,
            "subject_id": self.subject_id,
            "item_id": self.item_id,
            "purpose_id": self.purpose_id,
            "channel": self.channel,
            "action": self.action,
            "method": self.method,
            "recorded_by": self.recorded_by,
            "notice_version": self.notice_version,
            "artefact_sha256": self.artefact_sha256,
            "lang": self.lang,
            "expires_at": self.expires_at.astimezone(UTC).isoformat() if self.expires_at else None,
            "evidence": json.loads(self.evidence),
        }


class ConsentReconfirmation(Base):
    __tablename__ = "consent_reconfirmations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose_id: Mapped[str] = mapped_column(String(64), index=True)
    notice_version: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConsentWebhook(Base):
    __tablename__ = "consent_webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("consent_events.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
