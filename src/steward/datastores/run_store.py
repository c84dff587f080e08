"""What a run writes to and reads from Steward's store, in as few round trips as the store allows.

    with begun(connection, durable=False) as first:         # a transaction on the run's connection
        rows = run_batch(connection, [*first, claim_run(run_id, worker, lease)])
        ...
        run_batch(connection, [listed(...)], commit=True)    # the COMMIT travels with the batch

A queued erasure spends most of its time around the executor, in the store: each statement here
is one constant compiled once per dialect (``datastores/batch.py``), sent in batches through one
connection the run keeps; on PostgreSQL through psycopg a batch and its ``COMMIT`` are one round
trip (pipeline mode). Values are given for every column written, so no Python-side default is
left to SQLAlchemy's ORM.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Connection,
    Insert,
    String,
    Table,
    Update,
    any_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from steward.datastores.batch import Statement, begin_with_first_batch
from steward.datastores.kept import Listed
from steward.datastores.tables import (
    ExecutionExport,
    ExecutionRun,
    ExecutionStep,
    Restriction,
    RestrictionSubject,
)
from steward.ledger import audit
from steward.ledger.chain import GENESIS
from steward.ledger.stored_chain import lock_statement
from steward.store.tables import utcnow

RUNS = cast(Table, ExecutionRun.__table__)
STEPS = cast(Table, ExecutionStep.__table__)
RESTRICTIONS = cast(Table, Restriction.__table__)
SUBJECTS = cast(Table, RestrictionSubject.__table__)
EXPORTS = cast(Table, ExecutionExport.__table__)
AUDIT = cast(Table, audit.AuditEntry.__table__)
# synchronous_commit off for this transaction only (PostgreSQL; see ``store/db.transaction``)
NOT_DURABLE = text("SET LOCAL synchronous_commit TO OFF")


@dataclass(frozen=True, slots=True)
class ClaimedRun:
    """The columns of a run its worker needs, as the claim returned them."""

    id: int
    request_id: int | None
    reference: str
    kind: str
    dry_run: bool
    identifiers: str
    options: str
    language: str
    register_id: int | None
    attempts: int


def due(now: Any, queued: Any = None) -> Any:
    """Runs a worker may take at ``now``: queued (those ``queued`` names, when given), retries
    whose back-off is over, and running ones whose lease ran out (their worker died)."""
    return or_(
        RUNS.c.status == "queued" if queued is None else queued,
        (RUNS.c.status == "retry")
        & or_(RUNS.c.next_attempt_at.is_(None), RUNS.c.next_attempt_at <= now),
        (RUNS.c.status == "running") & (RUNS.c.lease_until < now),
    )


_CLAIM = (
    update(RUNS)
    .where(RUNS.c.id == bindparam("b_run"), due(bindparam("b_now", type_=RUNS.c.updated_at.type)))
    .values(
        status="running",
        worker=bindparam("b_worker"),
        lease_until=bindparam("b_until"),
        attempts=RUNS.c.attempts + 1,
        updated_at=bindparam("b_now"),
    )
    .returning(*(RUNS.c[name] for name in ClaimedRun.__slots__))
)


def claim_run(run_id: int, worker: str, lease: timedelta) -> Statement:
    """Take the run for ``worker`` until the lease ends; returns its row, none when another
    worker holds it or it is finished."""
    now = utcnow()
    return Statement(
        _CLAIM, {"b_run": run_id, "b_worker": worker, "b_until": now + lease, "b_now": now}
    )


def claimed(rows: list[dict[str, Any]]) -> ClaimedRun | None:
    return ClaimedRun(**rows[0]) if rows else None


_RENEW = (
    update(RUNS)
    .where(RUNS.c.id == bindparam("b_run"), RUNS.c.worker == bindparam("b_worker"))
    .values(lease_until=bindparam("b_until"))
)


def renew_lease(run_id: int, worker: str, lease: timedelta) -> Statement:
    return Statement(_RENEW, {"b_run": run_id, "b_worker": worker, "b_until": utcnow() + lease})


_STEPS_OF = select(
    STEPS.c.datastore, STEPS.c.status, STEPS.c.attempts, STEPS.c.result, STEPS.c.plan
).where(STEPS.c.run_id == bindparam("b_run"))


def steps_of(run_id: int) -> Statement:
    """The run's steps so far (a resumed run)."""
    return Statement(_STEPS_OF, {"b_run": run_id})


@cache
def _step_statement(existing: bool, columns: tuple[str, ...]) -> Insert | Update:
    values: dict[str, Any] = {c: bindparam(f"b_{c}") for c in (*columns, "updated_at")}
    if existing:
        return (
            update(STEPS)
            .where(STEPS.c.run_id == bindparam("b_run"), STEPS.c.datastore == bindparam("b_store"))
            .values(values)
        )
    return (
        insert(STEPS)
        .values(run_id=bindparam("b_run"), datastore=bindparam("b_store"), **values)
        .inline()  # no RETURNING of the id: nothing reads it
    )


def save_step(run_id: int, datastore: str, existing: bool, **values: Any) -> Statement:
    """The step's row: an UPDATE when it exists, else an INSERT."""
    if not existing:
        values = {
            "status": "pending",
            "attempts": 1,
            "result": None,
            "plan": None,
            "error": None,
            **values,
        }
    columns = tuple(sorted(values))
    params = {f"b_{c}": v for c, v in values.items()}
    return Statement(
        _step_statement(existing, columns),
        {**params, "b_run": run_id, "b_store": datastore, "b_updated_at": utcnow()},
    )


_OPTIONS = (
    update(RUNS).where(RUNS.c.id == bindparam("b_run")).values(options=bindparam("b_options"))
)


def save_options(run_id: int, options: str) -> Statement:
    return Statement(_OPTIONS, {"b_run": run_id, "b_options": options})


_DONE = (
    update(RUNS)
    .where(RUNS.c.id == bindparam("b_run"))
    .values(
        status="done",
        result=bindparam("b_result"),
        error=None,
        lease_until=None,
        open_for=None,
        next_attempt_at=None,
        steps_total=bindparam("b_steps"),
        finished_at=bindparam("b_now"),
        updated_at=bindparam("b_now", type_=RUNS.c.updated_at.type),
    )
)


def run_done(run_id: int, result: str, steps: int) -> Statement:
    return Statement(
        _DONE, {"b_run": run_id, "b_result": result, "b_steps": steps, "b_now": utcnow()}
    )


_EXPORT_GONE = delete(EXPORTS).where(EXPORTS.c.run_id == bindparam("b_run"))
_EXPORT = (
    insert(EXPORTS)
    .values({c: bindparam(f"b_{c}") for c in ("run_id", "filename", "content", "created_at")})
    .inline()
)


def export(run_id: int, filename: str, content: bytes) -> list[Statement]:
    """The run's access ZIP, in place of one an earlier attempt stored."""
    values = {"b_run_id": run_id, "b_filename": filename, "b_content": content}
    return [
        Statement(_EXPORT_GONE, {"b_run": run_id}),
        Statement(_EXPORT, {**values, "b_created_at": utcnow()}),
    ]


@cache
def _restrict_statement(dialect: str) -> Insert | None:
    """Add a row to the list; a row already listed stays as it is (PostgreSQL, SQLite)."""
    if dialect not in ("postgresql", "sqlite"):
        return None
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    columns = ("datastore", "table_name", "row_key", "reason", "until", "reference", "created_at")
    return (
        make(RESTRICTIONS)
        .values({c: bindparam(f"b_{c}") for c in columns})
        .on_conflict_do_nothing(index_elements=["datastore", "table_name", "row_key"])
        .inline()
    )


def _day(text_: str | None) -> date | None:
    return date.fromisoformat(text_) if text_ else None


def restrictions(
    connection: Connection, reference: str, datastore: str, tables: list[dict[str, Any]]
) -> list[Statement]:
    """Each restricted row onto Steward's list with its own reason and end date; a row already
    listed stays as it is. PostgreSQL and SQLite: every table's rows in one executemany (the
    statements to add to the batch); elsewhere written here, the listed rows read first."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for table in tables:
        restricted = table.get("restricted_keys") or []
        reasons = table.get("row_holds") or [("request", None)] * len(restricted)
        entries = {k: (r[0], r[1]) for k, r in zip(restricted, reasons, strict=True)}
        rows.extend(
            {
                "b_datastore": datastore,
                "b_table_name": table["table"],
                "b_row_key": row_key,
                "b_reason": reason,
                "b_until": _day(until),
                "b_reference": reference,
                "b_created_at": now,
            }
            for row_key, (reason, until) in entries.items()
        )
    if not rows:
        return []
    statement = _restrict_statement(connection.dialect.name)
    if statement is not None:
        return [
            Statement(statement, rows[start : start + 1000]) for start in range(0, len(rows), 1000)
        ]
    for table_name in dict.fromkeys(r["b_table_name"] for r in rows):
        of_table = [r for r in rows if r["b_table_name"] == table_name]
        for start in range(0, len(of_table), 500):
            batch = of_table[start : start + 500]
            listed = set(
                connection.scalars(
                    select(RESTRICTIONS.c.row_key).where(
                        RESTRICTIONS.c.datastore == datastore,
                        RESTRICTIONS.c.table_name == table_name,
                        RESTRICTIONS.c.row_key.in_([r["b_row_key"] for r in batch]),
                    )
                )
            )
            fresh = [
                {k[2:]: v for k, v in r.items()} for r in batch if r["b_row_key"] not in listed
            ]
            if fresh:
                connection.execute(insert(RESTRICTIONS), fresh)
    return []


@cache
def _subject_statement(dialect: str) -> Insert | None:
    if dialect not in ("postgresql", "sqlite"):
        return None
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    columns = ("seal", "reference", "created_at")
    return (
        make(SUBJECTS)
        .values({c: bindparam(f"b_{c}") for c in columns})
        .on_conflict_do_nothing(index_elements=["seal", "reference"])
        .inline()
    )


def subject(connection: Connection, reference: str, seals: set[str]) -> list[Statement]:
    """Record the seals of the identifiers of a subject whose rows ``reference`` restricted
    (the statements to add to the batch; elsewhere than PostgreSQL and SQLite written here)."""
    now = utcnow()
    statement = _subject_statement(connection.dialect.name)
    if statement is not None:
        rows = [{"b_seal": s, "b_reference": reference, "b_created_at": now} for s in sorted(seals)]
        return [Statement(statement, rows)] if rows else []
    known = set(
        connection.scalars(
            select(SUBJECTS.c.seal).where(
                SUBJECTS.c.reference == reference, SUBJECTS.c.seal.in_(seals)
            )
        )
    )
    fresh = [{"seal": s, "reference": reference, "created_at": now} for s in sorted(seals - known)]
    if fresh:
        connection.execute(insert(SUBJECTS), fresh)
    return []


@cache
def _listed_statement(dialect: str) -> Any:
    if dialect == "postgresql":  # one array: the statement's text never changes, so it batches
        seals = SUBJECTS.c.seal == any_(bindparam("b_seals", type_=ARRAY(String)))
    else:
        seals = SUBJECTS.c.seal.in_(bindparam("b_seals", expanding=True))
    references = select(SUBJECTS.c.reference).where(
        seals, SUBJECTS.c.reference != bindparam("b_exclude")
    )
    return select(
        RESTRICTIONS.c.datastore,
        RESTRICTIONS.c.table_name,
        RESTRICTIONS.c.row_key,
        RESTRICTIONS.c.reason,
        RESTRICTIONS.c.until,
        RESTRICTIONS.c.reference,
    ).where(
        RESTRICTIONS.c.reference.in_(references),
        RESTRICTIONS.c.reason != "request",
        or_(RESTRICTIONS.c.until.is_(None), RESTRICTIONS.c.until >= bindparam("b_today")),
    )


def listed(connection: Connection, seals: set[str], *, exclude: str, today: date) -> Statement:
    """The held rows Steward's list keeps for the subject these seals name, from requests other
    than ``exclude``; holds that ended are left to the sweep. ``listed_by_table`` reads them."""
    return Statement(
        _listed_statement(connection.dialect.name),
        {"b_seals": sorted(seals), "b_exclude": exclude, "b_today": today},
    )


def listed_by_table(rows: list[dict[str, Any]]) -> dict[str, dict[str, list[Listed]]]:
    """``listed``'s rows by datastore and table."""
    found: dict[str, dict[str, list[Listed]]] = {}
    for row in rows:
        found.setdefault(row["datastore"], {}).setdefault(row["table_name"], []).append(
            Listed(row["row_key"], row["reason"], row["until"], row["reference"])
        )
    return found


def audit_head(connection: Connection) -> list[Statement]:
    """Take the audit chain's append lock and read its head: the batch's last statements (the
    lock is held until the transaction's COMMIT, so the entry goes in the batch that commits)."""
    lock = lock_statement(connection.dialect.name, AUDIT.name)
    head = Statement(audit.HEAD)
    return [Statement(lock, {"key": audit.AUDIT_LOCK_KEY}), head] if lock is not None else [head]


_AUDIT_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "ip", "details")
_AUDIT_INSERT = (
    insert(AUDIT)
    .values({c: bindparam(f"b_{c}") for c in (*_AUDIT_COLUMNS, "previous_hash", "hash")})
    .inline()
)


def audit_entry(head_rows: list[dict[str, Any]], **fields: Any) -> Statement:
    """The audit entry that follows the head ``audit_head`` read (``audit.following``)."""
    previous = head_rows[0]["hash"] if head_rows else GENESIS
    values = audit.following(previous, **fields)
    return Statement(_AUDIT_INSERT, {f"b_{k}": v for k, v in values.items()})


@contextmanager
def begun(connection: Connection, *, durable: bool) -> Iterator[list[Statement]]:
    """A transaction on the run's connection; yields the statements the first batch starts
    with. The block ends it with ``run_batch(..., commit=True)``; an error rolls it back.

    On psycopg the ``BEGIN`` travels with the first batch (``batch.begin_with_first_batch``);
    ``durable=False`` lets the COMMIT return before the disk has it (``store/db.transaction``).
    """
    with ExitStack() as stack:
        if connection.dialect.driver == "psycopg":
            stack.enter_context(begin_with_first_batch(connection))
        connection.begin()
        try:
            yield (
                [Statement(NOT_DURABLE)]
                if not durable and connection.dialect.name == "postgresql"
                else []
            )
        except BaseException:
            connection.rollback()
            raise
        if connection.in_transaction():  # the block's last batch did not commit
            connection.commit()
