"""Periodic jobs: what the scheduler fires, and how often.

    @periodic("outbox.deliver", every=timedelta(seconds=15))
    def deliver_outbox() -> None: ...

A periodic job is an ordinary job (``@job``) with an interval; it takes no arguments, returns
a short note for the Settings page (e.g. "3 reminder(s)") or None, must be idempotent (a job
may run twice after a crash) and claims its own work in the store. The scheduler
(``jobs/scheduler.py``: embedded in ``steward serve``, or ``steward scheduler``; one leader at a
time) fires each on its runner and records its last and next run in ``job_schedule``;
``periodic_jobs()`` lists them for the scheduler and the Settings page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from steward.jobs.registry import JobFn, _load_builtin, job


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    description: str


_PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, *, every: timedelta) -> Callable[[JobFn], JobFn]:
    """Register ``fn`` as job ``name``, fired by the scheduler every ``every``."""
    if every <= timedelta(0):
        raise ValueError(f"periodic job '{name}' needs a positive interval, not {every}")

    def decorate(fn: JobFn) -> JobFn:
        doc = (fn.__doc__ or "").strip().splitlines()
        _PERIODIC[name] = Periodic(name, every, doc[0] if doc else name)

        @functools.wraps(fn)
        def recorded(**payload: Any) -> Any:
            from steward.jobs.scheduler import record_finish

            try:
                result = fn(**payload)
            except Exception as exc:
                record_finish(name, "failed", type(exc).__name__)
                raise
            record_finish(name, "done", "" if result is None else str(result))
            return result

        job(name)(recorded)
        return fn

    return decorate


def periodic_jobs() -> list[Periodic]:
    """Every registered periodic job, sorted by name."""
    _load_builtin()
    return sorted(_PERIODIC.values(), key=lambda p: p.name)
