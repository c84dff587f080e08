"""Requests executed with their progress in Steward's store: the executor API.

    run = submit(session, ExecutionRequest("erasure", {"email": "a@b.c"}, "REQ-7"), register_id=1)
    result = process(factory, run.id, secret=b"...")      # a job does this; resumable
    result = execute(factory, register, request, secret=b"...")   # both, synchronously

``process`` claims the run with a conditional UPDATE that sets a lease (so two workers never
run it at once, and a run whose worker died is claimed again once the lease runs out), then
runs each datastore as one step: the datastore's transaction commits first, then the step is
marked done here. A crash between the two repeats one step, which is harmless because the
second search finds only what the first left (held rows, which are restricted again).
The result is a plain dict (see ``docs/datastores.md``); it never holds personal data.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward.datastores.errors import DatastoreError, InvalidRequest, SchemaMismatch
from steward.datastores.executor import DatastoreOutcome, ExecutionRequest, run_on_datastore
from steward.datastores.export import build_zip
from steward.datastores.identity import Identifiers
from steward.datastores.tables import ExecutionExport, ExecutionRun, ExecutionStep, Restriction
from steward.ledger.audit import record
from steward.ledger.chain import canonical_json
from steward.register import Register
from steward.register.loader import check_bytes
from steward.register.models import Datastore
from steward.register.taxonomy import IdentityKind
from steward.store.db import transaction
from steward.store.tables import LoadedRegister, utcnow

ACTOR = "steward:executor"


class RunUnavailable(DatastoreError):
    """The run is finished, or another worker holds its lease."""


def submit(
    session: Session, request: ExecutionRequest, *, register_id: int | None = None
) -> ExecutionRun:
    """Record a request to execute; validates it first (raises ``InvalidRequest``)."""
    request.check()
    Identifiers.parse(request.identifiers)
    run = ExecutionRun(
        reference=request.reference,
        kind=request.kind,
        dry_run=request.dry_run,
        identifiers=json.dumps(request.identifiers),
        options=json.dumps({"rectify": request.rectify, "subject": request.subject}),
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


def claim(factory: sessionmaker[Session], run_id: int, worker: str, lease: timedelta) -> bool:
    """Take the run for ``worker`` until the lease ends; False when someone else has it."""
    now = utcnow()
    with transaction(factory) as session:
        claimed = session.execute(
            update(ExecutionRun)
            .where(ExecutionRun.id == run_id)
            .where(
                or_(
                    ExecutionRun.status.in_(("queued", "retry")),
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


def stale_runs(session: Session) -> list[int]:
    """Runs queued or left running by a dead worker (lease over): to enqueue again."""
    now = utcnow()
    query = select(ExecutionRun.id).where(
        or_(
            ExecutionRun.status.in_(("queued", "retry")),
            (ExecutionRun.status == "running") & (ExecutionRun.lease_until < now),
        )
    )
    return list(session.scalars(query))


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


def _save_restrictions(session: Session, run: ExecutionRun, outcome: DatastoreOutcome) -> None:
    for table in outcome.tables:
        if not table.keyed:
            continue  # its keys are its values: personal data never goes into Steward's list
        reason = table.holds[0]["purpose"] if table.holds else "request"
        until = table.holds[0]["until"] if table.holds else None
        keys = list(dict.fromkeys(canonical_json(key) for key in table.restricted_keys))
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            listed = set(
                session.scalars(
                    select(Restriction.row_key).where(
                        Restriction.datastore == outcome.datastore,
                        Restriction.table_name == table.table,
                        Restriction.row_key.in_(batch),
                    )
                )
            )
            session.add_all(
                Restriction(
                    datastore=outcome.datastore,
                    table_name=table.table,
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
    worker: str = "embedded",
    lease: timedelta = timedelta(minutes=10),
    register: Register | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Run what is left of ``run_id`` and return its result (see the module docstring).

    Raises ``RunUnavailable`` when another worker holds the run, ``DatastoreError`` when a step
    fails (``retryable`` says whether running the job again can help; progress is kept).
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
        return _process_claimed(factory, run_id, secret, register, today or date.today())
    except DatastoreError as exc:
        with transaction(factory) as session:
            failed = session.get(ExecutionRun, run_id)
            assert failed is not None
            failed.status = "retry" if exc.retryable else "failed"
            failed.error = str(exc)
            failed.lease_until = None
            failed.updated_at = utcnow()
        raise


def _accounts_first(register: Register, subject: str | None) -> list[Datastore]:
    """The datastores, those holding the subject kind's accounts first: the identifiers read
    from the accounts (the phone on the account) then search every other datastore."""
    kind = subject or register.default_subject()
    return sorted(register.datastores, key=lambda d: not any(t.subject == kind for t in d.tables))


def _learned(run: ExecutionRun) -> dict[IdentityKind, set[str]]:
    stored = json.loads(run.options).get("learned", {})
    return {IdentityKind(k): set(v) for k, v in stored.items()}


def _stored(learned: dict[IdentityKind, set[str]]) -> dict[str, list[str]]:
    return {k.value: sorted(v) for k, v in learned.items()}


def _process_claimed(
    factory: sessionmaker[Session],
    run_id: int,
    secret: bytes,
    register: Register | None,
    today: date,
) -> dict[str, Any]:
    with factory() as session:
        run = session.get(ExecutionRun, run_id)
        assert run is not None
        register = register or load_run_register(session, run)
        steps = {
            s.datastore: s
            for s in session.scalars(select(ExecutionStep).where(ExecutionStep.run_id == run_id))
        }
    request = ExecutionRequest(
        kind=run.kind,  # type: ignore[arg-type]
        identifiers=json.loads(run.identifiers),
        reference=run.reference,
        dry_run=run.dry_run,
        rectify=json.loads(run.options).get("rectify", {}),
        language=run.language,
        subject=json.loads(run.options).get("subject"),
    )
    ids = Identifiers.parse(request.identifiers, register.operator.country)
    reads = request.kind in ("access", "portability")
    results: list[dict[str, Any]] = []
    access: list[DatastoreOutcome] = []
    learned = _learned(run)
    for datastore in _accounts_first(register, request.subject):
        step = steps.get(datastore.id)
        if step is not None and step.status == "done" and step.result and not reads:
            results.append(json.loads(step.result))
            continue
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
        try:
            outcome = run_on_datastore(
                register, datastore, request, ids, secret=secret, today=today, learned=learned
            )
        except DatastoreError as exc:
            with transaction(factory) as session:
                failed = session.get(ExecutionStep, step.id)
                assert failed is not None
                failed.status = "failed"
                failed.error = str(exc)
                failed.updated_at = utcnow()
            raise
        step_result = json.dumps(outcome.as_dict(), default=str)
        with transaction(factory) as session:
            done = session.get(ExecutionStep, step.id)
            assert done is not None
            done.status = "done"
            done.error = None
            done.result = step_result
            done.updated_at = utcnow()
            current = session.get(ExecutionRun, run_id)
            assert current is not None
            for kind, values in outcome.learned.items():
                learned.setdefault(kind, set()).update(values)
            # kept with the identifiers: a resumed run needs them once the accounts are erased
            current.options = json.dumps(
                {**json.loads(current.options), "learned": _stored(learned)}
            )
            if not request.dry_run and request.kind in ("erasure", "restriction"):
                _save_restrictions(session, current, outcome)
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
                    "rows": sum(t.found for t in outcome.tables),
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
                subject=request.subject,
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
) -> dict[str, Any]:
    """Submit and process at once (the CLI, tests and the embedded runner's fast path)."""
    with transaction(factory) as session:
        run_id = submit(session, request, register_id=register_id).id
    return process(factory, run_id, secret=secret, register=register, today=today)


def export_of(session: Session, run_id: int) -> tuple[str, bytes] | None:
    row = session.get(ExecutionExport, run_id)
    return (row.filename, row.content) if row else None
