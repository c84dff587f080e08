"""Periodic jobs: what the scheduler fires, and how often.

    @periodic("outbox.deliver", every=timedelta(seconds=15))
    def deliver_outbox() -> None: ...

A periodic job is an ordinary job (``@job``) with an interval; it takes no arguments, must be
idempotent (the scheduler may fire it twice after a crash) and claims its own work in the store.
The scheduler (embedded in ``steward serve``, or the elected leader in distributed mode) fires each
one on its runner; ``periodic_jobs()`` lists them for the scheduler and the Settings page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

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
        return job(name)(fn)

    return decorate


def periodic_jobs() -> list[Periodic]:
    """Every registered periodic job, sorted by name."""
    _load_builtin()
    return sorted(_PERIODIC.values(), key=lambda p: p.name)
