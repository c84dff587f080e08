"""Steward's own record of the scheduler: each periodic job's last and next run, and leases.

A lease row (``job_leases``) names the one process allowed to act as the scheduler until a
moment; a process takes it over only when it has run out, by a conditional UPDATE, so two
schedulers never fire the same job.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow


class ScheduledJob(Base):
    __tablename__ = "job_schedule"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    every_seconds: Mapped[int] = mapped_column(Integer)
    next_run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class JobLease(Base):
    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    until: Mapped[datetime] = mapped_column(UtcDateTime)
