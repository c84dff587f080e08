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

from sqlalchemy import Connection, CursorResult, Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward.datastores import run_store
from steward.datastores.actions import TableOutcome
from steward.datastores.batch import Statement, run_batch
from steward.datastores.errors import DatastoreError, InvalidRequest, SchemaMismatch
from steward.datastores.executor import DatastoreOutcome, ExecutionRequest, run_on_datastore
from steward.datastores.export import build_zip
from steward.datastores.identity import Identifiers
from steward.datastores.kept import Listed
from steward.datastores.run_store import ClaimedRun
from steward.datastores.seals import subject_seals
from steward.datastores.tables import (
    ExecutionExport,
    ExecutionRun,
    Restriction,
)
from steward.ledger.audit import record
from steward.ledger.chain import canonical_json
from steward.register import Register, RegisterError
from steward.register.models import Datastore
from steward.register.taxonomy import IdentityKind
from steward.store.db import transaction
from steward.store.registers import register_in_force, register_version
from steward.store.tables import utcnow

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
    steps_total: int | None = None,
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
        steps_total=steps_total,
        reference=request.reference,
        kind=request.kind,
        dry_run=request.dry_run,
        identifiers=json.dumps(request.identifiers),
        options=json.dumps(
            {"rectify": request.rectify, "subject": request.subject, "scope": list(request.scope)}
        ),
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
    with transaction(factory) as session:
        item = run_store.claim_run(run_id, worker, lease)
        return session.execute(item.statement, item.params).first() is not None  # type: ignore[call-overload]


def due_runs(session: Session, *, queued_before: datetime | None = None) -> list[int]:
    """Runs to hand to a worker: retries whose back-off is over, runs left running by a dead
    worker (lease over), and runs queued before ``queued_before`` (their message may be lost:
    the broker was down, or the process that enqueued them died). All runs queued when None."""
    now = utcnow()
    queued = ExecutionRun.status == "queued"
    if queued_before is not None:
        queued = queued & (ExecutionRun.updated_at < queued_before)
    query = select(ExecutionRun.id).where(run_store.due(now, queued))
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


def load_run_register(session: Session, run: ExecutionRun | ClaimedRun) -> Register:
    """The register version the run was filed under (the one in force when it has none)."""
    return _load_register(session, run.register_id)


def _load_register(session: Session, register_id: int | None) -> Register:
    try:
        if register_id is not None:
            register = register_version(session, register_id)
        else:
            found = register_in_force(session)
            register = found[0] if found else None
    except RegisterError:
        raise SchemaMismatch("the stored register of this run no longer loads") from None
    if register is None:
        raise SchemaMismatch("no register is loaded; run `steward register load REGISTER`")
    return register


def _planned(tables: Sequence[TableOutcome]) -> list[dict[str, Any]]:
    """The plan recorded before a COMMIT: each table's counts and holds, and how Steward's
    list names each row it keeps restricted (``seals.row_key``: a keyed digest for a table
    without a key), each with its own reason and end date (``row_holds``, in the same order)."""
    return [
        {
            **t.as_dict(),
            "restricted_keys": list(t.listed_keys)
            or [canonical_json(k) for k in t.restricted_keys],
            "row_holds": [list(h) for h in t.row_holds],
        }
        for t in tables
    ]


def is_restricted(session: Session, datastore: str, table: str, key: list[Any]) -> bool:
    """Whether Steward's restriction list holds this row (the SDK asks this)."""
    query = select(Restriction.id).where(
        Restriction.datastore == datastore,
        Restriction.table_name == table,
        Restriction.row_key == canonical_json(key),
    )
    return session.scalars(query).first() is not None


def _summary(run: ClaimedRun, outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    totals = {
        k: 0 for k in ("found", "deleted", "masked", "held", "restricted", "rectified", "kept")
    }
    holds: list[dict[str, Any]] = []
    for outcome in outcomes:
        for table in outcome["tables"]:
            for k in totals:
                totals[k] += table.get(k, 0)
            holds.extend(
                {"datastore": outcome["datastore"], "table": table["table"], **h}
                for h in table["holds"]
            )
    holds.sort(key=lambda h: (h["until"] or "9999-12-31", h["datastore"], h["table"]))
    unrecorded = [
        {"datastore": o["datastore"], "table": t["table"], "rows": t["unrecorded"]}
        for o in outcomes
        for t in o["tables"]
        if t.get("unrecorded")
    ]
    residual = [o["residual"] for o in outcomes if o["residual"] is not None]
    return {
        "run": run.id,
        "request": run.request_id,
        "reference": run.reference,
        "kind": run.kind,
        "dry_run": run.dry_run,
        "status": "done",
        "totals": totals,
        "holds": holds,
        "unrecorded": unrecorded,
        "residual": sum(residual) if residual else None,
        "datastores": outcomes,
    }


def _engine(factory: sessionmaker[Session]) -> Engine:
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("process() needs a sessionmaker bound to an engine")
    return bind


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
    Progress is kept either way. The run's store work goes through one connection, in batches
    (``run_store``).
    """
    today = today or date.today()
    with _engine(factory).connect() as connection:
        # the claim is lost in a crash: the run is queued again
        with run_store.begun(connection, durable=False) as first:
            claim_batch = [*first, run_store.claim_run(run_id, worker, lease)]
            run = run_store.claimed(run_batch(connection, claim_batch)[-1])
            if run is not None:
                register = register or _register_of(factory, run.register_id)
                request = _request_of(run)
                failure: DatastoreError | None = None
                try:
                    ids = Identifiers.parse(request.identifiers, register.operator.country)
                except DatastoreError as exc:
                    failure = exc  # recorded on the run once the claim has committed
                # rows an earlier erasure kept for this subject (its account may no longer
                # match), and a resumed run's steps: read in the claim's transaction
                keeps = failure is None and request.kind in ("access", "portability", "erasure")
                reads: list[Statement] = []
                if keeps:
                    seals = subject_seals(
                        secret,
                        request.subject or register.default_subject(),
                        ids,
                        _learned(run.options),
                    )
                    reads.append(
                        run_store.listed(connection, seals, exclude=run.reference, today=today)
                    )
                if run.attempts > 1:  # a first attempt has no steps yet
                    reads.append(run_store.steps_of(run_id))
                found = run_batch(connection, reads, commit=True)
        if run is None:
            return _unclaimed(connection, run_id)
        assert register is not None  # the claimed run's, read in the claim's transaction
        listed = run_store.listed_by_table(found[0]) if keeps else {}
        steps = {s["datastore"]: s for s in found[-1]} if run.attempts > 1 else {}
        try:
            if failure is not None:
                raise failure
            return _process_claimed(
                connection,
                run,
                request,
                ids,
                steps,
                listed,
                secret,
                register,
                today,
                worker,
                lease,
            )
        except DatastoreError as exc:
            if connection.in_transaction():
                connection.rollback()
            _failed(factory, run_id, exc, max_attempts)
            raise


def _failed(
    factory: sessionmaker[Session], run_id: int, exc: DatastoreError, max_attempts: int
) -> None:
    """The run stopped: ``retry`` after its back-off when the failure may pass, else
    ``failed`` (in a session of its own: the run's connection may be what failed)."""
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


def _unclaimed(connection: Connection, run_id: int) -> dict[str, Any]:
    """A run the claim did not take: its stored result when it is done, else why not."""
    found = connection.execute(
        select(ExecutionRun.status, ExecutionRun.result).where(ExecutionRun.id == run_id)
    ).first()
    connection.rollback()
    if found is None:
        raise InvalidRequest(f"no execution run {run_id}")
    if found.status == "done" and found.result:
        return dict(json.loads(found.result))
    raise RunUnavailable(f"run {run_id} is held by another worker or finished")


def _register_of(factory: sessionmaker[Session], register_id: int | None) -> Register:
    with factory() as session:
        return _load_register(session, register_id)


def _request_of(run: ClaimedRun) -> ExecutionRequest:
    options = json.loads(run.options)
    return ExecutionRequest(
        kind=run.kind,  # type: ignore[arg-type]
        identifiers=json.loads(run.identifiers),
        reference=run.reference,
        dry_run=run.dry_run,
        rectify=options.get("rectify", {}),
        language=run.language,
        subject=options.get("subject"),
        scope=tuple(options.get("scope") or ()),
    )


def _record_plan(
    connection: Connection,
    run_id: int,
    datastore: str,
    exists: list[bool],
    attempts: int,
    tables: list[TableOutcome],
) -> None:
    """Before the operator's COMMIT: what the step is about to do, committed here first (and
    durably: a crash after the operator's COMMIT is reconciled from it)."""
    with run_store.begun(connection, durable=True) as first:
        plan = json.dumps(_planned(tables), default=str)
        step = run_store.save_step(
            run_id, datastore, exists[0], status="committing", attempts=attempts, plan=plan
        )
        run_batch(connection, [*first, step], commit=True)
    exists[0] = True


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


def _accounts_first(register: Register, subject: str | None) -> list[Datastore]:
    """The datastores, those holding the subject kind's accounts first: the identifiers read
    from the accounts (the phone on the account) then search every other datastore."""
    kind = subject or register.default_subject()
    return sorted(register.datastores, key=lambda d: not any(t.subject == kind for t in d.tables))


def _learned(options: str) -> dict[IdentityKind, set[str]]:
    stored = json.loads(options).get("learned", {})
    return {IdentityKind(k): set(v) for k, v in stored.items()}


def _stored(learned: dict[IdentityKind, set[str]]) -> dict[str, list[str]]:
    return {k.value: sorted(v) for k, v in learned.items()}


def _process_claimed(
    connection: Connection,
    run: ClaimedRun,
    request: ExecutionRequest,
    ids: Identifiers,
    steps: dict[str, dict[str, Any]],
    listed: dict[str, dict[str, list[Listed]]],
    secret: bytes,
    register: Register,
    today: date,
    worker: str,
    lease: timedelta,
) -> dict[str, Any]:
    """Each datastore in turn: (plan recorded) -> the operator's COMMIT -> step done here.

    Store round trips are few on purpose (a queued erasure spends most of its time here): the
    step row is written with the plan, and each step's result, its restrictions, the lease's
    renewal (or the run's summary) and the audit entry share one transaction, sent as one batch
    and one more for the audit entry and the COMMIT once the chain's head is read.
    """
    run_id = run.id
    reads = request.kind in ("access", "portability")
    results: list[dict[str, Any]] = []
    access: list[DatastoreOutcome] = []
    last = len(register.datastores) - 1
    summary: dict[str, Any] = {}
    learned = _learned(run.options)
    subject = request.subject or register.default_subject()
    for index, datastore in enumerate(_accounts_first(register, request.subject)):
        step = steps.get(datastore.id)
        if step is not None and step["status"] == "done" and step["result"] and not reads:
            results.append(json.loads(step["result"]))
            if index == last:
                with run_store.begun(connection, durable=True) as first:
                    summary = _finish(connection, first, run, register, request, results, access)
            continue
        earlier = json.loads(step["plan"]) if step is not None and step["plan"] else None
        exists = [step is not None]
        attempts = (step["attempts"] if step is not None else 0) + 1

        try:
            outcome = run_on_datastore(
                register,
                datastore,
                request,
                ids,
                secret=secret,
                today=today,
                before_commit=partial(
                    _record_plan, connection, run_id, datastore.id, exists, attempts
                ),
                learned=learned,
                listed=listed.get(datastore.id),
            )
        except DatastoreError as exc:
            if connection.in_transaction():
                connection.rollback()
            with run_store.begun(connection, durable=True) as first:
                failed = run_store.save_step(
                    run_id,
                    datastore.id,
                    exists[0],
                    status="failed",
                    attempts=attempts,
                    error=str(exc),
                )
                run_batch(connection, [*first, failed], commit=True)
            raise
        result, restricted = _reconcile(outcome, earlier)
        step_result = json.dumps(result, default=str)
        batch: list[Statement] = []
        if any(v - learned.get(k, set()) for k, v in outcome.learned.items()):
            for kind, values in outcome.learned.items():
                learned.setdefault(kind, set()).update(values)
            # kept with the identifiers: a resumed run needs them once the accounts are erased
            options = json.dumps({**json.loads(run.options), "learned": _stored(learned)})
            batch.append(run_store.save_options(run_id, options))
        # not waiting for the disk: lost in a crash, the run is taken over after its lease and
        # reconciled from the plan, which committed durably before the operator's COMMIT
        with run_store.begun(connection, durable=False) as first:
            batch[:0] = first
            batch.append(
                run_store.save_step(
                    run_id,
                    datastore.id,
                    exists[0],
                    status="done",
                    attempts=attempts,
                    error=None,
                    result=step_result,
                )
            )
            if not request.dry_run and request.kind in ("erasure", "restriction"):
                batch += run_store.restrictions(connection, run.reference, datastore.id, restricted)
                if any(t.get("restricted_keys") for t in restricted):
                    seals = subject_seals(secret, subject, ids, learned)
                    batch += run_store.subject(connection, run.reference, seals)
            results.append(json.loads(step_result))
            access.append(outcome)
            if index == last:
                summary = _finish(connection, batch, run, register, request, results, access)
                continue
            batch.append(run_store.renew_lease(run_id, worker, lease))  # after each step
            head = run_batch(connection, [*batch, *run_store.audit_head(connection)])[-1]
            entry = run_store.audit_entry(
                head,
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
            run_batch(connection, [entry], commit=True)
    if not register.datastores:
        with run_store.begun(connection, durable=True) as first:
            summary = _finish(connection, first, run, register, request, results, access)
    return summary


def _finish(
    connection: Connection,
    batch: list[Statement],
    run: ClaimedRun,
    register: Register,
    request: ExecutionRequest,
    results: list[dict[str, Any]],
    access: list[DatastoreOutcome],
) -> dict[str, Any]:
    """The run is done: its summary, the access ZIP, and one audit entry with the totals, sent
    after ``batch`` in the open transaction, which this commits."""
    run_id = run.id
    summary = _summary(run, results)
    batch = list(batch)
    if request.kind in ("access", "portability"):
        blob = build_zip(
            register,
            access,
            reference=run.reference,
            language=run.language,
            portability=request.kind == "portability",
            subject=request.subject,
        )
        filename = f"{run.reference}-{request.kind}.zip"
        batch += run_store.export(run_id, filename, blob)  # an earlier attempt's replaced
        summary["export"] = filename
    batch.append(
        run_store.run_done(run_id, json.dumps(summary, default=str), len(register.datastores))
    )
    # last: the audit chain's lock is held only until the COMMIT that follows
    head = run_batch(connection, [*batch, *run_store.audit_head(connection)])[-1]
    entry = run_store.audit_entry(
        head,
        actor=ACTOR,
        action=f"execution.{request.kind}",
        object_type="request",
        object_id=run.reference,
        details={
            "run": run_id,
            "dry_run": request.dry_run,
            **summary["totals"],
            "residual": summary["residual"],
            "datastores": {
                o["datastore"]: sum(int(t["found"]) for t in o["tables"]) for o in results
            },
            "reconciled": [o["datastore"] for o in results if o.get("reconciled")],
        },
    )
    run_batch(connection, [entry], commit=True)
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
