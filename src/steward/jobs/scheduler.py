"""The scheduler: fires each periodic job when it is due, from one process at a time.

    scheduler = Scheduler(sessions, holder="host:pid")
    scheduler.tick()                      # leads (a lease row), fires what is due; returns names
    stop = start_scheduler()              # the same every second in a daemon thread

Any number of processes may run a scheduler (``steward serve`` embeds one, ``steward scheduler``
runs one alone): the one holding the ``job_leases`` row named ``scheduler`` fires, and a slot is
taken by a conditional UPDATE of its run count, so even a leader that paused past its lease
and woke up cannot fire a job the new leader already fired. A fired job runs on the configured
runner (the embedded thread or a Celery worker) and records how it ended in ``job_schedule``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from steward.jobs.schedule import periodic_jobs
from steward.jobs.tables import JobLease, ScheduledJob
from steward.store.db import transaction
from steward.store.tables import utcnow

log = logging.getLogger("steward.jobs")
LEADER = "scheduler"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        holder: str | None = None,
        lease: timedelta = timedelta(seconds=30),
        fire: Callable[[str], Any] | None = None,
    ) -> None:
        self.sessions, self.holder, self.lease = sessions, holder or this_process(), lease
        self._fire = fire

    def lead(self, now: datetime | None = None) -> bool:
        """Take or renew the scheduler's lease; False while another live process holds it."""
        now = now or utcnow()
        with transaction(self.sessions) as session:
            taken = session.execute(
                update(JobLease)
                .where(
                    JobLease.name == LEADER,
                    or_(JobLease.holder == self.holder, JobLease.until < now),
                )
                .values(holder=self.holder, until=now + self.lease)
            )
            if cast(CursorResult[Any], taken).rowcount == 1:
                return True
            if session.get(JobLease, LEADER) is not None:
                return False
        try:
            with transaction(self.sessions) as session:
                session.add(JobLease(name=LEADER, holder=self.holder, until=now + self.lease))
            return True
        except IntegrityError:  # another process created it first
            return False

    def tick(self, now: datetime | None = None) -> list[str]:
        """Fire every periodic job that is due, if this process leads; the names fired."""
        now = now or utcnow()
        if not self.lead(now):
            return []
        jobs = {p.name: p for p in periodic_jobs()}
        with transaction(self.sessions) as session:
            known = {row.name: row for row in session.scalars(select(ScheduledJob))}
            for name, spec in jobs.items():
                every = int(spec.every.total_seconds())
                if name not in known:
                    session.add(
                        ScheduledJob(name=name, every_seconds=every, next_run_at=now, runs=0)
                    )
                elif known[name].every_seconds != every:
                    known[name].every_seconds = every
        fired: list[str] = []
        with transaction(self.sessions) as session:
            due = session.execute(
                select(ScheduledJob.name, ScheduledJob.runs).where(ScheduledJob.next_run_at <= now)
            ).all()
        for name, runs in due:
            found = jobs.get(name)
            if found is None:
                continue  # a job this version no longer has
            spec = found
            with transaction(self.sessions) as session:
                taken = session.execute(
                    update(ScheduledJob)
                    .where(ScheduledJob.name == name, ScheduledJob.runs == runs)
                    .values(
                        next_run_at=now + spec.every,
                        last_started_at=now,
                        last_status="fired",
                        runs=ScheduledJob.runs + 1,
                        updated_at=now,
                    )
                )
                if cast(CursorResult[Any], taken).rowcount != 1:
                    continue  # another scheduler fired this slot
            try:
                self.fire(name)
                fired.append(name)
            except Exception as exc:  # the broker is down: the job fires again next period
                log.warning("could not fire %s: %s", name, type(exc).__name__)
                with transaction(self.sessions) as session:
                    row = session.get(ScheduledJob, name)
                    if row is not None:
                        row.last_status = "not-fired"
                        row.last_note = f"waiting for a worker: {type(exc).__name__}"
        return fired

    def fire(self, name: str) -> Any:
        if self._fire is not None:
            return self._fire(name)
        from steward.jobs.registry import enqueue

        return enqueue(name)

    def run(self, stop: threading.Event, every: float = 1.0) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("the scheduler's tick failed; trying again")
            stop.wait(every)


def schedule_rows(session: Session) -> list[ScheduledJob]:
    """Every periodic job's record (last and next run), for the Settings page."""
    return list(session.scalars(select(ScheduledJob).order_by(ScheduledJob.name)))


def record_finish(name: str, status: str, note: str) -> None:
    """A periodic job ended: write its status and note (``schedule.periodic`` calls this)."""
    from steward.jobs.registry import store_sessions

    try:
        with transaction(store_sessions()) as session:
            row = session.get(ScheduledJob, name)
            if row is not None:
                row.last_finished_at = row.updated_at = utcnow()
                row.last_status, row.last_note = status, note[:2000]
    except Exception:
        log.exception("could not record how %s ended", name)


def start_scheduler(every: float = 1.0) -> threading.Event:
    """Run a scheduler in a daemon thread of this process; set the event to stop it."""
    from steward.jobs.registry import store_sessions

    stop = threading.Event()
    scheduler = Scheduler(store_sessions())
    threading.Thread(
        target=scheduler.run, args=(stop, every), daemon=True, name="steward-scheduler"
    ).start()
    return stop
