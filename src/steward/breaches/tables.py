"""Tables of the breach register: incidents, their timeline, duties done, letters dispatched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow


class Incident(Base):
    """One personal-data breach (or a report of one still to be triaged)."""

    __tablename__ = "breach_incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # reported, open, closed
    source: Mapped[str] = mapped_column(String(20))  # admin, api, public
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    occurred_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    nature: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    consequences: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(500), default="")
    datastores: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of datastore ids
    categories: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of category ids
    risk: Mapped[str] = mapped_column(String(20), default="unassessed")  # low, high
    risk_reason: Mapped[str] = mapped_column(Text, default="")
    reporter_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    register_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # in force then
    # Affected subjects, as the last count found them (a job; see breaches/affected.py).
    count_state: Mapped[str] = mapped_column(String(20), default="not-counted")
    subjects_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON {category: records}
    channels: Mapped[str] = mapped_column(Text, default="{}")  # JSON {channel: letters}
    count_problems: Mapped[str] = mapped_column(Text, default="{}")  # JSON {datastore: why}
    counted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    subjects_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closing_note: Mapped[str] = mapped_column(Text, default="")


class IncidentEvent(Base):
    """The incident's timeline: every step, who took it and when (also in the audit log)."""

    __tablename__ = "breach_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("breach_incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(80), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    """The step in English (the evidence, the audit log): as typed, or Steward's own line."""
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Steward's own line as its phrase (``lib.i18n.Phrase.dump``, JSON), said in the reader's
    language by the admin; NULL for a person's text and for rows older than migration 0043."""


class DutyDone(Base):
    """A notification duty carried out: who sent it to the authority, when, its reference."""

    __tablename__ = "breach_duties_done"
    __table_args__ = (UniqueConstraint("incident_id", "duty_id", name="uq_breach_duty_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("breach_incidents.id"), index=True)
    duty_id: Mapped[str] = mapped_column(String(60))
    done_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(320))
    reference: Mapped[str] = mapped_column(String(200), default="")


class LetterDispatch(Base):
    """One letter to one affected subject by one channel; the recipient only as a digest."""

    __tablename__ = "breach_letters"
    __table_args__ = (
        UniqueConstraint(
            "incident_id", "channel", "recipient_digest", name="uq_breach_letter_once"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("breach_incidents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # email, sms, call
    recipient_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # queued, sent, failed, to-call, called
    outbox_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)  # call list only
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)  # the letter's language
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)
