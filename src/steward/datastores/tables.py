"""Steward's own record of executions: runs, their per-datastore steps, exports, restrictions.

A run's state lives here, never only in a broker or a cache: a worker claims a run by a
conditional UPDATE that sets a lease, and a run whose lease ran out (its worker died) is
claimed again by the next worker. Each datastore is one step: its plan (counts, keys, holds) is
recorded here, then the operator's database commits, then the step is marked done here; a crash
in between is reconciled on resume against the recorded plan.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow


class ExecutionRun(Base):
    __tablename__ = "execution_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(default=False)
    identifiers: Mapped[str] = mapped_column(Text)  # JSON; needed to resume after a crash
    options: Mapped[str] = mapped_column(Text, default="{}")  # JSON (rectification values)
    language: Mapped[str] = mapped_column(String(8), default="en")
    register_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the subject request this run carries out (None for runs started from the CLI)
    request_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # equals request_id while the run is open, NULL once it ended: unique, so a request has at
    # most one open run and two executions never overwrite each other
    open_for: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True, index=True)
    steps_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ExecutionStep(Base):
    __tablename__ = "execution_steps"
    __table_args__ = (UniqueConstraint("run_id", "datastore"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("execution_runs.id"), index=True)
    datastore: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    # what the step is about to commit in the operator's database (counts, keys, holds),
    # recorded before the COMMIT so a crash between the two can be reconciled on resume
    plan: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ExecutionExport(Base):
    __tablename__ = "execution_exports"

    run_id: Mapped[int] = mapped_column(ForeignKey("execution_runs.id"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Restriction(Base):
    """A row Steward keeps restricted: held by law after an erasure, or restricted on request."""

    __tablename__ = "restrictions"
    __table_args__ = (UniqueConstraint("datastore", "table_name", "row_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    datastore: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(200))
    row_key: Mapped[str] = mapped_column(String(500))  # canonical JSON of the primary key
    reason: Mapped[str] = mapped_column(String(100))  # "request" or the holding purpose id
    until: Mapped[date | None] = mapped_column(Date, nullable=True)
    reference: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RestrictionSubject(Base):
    """A keyed digest of an identifier of the subject whose rows a run left restricted
    (``seals.subject_seals``): a later request by that identifier finds the rows kept."""

    __tablename__ = "restriction_subjects"
    __table_args__ = (UniqueConstraint("seal", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seal: Mapped[str] = mapped_column(String(80), index=True)
    reference: Mapped[str] = mapped_column(String(100))  # the request whose run restricted
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
