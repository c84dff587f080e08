"""Send a batch of statements to one datastore in as few round trips as its driver allows.

    results = run_batch(connection, [Statement(select_orders, {"values": [3, 9]}), ...])
    results[0]   -> [{"id": 12, "customer_id": 3, ...}, ...]   (rows of a SELECT, [] otherwise)

On PostgreSQL through psycopg the whole batch is sent in pipeline mode before any result is
read: one round trip for the batch instead of one per statement. The subject graph sends one
batch per hop; erasure sends all its writes as one batch. Statements run in the order given,
so child-first deletes stay child-first, and a failing statement aborts the rest (the caller's
transaction is then rolled back as a whole). ``commit=True`` commits the connection's
transaction after the batch; on psycopg the ``COMMIT`` travels in the batch's pipeline, so the
writes and their commit cost one round trip. Other drivers, and statements whose SQL text
depends on their parameters (an ``IN`` list of composite keys), run one at a time through
SQLAlchemy, after whatever was queued before them.

Each statement is compiled once per dialect (``_plan``); values pass through the
column types' bind and result processors, as SQLAlchemy itself would apply them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, cast
from weakref import WeakKeyDictionary

import sqlalchemy as sa

Params = dict[str, Any]
Processor = Callable[[Any], Any]

_TRACE: ContextVar[list[str] | None] = ContextVar("steward_batch_trace", default=None)
# the psycopg connection whose ``BEGIN`` is still to be sent, with its first batch
_BEGIN: ContextVar[Any] = ContextVar("steward_batch_begin", default=None)


@dataclass(frozen=True)
class Statement:
    """One statement of a batch; ``params`` as a list runs it once per entry (executemany)."""

    statement: sa.ClauseElement  # a SELECT, INSERT, UPDATE or DELETE (executable)
    params: Params | list[Params] = field(default_factory=dict)


@dataclass
class Counter:
    """Statements and round trips a search or an erasure has sent."""

    statements: int = 0
    round_trips: int = 0


@dataclass(frozen=True)
class _Plan:
    text: str
    defaults: Params  # values the statement itself carries (``.values(flag=True)``)
    binds: dict[str, Processor]
    selected: tuple[sa.ColumnElement[Any], ...]
    # result processors by the type codes the driver reported (SQLAlchemy asks for them too)
    results: dict[tuple[Any, ...], tuple[Processor | None, ...]] = field(default_factory=dict)

    def processors(
        self, dialect: sa.Dialect, codes: tuple[Any, ...]
    ) -> tuple[Processor | None, ...]:
        found = self.results.get(codes)
        if found is None:
            found = self.results[codes] = tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, code)
                for c, code in zip(self.selected, codes, strict=True)
            )
        return found


@contextmanager
def tracing() -> Iterator[list[str]]:
    """Collect the SQL text of every statement sent while the block runs (profiling aid)."""
    lines: list[str] = []
    token = _TRACE.set(lines)
    try:
        yield lines
    finally:
        _TRACE.reset(token)


def _trace(statement: sa.ClauseElement, dialect: sa.Dialect) -> None:
    lines = _TRACE.get()
    if lines is not None:
        lines.append(" ".join(str(statement.compile(dialect=dialect)).split()))


# plans live as long as their statement: the ones kept per table are compiled once, and a
# one-off statement's plan (which may carry literal values) goes when the statement does
_PLANS: WeakKeyDictionary[sa.ClauseElement, dict[sa.Dialect, _Plan | None]] = WeakKeyDictionary()


def _plan(statement: sa.ClauseElement, dialect: sa.Dialect) -> _Plan | None:
    """The statement compiled for ``dialect``; None when its text depends on its parameters."""
    plans = _PLANS.setdefault(statement, {})
    if dialect not in plans:
        plans[dialect] = _compile(statement, dialect)
    return plans[dialect]


def _compile(statement: sa.ClauseElement, dialect: sa.Dialect) -> _Plan | None:
    compiled = statement.compile(dialect=dialect)
    binds: dict[Any, str] = getattr(compiled, "bind_names", {})  # parameter -> its name
    if any(b.expanding or b.literal_execute for b in binds):
        return None
    escaped = getattr(compiled, "escaped_bind_names", {})
    processors = {}
    defaults = {}
    for bind, name in binds.items():
        name = escaped.get(name, name)
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
        if not bind.required:
            defaults[name] = bind.effective_value
    columns = getattr(statement, "exported_columns", None)  # a SELECT's, or what DML returns
    selected = tuple(columns) if columns is not None else ()
    return _Plan(compiled.string, defaults, processors, selected)


def _bound(plan: _Plan, params: Params) -> Params:
    values = {**plan.defaults, **params}
    for name, processor in plan.binds.items():
        values[name] = processor(values[name])
    return values


def _rows(plan: _Plan, dialect: sa.Dialect, cursor: Any) -> list[dict[str, Any]]:
    tuples: Sequence[Sequence[Any]] = cursor.fetchall()
    result = cursor.pgresult  # the type codes without building psycopg's column objects
    processors = plan.processors(dialect, tuple(result.ftype(i) for i in range(result.nfields)))
    if any(processors):
        tuples = [
            [p(v) if p is not None else v for p, v in zip(processors, row, strict=True)]
            for row in tuples
        ]
    columns = [c.name for c in plan.selected]
    return [dict(zip(columns, row, strict=True)) for row in tuples]


@contextmanager
def begin_with_first_batch(connection: sa.Connection) -> Iterator[None]:
    """Send the transaction's ``BEGIN`` at the head of the block's first batch.

    psycopg starts a transaction in pipeline mode with ``BEGIN`` and a sync of its own, so a
    round trip before the first statement. Here the connection is switched to autocommit (the
    caller's ``begin()``, ``commit()`` and ``rollback()`` then go by the server's transaction
    state: psycopg sends ``COMMIT``/``ROLLBACK`` while a transaction is open) and the first
    batch of the block opens the transaction itself: the same transaction, one round trip
    fewer. Anything sent outside a batch before it (a statement through SQLAlchemy) sends the
    ``BEGIN`` first. Call it before ``connection.begin()``; psycopg only.
    """
    connection.execution_options(isolation_level="AUTOCOMMIT")
    token = _BEGIN.set(connection.connection.driver_connection)
    try:
        yield
    finally:
        _BEGIN.reset(token)


def _begin_pending(raw: Any) -> bool:
    """Whether ``raw``'s ``BEGIN`` is still to be sent; it is the caller's to send now."""
    if raw is None or _BEGIN.get() is not raw:
        return False
    _BEGIN.set(None)
    return True


def pipelines(connection: sa.Connection) -> bool:
    """Whether a batch on ``connection`` travels in one round trip (psycopg's pipeline mode)."""
    if connection.dialect.driver != "psycopg":
        return False
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def _through_sqlalchemy(connection: sa.Connection, item: Statement) -> list[dict[str, Any]]:
    result = connection.execute(cast(sa.Executable, item.statement), item.params)
    return [dict(row) for row in result.mappings()] if result.returns_rows else []


def _send(
    connection: sa.Connection, queued: list[tuple[_Plan, Statement]], commit: bool = False
) -> list[list[dict[str, Any]]]:
    """Send ``queued`` (then ``COMMIT``) in one pipeline and read every result (psycopg)."""
    raw = connection.connection.driver_connection
    dbapi = connection.dialect.loaded_dbapi
    cursors = []
    try:
        with raw.pipeline():  # type: ignore[union-attr]
            if _begin_pending(raw):
                cursors.append(raw.cursor())  # type: ignore[union-attr]
                cursors[-1].execute("BEGIN")
            opened = len(cursors)
            for plan, item in queued:
                cursor = raw.cursor()  # type: ignore[union-attr]
                if isinstance(item.params, list):
                    cursor.executemany(plan.text, [_bound(plan, p) for p in item.params])
                else:
                    cursor.execute(plan.text, _bound(plan, item.params))
                cursors.append(cursor)
            if commit:  # psycopg's own commit() would add a sync, and so a round trip
                cursors.append(raw.cursor())  # type: ignore[union-attr]
                cursors[-1].execute("COMMIT")
        return [
            _rows(plan, connection.dialect, cursor) if plan.selected else []
            for (plan, _), cursor in zip(
                queued, cursors[opened : opened + len(queued)], strict=True
            )
        ]
    except dbapi.Error as exc:
        lost = bool(getattr(raw, "broken", False) or getattr(raw, "closed", False))
        lost = lost or connection.dialect.is_disconnect(exc, raw, None)
        if lost:
            connection.invalidate()
        raise sa.exc.DBAPIError.instance(
            queued[0][0].text,
            None,
            exc,
            dbapi.Error,
            hide_parameters=True,
            connection_invalidated=lost,
        ) from exc
    finally:
        for cursor in cursors:
            cursor.close()


def run_batch(
    connection: sa.Connection,
    batch: Sequence[Statement],
    counter: Counter | None = None,
    *,
    commit: bool = False,
) -> list[list[dict[str, Any]]]:
    """Run ``batch`` in order; the rows each statement returned, in the same order.

    ``commit=True`` then commits the connection's transaction (with the last pipeline on psycopg).
    """
    counter = counter if counter is not None else Counter()
    dialect = connection.dialect
    results: list[list[dict[str, Any]]] = []
    pipelined = pipelines(connection)
    queued: list[tuple[_Plan, Statement]] = []

    def flush(last: bool = False) -> None:
        if queued:
            counter.round_trips += 1
            results.extend(_send(connection, queued, commit=last and commit))
            queued.clear()

    for item in batch:
        counter.statements += 1
        _trace(item.statement, dialect)
        plan = _plan(item.statement, dialect) if pipelined else None
        if plan is not None:
            queued.append((plan, item))
            continue
        flush()
        if _begin_pending(getattr(connection.connection, "driver_connection", None)):
            connection.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]
            counter.round_trips += 1
        counter.round_trips += len(item.params) if isinstance(item.params, list) else 1
        results.append(_through_sqlalchemy(connection, item))
    flush(last=True)
    if commit:
        # on psycopg the server has committed and this only closes SQLAlchemy's transaction
        # (psycopg sends nothing for a connection that is idle)
        connection.commit()
    return results
