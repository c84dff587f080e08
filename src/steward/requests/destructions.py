"""Destruction after a withdrawal of consent, scheduled and run by a job.

    schedule(session, request, purposes=["service"], due_at=withdrawn_at + P30D)
    destroy_due()        # the periodic job ``requests.destructions``: every due row becomes
                         # an erasure run limited to those purposes' data

Where a purpose's retention counts ``from: consent-withdrawal`` (152-FZ Art. 21 p.5: destroy
within 30 days once consent is withdrawn), withdrawing consent schedules one row per due date.
When the date comes the job submits an erasure run of the request's proven identifiers,
limited to the tables that serve only those purposes (``ExecutionRequest.scope``; a table that
also serves a purpose with another basis is left as it is), through the same executor, lease
and audit entries as any erasure; the run's result goes on the request's timeline. The row is
claimed by a conditional UPDATE in the transaction that submits the run, so a job that fires
twice queues one run. ``now`` is the job's clock (a test moves it).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.jobs.schedule import periodic
from steward.lib.i18n import N_, Phrase
from steward.requests.states import RequestError
from steward.store.tables import Base, UtcDateTime, utcnow

log = logging.getLogger("steward.requests")
ACTOR = "steward:destructions"


def now() -> datetime:
    """The job's clock."""
    return utcnow()


class ScheduledDestruction(Base):
    """Data of ``purposes`` to destroy for a request's subject once ``due_at`` has come."""

    __tablename__ = "scheduled_destructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    purposes: Mapped[str] = mapped_column(Text)  # JSON list of purpose ids
    rule: Mapped[str] = mapped_column(String(200))  # the retention that set the date
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    @property
    def purpose_ids(self) -> list[str]:
        return list(json.loads(self.purposes))


def schedule(
    session: Session, request_id: int, purposes: list[str], due_at: datetime, rule: str
) -> ScheduledDestruction:
    row = ScheduledDestruction(
        request_id=request_id,
        purposes=json.dumps(sorted(purposes)),
        rule=rule[:200],
        due_at=due_at,
        status="scheduled",
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def pending(session: Session, request_id: int) -> list[ScheduledDestruction]:
    return list(
        session.scalars(
            select(ScheduledDestruction)
            .where(ScheduledDestruction.request_id == request_id)
            .order_by(ScheduledDestruction.due_at)
        )
    )


def _submit(session: Session, row_id: int, moment: datetime) -> int | None:
    """Claim the due row and submit its run; the run id, or None when another job took it or
    the request has a run open (then it is tried again on the next firing)."""
    from steward.datastores import ExecutionRequest
    from steward.datastores.runs import RunAlreadyOpen, submit
    from steward.ledger.audit import record
    from steward.requests import service
    from steward.requests.fulfil import identifiers_of
    from steward.requests.tables import SubjectRequest
    from steward.store.registers import register_in_force

    claimed = session.execute(
        update(ScheduledDestruction)
        .where(ScheduledDestruction.id == row_id, ScheduledDestruction.status == "scheduled")
        .values(status="submitted", submitted_at=moment)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        return None
    row = session.get(ScheduledDestruction, row_id)
    found = session.get(SubjectRequest, row.request_id) if row else None
    assert row is not None and found is not None
    purposes = tuple(json.loads(row.purposes))
    stored = register_in_force(session)
    if stored is None:
        raise RequestError(N_("no register is loaded; the destruction waits for one"))
    register, loaded = stored
    order = ExecutionRequest(
        kind="erasure",
        identifiers=identifiers_of(found),
        reference=found.reference,
        subject=service.subject_kind_of(register, found),  # raises when the kind is gone
        scope=purposes,
        language=found.lang,
    )
    try:
        with session.begin_nested():
            run = submit(
                session,
                order,
                register_id=loaded.id,
                request_id=found.id,
                steps_total=len(register.datastores),
            )
    except RunAlreadyOpen:
        row.status, row.submitted_at = "scheduled", None
        return None
    row.run_id = run.id
    service.record_event(
        session,
        found,
        ACTOR,
        "destruction-queued",
        Phrase(
            N_("destruction run %(run)s: the data of %(purposes)s (%(rule)s), due %(due)s"),
            run=run.id,
            purposes=", ".join(purposes),
            rule=row.rule,
            due=row.due_at.date().isoformat(),
        ),
    )
    record(
        session,
        actor=ACTOR,
        action="requests.destruction",
        object_type="request",
        object_id=found.reference,
        details={"run": run.id, "purposes": list(purposes), "due": row.due_at.isoformat()},
    )
    return run.id


@periodic("requests.destructions", every=timedelta(hours=1))
def destroy_due() -> str:
    """Queue the erasure run of each destruction a withdrawal scheduled, once its day comes."""
    from steward.jobs.registry import store_sessions
    from steward.requests.fulfil import dispatch
    from steward.store.db import transaction

    sessions = store_sessions()
    moment = now()
    with sessions() as session:
        due = list(
            session.scalars(
                select(ScheduledDestruction.id)
                .where(
                    ScheduledDestruction.status == "scheduled",
                    ScheduledDestruction.due_at <= moment,
                )
                .order_by(ScheduledDestruction.due_at)
            )
        )
    queued, waiting = 0, []
    for row_id in due:
        try:
            with transaction(sessions) as session:
                run_id = _submit(session, row_id, moment)
        except RequestError as reason:  # this one waits; the others are not held up by it
            with transaction(sessions) as session:
                waiting.append(_note_waiting(session, row_id, reason))
            continue
        if run_id is not None:
            dispatch(sessions, run_id)
            queued += 1
    if waiting:
        return f"{queued} destruction run(s) queued; {len(waiting)} destruction(s) waiting: " + (
            ", ".join(waiting)
        )
    return f"{queued} destruction run(s) queued"


def _note_waiting(session: Session, row_id: int, reason: RequestError) -> str:
    """Say on the request why its destruction cannot run, once (the row stays scheduled and each
    firing tries it again); the request's reference with the reason."""
    from steward.requests import service
    from steward.requests.tables import RequestEvent, SubjectRequest

    row = session.get(ScheduledDestruction, row_id)
    found = session.get(SubjectRequest, row.request_id) if row else None
    assert row is not None and found is not None
    note = Phrase(
        N_("the destruction due %(due)s waits: %(reason)s"),
        due=row.due_at.date().isoformat(),
        reason=Phrase.of(reason),
    )
    said = session.scalar(
        select(RequestEvent.id).where(
            RequestEvent.request_id == found.id,
            RequestEvent.action == "destruction-waiting",
            RequestEvent.note == str(note),
        )
    )
    if said is None:
        service.record_event(session, found, ACTOR, "destruction-waiting", note)
    log.warning("destruction %s of request %s waits: %s", row.id, found.reference, reason)
    return f"{found.reference} ({reason})"
