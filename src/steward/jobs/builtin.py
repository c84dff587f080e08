"""Built-in jobs: executing a data-subject request on the operator's databases; signing the
chains' heads."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from steward.config import get_settings
from steward.datastores.runs import RunUnavailable, process, stale_runs
from steward.jobs.registry import enqueue, job
from steward.jobs.schedule import periodic
from steward.store.db import make_engine, session_factory


def _factory():  # type: ignore[no-untyped-def]
    return session_factory(make_engine(get_settings().database_url))


@job("execution.run")
def run_execution(run_id: int) -> None:
    """Execute what is left of run ``run_id``; a run another live worker holds is left to it."""
    settings = get_settings()
    try:
        process(
            _factory(),
            run_id,
            secret=settings.secret_key.get_secret_value().encode(),
            worker=f"{socket.gethostname()}:{os.getpid()}",
            lease=timedelta(seconds=settings.job_lease_seconds),
        )
    except RunUnavailable:
        return


def requeue_stale() -> int:
    """Enqueue every run that is queued or whose worker's lease ran out; returns how many."""
    with _factory()() as session:
        ids = stale_runs(session)
    for run_id in ids:
        enqueue("execution.run", run_id=run_id)
    return len(ids)


@periodic("ledger.anchor", every=timedelta(hours=1))
def anchor_chains() -> None:
    """Sign the heads of the audit log and the consent ledger (kept in chain_anchors)."""
    from steward.consent.evidence import sign_heads
    from steward.consent.identity import ConsentKeys
    from steward.store.db import transaction

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            sign_heads(session, ConsentKeys.from_settings(settings).signing_key)
    finally:
        engine.dispose()
