"""Tables of the requests domain: requests, their timeline, pauses, codes and attachments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.store.tables import Base, UtcDateTime, utcnow


class SubjectRequest(Base):
    """One request of a data subject, with its clock and the rule that sets it."""

    __tablename__ = "subject_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # the register's subject kind the request is for (customer, employee...); None: filed
    # before kinds were recorded, read as the register's default (``Register.default_subject``)
    subject_kind: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(30), index=True)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    channel: Mapped[str] = mapped_column(String(30), default="privacy-center")
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    account_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    jurisdictions: Mapped[str] = mapped_column(String(200), default="")
    stated_jurisdiction: Mapped[str | None] = mapped_column(String(20), nullable=True)
    details: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    received_on: Mapped[date] = mapped_column(Date)
    clock_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    acknowledge_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    clock_rule: Mapped[str] = mapped_column(String(500), default="")
    clock_jurisdiction: Mapped[str | None] = mapped_column(String(20), nullable=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    paused_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    verification_required: Mapped[bool] = mapped_column(Boolean, default=True)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    verified_by: Mapped[str | None] = mapped_column(String(60), nullable=True)
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("subject_requests.id"), nullable=True, index=True
    )
    assignee: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    """What was done, in English (the API and the CLI show it): as typed, or Steward's line."""
    outcome_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The outcome as its phrase when Steward wrote it (``lib.i18n.Phrase.dump``, JSON), said in
    the reader's language by the admin; NULL for a person's text and older requests."""
    result: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    result_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    result_nonce: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reminded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    proofs: Mapped[list[RequestProof]] = relationship(
        lazy="selectin", order_by="RequestProof.id", cascade="all, delete-orphan"
    )


class RequestProof(Base):
    """One identifier of a request proven, and how: only proven identifiers are searched.

    ``identifier`` is ``email``, ``phone`` or ``account-id``; ``how`` is ``email-code`` (the
    subject entered the code sent to that address), ``operator-assertion`` (the operator's
    backend signed that its signed-in user has it) or ``agent`` (a person recorded their check).
    """

    __tablename__ = "request_proofs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(20))
    how: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RequestEvent(Base):
    """The request's timeline: every transition and action, with who and why."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    """The line in English (the API and the CLI show it): as typed, or Steward's own phrase."""
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Steward's own line as its phrase (``lib.i18n.Phrase.dump``, JSON), said in the reader's
    language by the admin; NULL for a person's text and for entries older than phrases."""


class RequestPause(Base):
    """A stretch of time during which the clock stood still, and the reason the law allows."""

    __tablename__ = "request_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reason: Mapped[str] = mapped_column(String(500))
    citation: Mapped[str] = mapped_column(String(200))


class VerificationCode(Base):
    """A single-use code e-mailed to the subject; only its keyed hash is stored."""

    __tablename__ = "request_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # "identity" proves the e-mail; "result" lets another browser download the result
    purpose: Mapped[str] = mapped_column(String(20), default="identity", server_default="identity")


class RequestAttachment(Base):
    """A document the subject attached (a signed scan), checked by content before storing."""

    __tablename__ = "request_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RequestApproval(Base):
    """An ask to change the operator's data (erasure, restriction, rectification) and its answer.

    ``preview_run`` is the rolled-back execution the approver reads; ``decision`` is
    ``approved``, ``rejected`` or ``no-run`` (an approver's reason why no run is needed).
    """

    __tablename__ = "request_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    asked_by: Mapped[str] = mapped_column(String(320))
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    preview_run: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rectify: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the values previewed
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
