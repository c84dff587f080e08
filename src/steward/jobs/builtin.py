"""Built-in jobs: running a request's execution, and the periodic jobs the scheduler fires.

execution.run          one run (a row in the store) on the operator's databases, then its
                       outcome onto the request (``requests.fulfil.finish_run``)
runs.recover           hands back runs whose worker died, retries whose back-off is over,
                       queued runs whose message was lost; finishes requests whose run ended
                       while nobody reported it
requests.remind        assignee and DPO reminders, N days before the deadline and overdue
consent.expire         permissions whose time ran out get their ``expired`` event
consent.webhooks       signed webhooks that failed before, with their back-off
ledger.anchor          the audit log's and the consent ledger's heads, signed (Ed25519)
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from steward.config import get_settings
from steward.datastores.runs import RunUnavailable, due_runs, process
from steward.datastores.tables import ExecutionRun
from steward.jobs.registry import enqueue, job, store_sessions
from steward.jobs.schedule import periodic
from steward.jobs.scheduler import this_process
from steward.requests.fulfil import Fulfilment
from steward.store.db import transaction
from steward.store.tables import utcnow

if TYPE_CHECKING:
    from steward.consent.service import ConsentService

log = logging.getLogger("steward.jobs")
# a queued run older than this whose message may be lost (broker down when it was queued, or the
# process that queued it died) is handed to the runner again; claiming keeps doubles harmless
QUEUED_GRACE = timedelta(seconds=60)


def _fulfilment() -> Fulfilment:

    return Fulfilment.from_settings(store_sessions(), get_settings())


@job("execution.run")
def run_execution(run_id: int) -> None:
    """Execute what is left of run ``run_id`` and report it on its request.

    A run another live worker holds is left to it. A failure is recorded on the run (with its
    back-off when it may pass) and on the request; this job never retries by itself.
    """
    settings = get_settings()
    from steward.datastores.errors import DatastoreError

    try:
        summary = process(
            store_sessions(),
            run_id,
            secret=settings.secret_key.get_secret_value().encode(),
            worker=this_process(),
            lease=timedelta(seconds=settings.job_lease_seconds),
        )
    except RunUnavailable:
        return
    except DatastoreError as exc:
        log.warning("run %s stopped: %s", run_id, exc)
    else:
        if summary.get("request") is None:
            return  # a run of no subject request (the CLI, a benchmark): nothing to report
    _fulfilment().finish_run(run_id)


def requeue_stale() -> int:
    """Enqueue every run a worker should take now; returns how many."""
    sessions = store_sessions()
    with transaction(sessions) as session:
        ids = due_runs(session, queued_before=utcnow() - QUEUED_GRACE)
        if ids:  # their grace starts again, so a long queue is not re-sent on every tick
            for run in session.scalars(select(ExecutionRun).where(ExecutionRun.id.in_(ids))):
                if run.status == "queued":
                    run.updated_at = utcnow()
    for run_id in ids:
        enqueue("execution.run", run_id=run_id)
    return len(ids)


def _unreported_runs() -> list[int]:
    """Runs that ended while their request is still open and nobody reported them."""
    from steward.requests.states import OPEN
    from steward.requests.tables import SubjectRequest

    with store_sessions()() as session:
        return list(
            session.scalars(
                select(ExecutionRun.id)
                .join(SubjectRequest, SubjectRequest.id == ExecutionRun.request_id)
                .where(
                    ExecutionRun.status.in_(("done", "failed")),
                    ExecutionRun.finished_at > utcnow() - timedelta(days=7),
                    # the job that ran it reports it itself; this is for jobs that died after
                    ExecutionRun.finished_at < utcnow() - timedelta(seconds=30),
                    SubjectRequest.state.in_([s.value for s in OPEN]),
                )
            )
        )


@periodic("runs.recover", every=timedelta(seconds=15))
def recover_runs() -> str:
    """Hand back abandoned and due runs; finish requests whose run ended unreported."""
    handed = requeue_stale()
    fulfil = _fulfilment()
    for run_id in _unreported_runs():
        fulfil.finish_run(run_id)
    return f"{handed} run(s) handed to a worker"


@periodic("requests.remind", every=timedelta(hours=1))
def remind() -> str:
    """Remind assignees and DPOs of requests due soon or overdue (once a day each)."""
    from steward.accounts.tables import Person
    from steward.requests import service

    settings = get_settings()
    with transaction(store_sessions()) as session:
        dpos = list(
            session.scalars(select(Person.email).where(Person.role == "dpo", Person.active))
        )
        sent = service.send_reminders(session, days_before=settings.requests_remind_days, dpos=dpos)
    return f"{sent} request(s) reminded about"


def _consents() -> ConsentService | None:
    from steward.consent.identity import ConsentKeys
    from steward.consent.service import ConsentService
    from steward.register import load_register

    settings = get_settings()
    if settings.register_path is None:
        return None
    return ConsentService(
        load_register(settings.register_path),
        ConsentKeys.from_settings(settings),
        webhook_url=settings.consent_webhook_url,
    )


@periodic("consent.expire", every=timedelta(minutes=5))
def expire_consents() -> str:
    """Append an "expired" event for every permission whose time ran out."""
    service = _consents()
    if service is None:
        return "no register loaded"
    with transaction(store_sessions()) as session:
        count = service.expire_due(session)
    return f"{count} permission(s) expired"


@periodic("consent.webhooks", every=timedelta(minutes=1))
def deliver_webhooks() -> str:
    """Send consent webhooks that are due, failed ones after their back-off."""
    from steward.consent import webhooks
    from steward.consent.identity import ConsentKeys

    settings = get_settings()
    if not settings.consent_webhook_url:
        return "no webhook URL configured"
    keys = ConsentKeys.from_settings(settings)
    with transaction(store_sessions()) as session:
        sent = webhooks.deliver_pending(session, settings.consent_webhook_url, keys.webhook_secret)
    return f"{sent} webhook(s) delivered"


@periodic("ledger.anchor", every=timedelta(hours=1))
def anchor_chains() -> str:
    """Sign the heads of the audit log and the consent ledger (kept in chain_anchors)."""
    from steward.consent.evidence import sign_heads
    from steward.consent.identity import ConsentKeys

    keys = ConsentKeys.from_settings(get_settings())
    with transaction(store_sessions()) as session:
        signed = sign_heads(session, keys.signing_key)
    return f"{len(signed)} chain head(s) signed"
