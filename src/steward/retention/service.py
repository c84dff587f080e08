"""Retention's one service: the plan, the sweep, the holds. The CLI, the admin and the job call it.

    rows = plan(factory, register, today)            # [PlanRow]: due rows per table
    run = sweep(factory, register, trigger="cli")    # destroys, records a RetentionRun + act
    place_hold(session, ...); release_hold(session, hold, actor=...)

Rules come from the register: a table's ``retention`` names its date column, the period, what it
counts from (the date itself, or the end of that date's calendar year, as tax laws count) and
whether rows are deleted or anonymised. Holds win: a retention hold on a record or a table, and
every row Steward's restriction list keeps (a legal hold left by an erasure, until its end date;
a restriction the subject asked for, until lifted). When an erasure's legal hold ends, the sweep
destroys the rows it kept, as the erasure asked, and takes them off the list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from steward.datastores.connect import Schema, datastore_engine, reflect
from steward.datastores.errors import DatastoreError
from steward.datastores.sweep import TableSwept, destroy_rows, plan_table, sweep_table
from steward.datastores.tables import Restriction
from steward.law.counting import due_before
from steward.ledger.audit import record
from steward.lib.i18n import N_, Told
from steward.register import Register
from steward.register.models import Datastore, Table
from steward.retention.tables import RetentionHold, RetentionRun

Progress = Callable[[str, int | None], Callable[[int], None]]


class HoldError(Told, ValueError):
    """A hold that cannot be placed or released as asked; the message says why (English,
    marked ``N_``, told in the reader's language with ``i18n.told``)."""


@dataclass
class PlanRow:
    datastore: str
    table: str
    column: str
    period: str
    counts_from: str
    action: str
    cutoff: date
    due: int | None = None
    held: int | None = None
    oldest: date | None = None
    problem: str | None = None
    # the rule itself is wrong (its column does not exist), not the datastore: the CLI points
    # at the rule in the register file
    rule_problem: bool = False


def rules(register: Register) -> list[tuple[Datastore, Table]]:
    """Every table of the register with a retention rule, in register order."""
    return [(d, t) for d in register.datastores for t in d.tables if t.retention is not None]


def cutoff(table: Table, today: date) -> date:
    """Rows dated before this are due: today minus the period (from the end of the year too)."""
    rule = table.retention
    assert rule is not None
    return due_before(rule.duration, today, from_year_end=rule.from_ == "year-end")


def active_holds(session: Session, datastore: str, today: date) -> dict[str, set[str]]:
    """Row keys not to touch, per table ("*": the whole table), from both kinds of hold."""
    held: dict[str, set[str]] = {}
    for table, key in session.execute(
        select(RetentionHold.table_name, RetentionHold.row_key).where(
            RetentionHold.datastore == datastore,
            RetentionHold.released_at.is_(None),
            or_(RetentionHold.until.is_(None), RetentionHold.until >= today),
        )
    ):
        held.setdefault(table, set()).add(key)
    for table, key in session.execute(
        select(Restriction.table_name, Restriction.row_key).where(
            Restriction.datastore == datastore,
            or_(Restriction.until.is_(None), Restriction.until >= today),
        )
    ):
        held.setdefault(table, set()).add(key)
    return held


def plan(factory: sessionmaker[Session], register: Register, today: date) -> list[PlanRow]:
    """What is due in every table with a rule: counts, held rows, the oldest date."""
    rows: list[PlanRow] = []
    for datastore in register.datastores:
        tables = [t for t in datastore.tables if t.retention is not None]
        if not tables:
            continue
        with factory() as session:
            holds = active_holds(session, datastore.id, today)
        schema: Schema | None = None
        engine: sa.Engine | None = None
        problem = None
        try:
            engine = datastore_engine(datastore)
            schema = reflect(engine, datastore)
        except DatastoreError as exc:
            problem = str(exc)
        for table in tables:
            rule = table.retention
            assert rule is not None
            row = PlanRow(
                datastore.id,
                _key(table),
                rule.column,
                str(rule.duration),
                rule.from_,
                str(rule.action),
                cutoff(table, today),
                problem=problem,
            )
            info = schema.tables.get(_key(table)) if schema is not None else None
            if info is not None and rule.column not in info.table.c:
                row.rule_problem = True
                row.problem = (
                    f"the retention column '{rule.column}' does not exist in the table; name "
                    "a date column of the table in its rule"
                )
            elif engine is not None and schema is not None:
                try:
                    due = plan_table(
                        engine,
                        schema.tables[_key(table)],
                        rule.column,
                        row.cutoff,
                        holds.get(_key(table), set()),
                    )
                    row.due, row.held, row.oldest = due.due, due.held, due.oldest
                except (DatastoreError, KeyError) as exc:
                    row.problem = str(exc) if isinstance(exc, DatastoreError) else "no such table"
            rows.append(row)
        if engine is not None:
            engine.dispose()
    return rows


def _key(table: Table) -> str:
    return f"{table.schema_}.{table.name}" if table.schema_ else table.name


def _release_ended(
    session: Session,
    engine: sa.Engine,
    schema: Schema,
    datastore: str,
    today: date,
    holds: dict[str, set[str]],
) -> list[dict[str, object]]:
    """Destroy the rows whose erasure hold ended, and take them off the restriction list."""
    ended = list(
        session.scalars(
            select(Restriction).where(
                Restriction.datastore == datastore,
                Restriction.until.is_not(None),
                Restriction.until < today,
                Restriction.reason != "request",
            )
        )
    )
    by_table: dict[str, list[Restriction]] = {}
    for row in ended:
        by_table.setdefault(row.table_name, []).append(row)
    released = []
    for table, rows in by_table.items():
        info = schema.tables.get(table)
        if info is None or not info.primary_key:
            continue
        keys = [tuple(json.loads(r.row_key)) for r in rows]
        outcome = destroy_rows(engine, schema, info, keys, holds)
        session.execute(delete(Restriction).where(Restriction.id.in_([r.id for r in rows])))
        released.append(
            {
                "table": table,
                "destroyed": outcome.destroyed,
                "children": outcome.children,
                "reason": sorted({r.reason for r in rows}),
                "held_until": max(r.until for r in rows if r.until).isoformat(),
            }
        )
    return released


def sweep(
    factory: sessionmaker[Session],
    register: Register,
    *,
    trigger: str,
    today: date | None = None,
    batch: int = 5000,
    secret: bytes = b"",
    progress: Progress | None = None,
) -> RetentionRun:
    """Sweep every rule of the register; one datastore down leaves the run ``partial``."""
    from steward.retention.acts import render_act

    today = today or datetime.now(UTC).date()
    with factory() as session, session.begin():
        run = RetentionRun(trigger=trigger, status="running", dry_run=False)
        session.add(run)
        session.flush()
        run_id = run.id
    result: dict[str, dict[str, object]] = {}
    problems: dict[str, str] = {}
    total = 0
    # whose data went, across the run: one text per subject and kind of identifier, so a caller
    # whose recordings and notes are in two tables is one subject (never stored)
    subjects: dict[tuple[str, ...], set[str]] = {}
    told: list[str] = []
    untold: list[str] = []
    for datastore in register.datastores:
        tables = [t for t in datastore.tables if t.retention is not None]
        with factory() as session:
            holds = active_holds(session, datastore.id, today)
        swept: list[TableSwept] = []
        engine = None
        try:
            engine = datastore_engine(datastore)
            schema = reflect(engine, datastore)
            for table in tables:
                rule = table.retention
                assert rule is not None
                info = schema.tables.get(_key(table))
                if info is None:
                    problems[f"{datastore.id}.{_key(table)}"] = "the table does not exist"
                    continue
                if rule.column not in info.table.c:
                    # this rule is wrong, not the datastore: its other tables are still swept
                    problems[f"{datastore.id}.{info.key}"] = (
                        f"the retention column '{rule.column}' does not exist; nothing of this "
                        "table was swept (steward datastores test points at the rule)"
                    )
                    continue
                tick = progress(f"{datastore.id}.{info.key}", None) if progress else None
                # whose a row is: its identity columns; an account table's key (a row is one
                # subject); else the table does not tell, and its subjects are not counted
                identity = tuple(table.identity) or (info.primary_key if table.subject else ())
                whose: set[str] = set()
                swept.append(
                    sweep_table(
                        engine,
                        schema,
                        info,
                        rule.column,
                        cutoff(table, today),
                        holds,
                        action="delete" if str(rule.action) == "delete" else "anonymise",
                        batch=batch,
                        secret=secret,
                        progress=tick,
                        identity=identity,
                        subjects=whose,
                    )
                )
                kinds = tuple(
                    str(table.identity.get(c, f"{datastore.id}.{info.key}.{c}")) for c in identity
                )
                subjects.setdefault(kinds, set()).update(whose)
                if swept[-1].destroyed:
                    (told if identity else untold).append(f"{datastore.id}.{info.key}")
            with factory() as session, session.begin():
                released = _release_ended(session, engine, schema, datastore.id, today, holds)
        except DatastoreError as exc:
            problems[datastore.id] = str(exc)
            released = []
        finally:
            if engine is not None:
                engine.dispose()
        if swept or released:
            result[datastore.id] = {
                "location": datastore.location,
                "tables": [
                    {
                        **asdict(s),
                        "rule": _rule_text(next(t for t in tables if _key(t) == s.table)),
                    }
                    for s in swept
                ],
                "released_holds": released,
            }
            total += sum(s.destroyed + sum(s.children.values()) for s in swept)
            total += sum(int(r["destroyed"]) for r in released)  # type: ignore[call-overload]
    n_subjects = sum(len(found) for found in subjects.values())
    subjects.clear()
    with factory() as session, session.begin():
        stored = session.get(RetentionRun, run_id)
        assert stored is not None
        run = stored
        run.finished_at = datetime.now(UTC)
        run.status = "partial" if problems else "done"
        run.result = json.dumps(
            {
                "datastores": result,
                "problems": problems,
                # subjects whose data went, counted where the table tells whose its rows are
                "subjects": {"count": n_subjects, "told_in": told, "not_told_in": untold},
            },
            default=str,
        )
        run.destroyed = total
        run.error = "; ".join(f"{k}: {v}" for k, v in problems.items()) or None
        run.act_html = render_act(register, run, today)
        run.act_sha256 = hashlib.sha256(run.act_html.encode()).hexdigest()
        record(
            session,
            actor=trigger,
            action="retention.sweep",
            object_type="retention_run",
            object_id=run.id,
            details={
                "destroyed": total,
                "subjects": n_subjects,
                "status": run.status,
                "act_sha256": run.act_sha256,
                "problems": sorted(problems),
            },
        )
        session.flush()
        session.expunge(run)
    return run


def _rule_text(table: Table) -> str:
    rule = table.retention
    assert rule is not None
    counted = " from the end of the year" if rule.from_ == "year-end" else ""
    return f"{rule.column} + {rule.duration}{counted}: {rule.action}"


def place_hold(
    session: Session,
    register: Register | None,
    *,
    datastore: str,
    table: str,
    row_key: str,
    reason: str,
    until: date | None,
    actor: str,
) -> RetentionHold:
    """Hold one record (its key as JSON, e.g. ``[42]``) or a whole table (``*``)."""
    if register is None:
        raise HoldError(N_("no register is loaded; holds name a datastore and a table of it"))
    store = next((d for d in register.datastores if d.id == datastore), None)
    if store is None:
        raise HoldError(N_("no datastore '%(datastore)s' in the register"), datastore=datastore)
    if not any(_key(t) == table for t in store.tables):
        raise HoldError(
            N_("datastore '%(datastore)s' declares no table '%(table)s'"),
            datastore=datastore,
            table=table,
        )
    if not reason.strip():
        raise HoldError(N_("give the reason of the hold (it is evidence)"))
    if row_key != "*":
        try:
            parsed = json.loads(row_key)
        except ValueError:
            raise HoldError(
                N_(
                    "the record key %(key)r is not JSON; write the key as a list, "
                    'e.g. [42] or ["a-17"], or * for the whole table'
                ),
                key=row_key[:40],
            ) from None
        if not isinstance(parsed, list) or not parsed:
            raise HoldError(N_("the record key is a JSON list of its key values, e.g. [42]"))
        from steward.ledger.chain import canonical_json

        row_key = canonical_json(parsed)
    hold = RetentionHold(
        datastore=datastore,
        table_name=table,
        row_key=row_key,
        reason=reason.strip()[:2000],
        until=until,
        set_by=actor,
    )
    session.add(hold)
    session.flush()
    record(
        session,
        actor=actor,
        action="retention.hold",
        object_type="retention_hold",
        object_id=hold.id,
        details={
            "datastore": datastore,
            "table": table,
            "record": row_key,
            "until": until.isoformat() if until else None,
            "reason": hold.reason[:200],
        },
    )
    return hold


def release_hold(session: Session, hold: RetentionHold, *, actor: str) -> None:
    if hold.released_at is not None:
        raise HoldError(N_("this hold is already released"))
    hold.released_at, hold.released_by = datetime.now(UTC), actor
    record(
        session,
        actor=actor,
        action="retention.release",
        object_type="retention_hold",
        object_id=hold.id,
        details={"datastore": hold.datastore, "table": hold.table_name},
    )


def sweeps_running(session: Session, register: Register, now: datetime | None = None) -> bool:
    """True when the register has retention rules and a sweep ran to its end in the last two
    days: only then may a notice say that storage periods are enforced automatically."""
    if not rules(register):
        return False
    since = (now or datetime.now(UTC)) - timedelta(days=2)
    latest = session.scalars(
        select(RetentionRun)
        .where(RetentionRun.status == "done", RetentionRun.finished_at >= since)
        .limit(1)
    ).first()
    return latest is not None


def holds(session: Session) -> list[RetentionHold]:
    return list(session.scalars(select(RetentionHold).order_by(RetentionHold.id.desc())))


def runs(session: Session, limit: int = 50) -> list[RetentionRun]:
    query = select(RetentionRun).order_by(RetentionRun.id.desc()).limit(limit)
    return list(session.scalars(query))
