"""Requests executed with their progress in Steward's store: the executor API.

    run = submit(session, ExecutionRequest("erasure", {"email": "a@b.c"}, "REQ-7"), register_id=1)
    result = process(factory, run.id, secret=b"...")      # a job does this; resumable
    result = execute(factory, register, request, secret=b"...")   # both, synchronously

``process`` claims the run with a conditional UPDATE that sets a lease (so two workers never
run it at once, and a run whose worker died is claimed again once the lease runs out; the
lease is renewed after each step), then runs each datastore as one step: the plan (counts,
keys of held and masked rows, holds) is recorded here, the datastore's transaction commits,
then the step is marked done here. A crash after the plan is recorded is reconciled on resume:
when the search finds less than the plan did, the earlier COMMIT landed, so the recorded plan
is the step's result and its held rows still reach the restriction list.
A failure that may pass (a datastore down) leaves the run ``retry`` with ``next_attempt_at``
set by back-off; ``due_runs`` is the one place that hands runs back to workers.
A run linked to a subject request (``request_id``) holds ``open_for`` while it is open, unique,
so one request never has two open runs.
The result is a plain dict (see ``docs/datastores.md``); it never holds personal data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward.datastores.actions import TableOutcome
from steward.datastores.errors import DatastoreError, InvalidRequest, SchemaMismatch
from steward.datastores.executor import DatastoreOutcome, ExecutionRequest, run_on_datastore
from steward.datastores.export import build_zip
from steward.datastores.identity import Identifiers
from steward.datastores.tables import ExecutionExport, ExecutionRun, ExecutionStep, Restriction
from steward.ledger.audit import record
from steward.ledger.chain import canonical_json
from steward.register import Register
from steward.register.loader import check_bytes
from steward.store.db import transaction
from steward.store.tables import LoadedRegister, utcnow

ACTOR = "steward:executor"


OPEN_STATUSES = ("queued", "running", "retry")
MAX_ATTEMPTS = 8


class RunUnavailable(DatastoreError):
    """The run is finished, or another worker holds its lease."""


class RunAlreadyOpen(InvalidRequest):
    """The subject request already has an open run; a second one would overwrite it."""


def backoff(attempts: int) -> timedelta:
    """How long a run that failed ``attempts`` times waits: 5 s, 10 s, 20 s ... at most 10 min."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


def open_run(session: Session, request_id: int) -> ExecutionRun | None:
    return session.scalars(select(ExecutionRun).where(ExecutionRun.open_for == request_id)).first()


def submit(
    session: Session,
    request: ExecutionRequest,
    *,
    register_id: int | None = None,
    request_id: int | None = None,
) -> ExecutionRun:
    """Record a request to execute; validates it first (raises ``InvalidRequest``).

    With ``request_id`` the run is linked to that subject request; raises ``RunAlreadyOpen``
    when the request has an open run (the unique ``open_for`` also refuses a race at COMMIT).
    """
    request.check()
    Identifiers.parse(request.identifiers)
    if request_id is not None and open_run(session, request_id) is not None:
        raise RunAlreadyOpen(
            f"request {request.reference} already has a run queued or running; wait for it"
        )
    run = ExecutionRun(
        request_id=request_id,
        open_for=request_id,
        reference=request.reference,
        kind=request.kind,
        dry_run=request.dry_run,
        identifiers=json.dumps(request.identifiers),
        options=json.dumps({"rectify": request.rectify}),
        language=request.language,
        register_id=register_id,
        status="queued",
        attempts=0,
    )
    session.add(run)
    session.flush()
    record(
        session,
        actor=ACTOR,
        action="execution.submit",
        object_type="request",
        object_id=request.reference,
        details={"run": run.id, "kind": request.kind, "dry_run": request.dry_run},
    )
    return run


def _retry_due(now: datetime) -> Any:
    return (ExecutionRun.status == "retry") & or_(
        ExecutionRun.next_attempt_at.is_(None), ExecutionRun.next_attempt_at <= now
    )


def claim(factory: sessionmaker[Session], run_id: int, worker: str, lease: timedelta) -> bool:
    """Take the run for ``worker`` until the lease ends; False when someone else has it."""
    now = utcnow()
    with transaction(factory) as session:
        claimed = session.execute(
            update(ExecutionRun)
            .where(ExecutionRun.id == run_id)
            .where(
                or_(
                    ExecutionRun.status == "queued",
                    _retry_due(now),
                    (ExecutionRun.status == "running") & (ExecutionRun.lease_until < now),
                )
            )
            .values(
                status="running",
                worker=worker,
                lease_until=now + lease,
                attempts=ExecutionRun.attempts + 1,
                updated_at=now,
            )
        )
        return cast(CursorResult[Any], claimed).rowcount == 1


def due_runs(session: Session, *, queued_before: datetime | None = None) -> list[int]:
    """Runs to hand to a worker: retries whose back-off is over, runs left running by a dead
    worker (lease over), and runs queued before ``queued_before`` (their message may be lost:
    the broker was down, or the process that enqueued them died). All runs queued when None."""
    now = utcnow()
    queued = ExecutionRun.status == "queued"
    if queued_before is not None:
        queued = queued & (ExecutionRun.updated_at < queued_before)
    query = select(ExecutionRun.id).where(
        or_(
            queued,
            _retry_due(now),
            (ExecutionRun.status == "running") & (ExecutionRun.lease_until < now),
        )
    )
    return list(session.scalars(query.order_by(ExecutionRun.id)))


def stale_runs(session: Session) -> list[int]:
    """Every run a worker should take now (``due_runs`` with every queued run)."""
    return due_runs(session)


def renew(factory: sessionmaker[Session], run_id: int, worker: str, lease: timedelta) -> bool:
    """Extend ``worker``'s lease on the run; False when it lost the run to another worker."""
    with transaction(factory) as session:
        renewed = session.execute(
            update(ExecutionRun)
            .where(
                ExecutionRun.id == run_id,
                ExecutionRun.status == "running",
                ExecutionRun.worker == worker,
            )
            .values(lease_until=utcnow() + lease)
        )
        return cast(CursorResult[Any], renewed).rowcount == 1


def load_run_register(session: Session, run: ExecutionRun) -> Register:
    query = select(LoadedRegister).order_by(LoadedRegister.id.desc()).limit(1)
    if run.register_id is not None:
        query = select(LoadedRegister).where(LoadedRegister.id == run.register_id)
    row = session.scalars(query).first()
    if row is None:
        raise SchemaMismatch("no register is loaded; run `steward register load REGISTER`")
    key = (row.id, row.sha256)
    register = _PARSED.get(key)
    if register is None:
        result = check_bytes(row.content.encode(), row.source)
        if result.register is None:
            raise SchemaMismatch(f"the stored register {row.source} no longer loads")
        register = result.register
        if len(_PARSED) >= 16:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = register
    return register


# stored registers never change, so each is parsed once per process (a run re-parsing its
# register took a third of a queued erasure's time)
_PARSED: dict[tuple[int, str], Register] = {}


def _planned(tables: Sequence[TableOutcome]) -> list[dict[str, Any]]:
    """The plan recorded before a COMMIT: each table's counts and holds, and (keyed tables
    only) the canonical keys of the rows it keeps restricted."""
    return [
        {
            **t.as_dict(),
            "restricted_keys": [canonical_json(k) for k in t.restricted_keys] if t.keyed else [],
        }
        for t in tables
    ]


def _save_restrictions(
    session: Session, run: ExecutionRun, datastore: str, tables: list[dict[str, Any]]
) -> None:
    for table in tables:
        if not table.get("keyed", True):
            continue  # its keys are its values: personal data never goes into Steward's list
        holds = table.get("holds") or []
        reason = holds[0]["purpose"] if holds else "request"
        until = holds[0]["until"] if holds else None
        keys = list(dict.fromkeys(table.get("restricted_keys") or []))
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            listed = set(
                session.scalars(
                    select(Restriction.row_key).where(
                        Restriction.datastore == datastore,
                        Restriction.table_name == table["table"],
                        Restriction.row_key.in_(batch),
                    )
                )
            )
            session.add_all(
                Restriction(
                    datastore=datastore,
                    table_name=table["table"],
                    row_key=row_key,
                    reason=reason,
                    until=date.fromisoformat(until) if until else None,
                    reference=run.reference,
                )
                for row_key in batch
                if row_key not in listed
            )


def is_restricted(session: Session, datastore: str, table: str, key: list[Any]) -> bool:
    """Whether Steward's restriction list holds this row (the SDK asks this)."""
    query = select(Restriction.id).where(
        Restriction.datastore == datastore,
        Restriction.table_name == table,
        Restriction.row_key == canonical_json(key),
    )
    return session.scalars(query).first() is not None


def _summary(run: ExecutionRun, outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    totals = {k: 0 for k in ("found", "deleted", "masked", "held", "restricted", "rectified")}
    holds: list[dict[str, Any]] = []
    for outcome in outcomes:
        for table in outcome["tables"]:
            for k in totals:
                totals[k] += table[k]
            holds.extend(
                {"datastore": outcome["datastore"], "table": table["table"], **h}
                for h in table["holds"]
            )
    residual = [o["residual"] for o in outcomes if o["residual"] is not None]
    return {
        "run": run.id,
        "reference": run.reference,
        "kind": run.kind,
        "dry_run": run.dry_run,
        "status": "done",
        "totals": totals,
        "holds": holds,
        "residual": sum(residual) if residual else None,
        "datastores": outcomes,
    }


def process(
    factory: sessionmaker[Session],
    run_id: int,
    *,
    secret: bytes,
    lease: timedelta,
    worker: str = "embedded",
    register: Register | None = None,
    today: date | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> dict[str, Any]:
    """Run what is left of ``run_id`` and return its result (see the module docstring).

    Raises ``RunUnavailable`` when another worker holds the run or it is finished,
    ``DatastoreError`` when a step fails: a retryable failure leaves the run ``retry`` with
    its next attempt after ``backoff``, up to ``max_attempts``; any other leaves it ``failed``.
    Progress is kept either way.
    """
    with factory() as session:
        run = session.get(ExecutionRun, run_id)
        if run is None:
            raise InvalidRequest(f"no execution run {run_id}")
        if run.status == "done" and run.result:
            return dict(json.loads(run.result))
    if not claim(factory, run_id, worker, lease):
        raise RunUnavailable(f"run {run_id} is held by another worker or finished")
    try:
        return _process_claimed(
            factory, run_id, secret, register, today or date.today(), worker, lease
        )
    except DatastoreError as exc:
        with transaction(factory) as session:
            failed = session.get(ExecutionRun, run_id)
            assert failed is not None
            again = exc.retryable and failed.attempts < max_attempts
            failed.status = "retry" if again else "failed"
            failed.next_attempt_at = utcnow() + backoff(failed.attempts) if again else None
            failed.error = str(exc)
            failed.lease_until = None
            failed.updated_at = utcnow()
            if not again:
                failed.open_for = None
                failed.finished_at = utcnow()
        raise


def _record_plan(factory: sessionmaker[Session], step_id: int, tables: list[TableOutcome]) -> None:
    with transaction(factory) as session:
        step = session.get(ExecutionStep, step_id)
        assert step is not None
        step.plan = json.dumps(_planned(tables), default=str)
        step.status = "committing"
        step.updated_at = utcnow()


def _reconcile(
    fresh: DatastoreOutcome, earlier: list[dict[str, Any]] | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The step's result and the tables whose restrictions to save, after a resumed step.

    ``earlier`` is the plan a crashed attempt recorded before its COMMIT. When the fresh
    search found fewer rows than that plan, the COMMIT landed: the plan is what was done
    (the fresh attempt only re-applied what was left, e.g. restrictions on held rows).
    """
    result = fresh.as_dict()
    tables = _planned(fresh.tables)
    if earlier is None:
        return result, tables
    planned_found = sum(int(t.get("found", 0)) for t in earlier)
    if sum(t.found for t in fresh.tables) >= planned_found:
        return result, tables  # the earlier COMMIT never landed; this attempt did the work
    result["tables"] = [{k: v for k, v in t.items() if k != "restricted_keys"} for t in earlier]
    result["reconciled"] = True
    return result, earlier + tables


def _process_claimed(
    factory: sessionmaker[Session],
    run_id: int,
    secret: bytes,
    register: Register | None,
    today: date,
    worker: str,
    lease: timedelta,
) -> dict[str, Any]:
    with transaction(factory) as session:
        run = session.get(ExecutionRun, run_id)
        assert run is not None
        register = register or load_run_register(session, run)
        run.steps_total = len(register.datastores)
        steps = {
            s.datastore: s
            for s in session.scalars(select(ExecutionStep).where(ExecutionStep.run_id == run_id))
        }
        session.expunge_all()
    request = ExecutionRequest(
        kind=run.kind,  # type: ignore[arg-type]
        identifiers=json.loads(run.identifiers),
        reference=run.reference,
        dry_run=run.dry_run,
        rectify=json.loads(run.options).get("rectify", {}),
        language=run.language,
    )
    ids = Identifiers.parse(request.identifiers, register.operator.country)
    reads = request.kind in ("access", "portability")
    results: list[dict[str, Any]] = []
    access: list[DatastoreOutcome] = []
    for datastore in register.datastores:
        step = steps.get(datastore.id)
        if step is not None and step.status == "done" and step.result and not reads:
            results.append(json.loads(step.result))
            continue
        earlier = json.loads(step.plan) if step is not None and step.plan else None
        with transaction(factory) as session:
            if step is None:
                step = ExecutionStep(
                    run_id=run_id, datastore=datastore.id, status="pending", attempts=0
                )
                session.add(step)
            else:
                step = session.merge(step)
            step.attempts += 1
            step.status = "running"
            step.updated_at = utcnow()
            session.flush()
            step_id = step.id
        try:
            outcome = run_on_datastore(
                register,
                datastore,
                request,
                ids,
                secret=secret,
                today=today,
                before_commit=partial(_record_plan, factory, step_id),
            )
        except DatastoreError as exc:
            with transaction(factory) as session:
                failed = session.get(ExecutionStep, step_id)
                assert failed is not None
                failed.status = "failed"
                failed.error = str(exc)
                failed.updated_at = utcnow()
            raise
        result, restricted = _reconcile(outcome, earlier)
        step_result = json.dumps(result, default=str)
        with transaction(factory) as session:
            done = session.get(ExecutionStep, step_id)
            assert done is not None
            done.status = "done"
            done.error = None
            done.result = step_result
            done.updated_at = utcnow()
            current = session.get(ExecutionRun, run_id)
            assert current is not None
            if not request.dry_run and request.kind in ("erasure", "restriction"):
                _save_restrictions(session, current, datastore.id, restricted)
            if current.worker == worker:
                current.lease_until = utcnow() + lease  # renewed after each step
            record(
                session,
                actor=ACTOR,
                action=f"execution.{request.kind}.datastore",
                object_type="request",
                object_id=run.reference,
                details={
                    "run": run_id,
                    "datastore": datastore.id,
                    "dry_run": request.dry_run,
                    "rows": sum(int(t["found"]) for t in result["tables"]),
                    "reconciled": bool(result.get("reconciled")),
                },
            )
        results.append(json.loads(step_result))
        access.append(outcome)
    with transaction(factory) as session:
        current = session.get(ExecutionRun, run_id)
        assert current is not None
        summary = _summary(current, results)
        if reads:
            blob = build_zip(
                register,
                access,
                reference=current.reference,
                language=current.language,
                portability=request.kind == "portability",
            )
            existing = session.get(ExecutionExport, run_id)
            if existing is not None:
                session.delete(existing)
                session.flush()
            filename = f"{current.reference}-{request.kind}.zip"
            session.add(ExecutionExport(run_id=run_id, filename=filename, content=blob))
            summary["export"] = filename
        current.status = "done"
        current.result = json.dumps(summary, default=str)
        current.error = None
        current.lease_until = None
        current.open_for = None
        current.next_attempt_at = None
        current.finished_at = current.updated_at = utcnow()
        record(
            session,
            actor=ACTOR,
            action=f"execution.{request.kind}",
            object_type="request",
            object_id=current.reference,
            details={
                "run": run_id,
                "dry_run": request.dry_run,
                **summary["totals"],
                "residual": summary["residual"],
            },
        )
    return summary


def execute(
    factory: sessionmaker[Session],
    register: Register,
    request: ExecutionRequest,
    *,
    secret: bytes,
    register_id: int | None = None,
    today: date | None = None,
    lease: timedelta = timedelta(minutes=10),
) -> dict[str, Any]:
    """Submit and process at once (the CLI and tests)."""
    with transaction(factory) as session:
        run_id = submit(session, request, register_id=register_id).id
    return process(factory, run_id, secret=secret, lease=lease, register=register, today=today)


def export_of(session: Session, run_id: int) -> tuple[str, bytes] | None:
    row = session.get(ExecutionExport, run_id)
    return (row.filename, row.content) if row else None
