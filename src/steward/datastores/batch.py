"""Send a batch of statements to one datastore in as few round trips as its driver allows.

    results = run_batch(connection, [Statement(select_orders, {"values": [3, 9]}), ...])
    results[0]   -> [{"id": 12, "customer_id": 3, ...}, ...]   (rows of a SELECT, [] otherwise)

On PostgreSQL through psycopg the whole batch is sent in pipeline mode before any result is
read: one round trip for the batch instead of one per statement. It goes straight through
libpq's pipeline (``_send``), not psycopg's cursors, and each statement is prepared once per
connection, then bound by name, where psycopg's own preparing is off (datastore engines, see
``connect.datastore_engine``; elsewhere, e.g. Steward's store, statements go unnamed, since
psycopg's ``DEALLOCATE ALL`` after a rollback would drop them). The subject graph sends one
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

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, cast
from weakref import WeakKeyDictionary

import psycopg
import sqlalchemy as sa
from psycopg import generators, pq
from psycopg._queries import PostgresQuery
from psycopg.adapt import Transformer
from psycopg.waiting import Wait

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
    # the text as PostgreSQL numbers its parameters, by connection encoding (``_wire``)
    wire: dict[str, tuple[bytes, list[str], list[Any]]] = field(default_factory=dict)

    @cached_property
    def columns(self) -> list[str]:
        return [c.name for c in self.selected]

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


def _rows(
    plan: _Plan, dialect: sa.Dialect, result: Any, tuples: Sequence[Sequence[Any]]
) -> list[dict[str, Any]]:
    """``tuples`` of ``result`` (a libpq result) as dicts, through the result processors."""
    processors = plan.processors(dialect, tuple(result.ftype(i) for i in range(result.nfields)))
    if any(processors):
        tuples = [
            [p(v) if p is not None else v for p, v in zip(processors, row, strict=True)]
            for row in tuples
        ]
    columns = plan.columns
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
    return bool(psycopg.Pipeline.is_supported())


def _through_sqlalchemy(connection: sa.Connection, item: Statement) -> list[dict[str, Any]]:
    result = connection.execute(cast(sa.Executable, item.statement), item.params)
    return [dict(row) for row in result.mappings()] if result.returns_rows else []


def _wire(plan: _Plan, tx: Any, params: Params) -> tuple[bytes, list[str], list[Any]]:
    """``plan``'s text as PostgreSQL numbers its parameters, their names in that order and the
    formats psycopg wants them in, worked out once per plan and connection encoding."""
    wire = plan.wire.get(tx.encoding)
    if wire is None:
        query = PostgresQuery(tx)
        query.convert(plan.text, params)
        order, formats = list(query._order or ()), list(query._want_formats or ())
        wire = plan.wire[tx.encoding] = (query.query, order, formats)
    return wire


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dumped(
    tx: Any, values: list[Any], formats: list[Any], encoding: str
) -> tuple[list[Any], list[int], list[Any]]:
    """``values`` as psycopg would send them, but a list of integers or strings (the key
    arrays every lookup sends) as a text array literal of no declared type, which the
    statement's own cast (``= ANY(%(values)s::BIGINT[])``) types: psycopg would inspect the list
    to choose its dumper on every call."""
    out: list[Any] = []
    types: list[int] = []
    pqformats: list[Any] = []
    for value, want in zip(values, formats, strict=True):
        if type(value) is list and all(type(v) is int for v in value):
            out.append(("{" + ",".join(map(str, value)) + "}").encode())
        elif type(value) is list and all(type(v) is str for v in value):
            out.append(("{" + ",".join(map(_quoted, value)) + "}").encode(encoding))
        else:
            out.extend(tx.dump_sequence([value], [want]))
            types.extend(tx.types)
            pqformats.extend(tx.formats)
            continue
        types.append(0)
        pqformats.append(pq.Format.TEXT)
    return out, types, pqformats


def _until_sync(pgconn: Any) -> Any:
    """A psycopg generator: the pipeline's remaining results, one list per command, up to and
    including the sync's (waiting only while libpq has no complete result)."""
    results: list[list[Any]] = []
    current: list[Any] = []
    while True:
        while pgconn.is_busy():
            yield Wait.R
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            results.append(current)
            current = []
        elif result.status == pq.ExecStatus.PIPELINE_SYNC:
            results.append([result])
            return results
        else:
            current.append(result)


# statements prepared on each psycopg connection by this module: (text, types) -> name; kept
# while the connection lives. Only on connections where psycopg's own preparing is off
# (``prepare_threshold=None``, as ``connect.datastore_engine`` sets): elsewhere psycopg sends
# ``DEALLOCATE ALL`` after a rollback, which would drop them, so statements go unnamed there.
_PREPARED: WeakKeyDictionary[Any, dict[tuple[bytes, tuple[int, ...]], bytes]] = WeakKeyDictionary()
# the next name's number on each connection: advanced when a Parse is queued, never reused (a
# Parse the server did whose result was never read must not be named again: 42P05)
_NEXT_NAME: WeakKeyDictionary[Any, int] = WeakKeyDictionary()
MAX_PREPARED = 1000  # per connection; beyond, statements are sent unnamed (parsed each time)


def _send(
    connection: sa.Connection, queued: list[tuple[_Plan, Statement]], commit: bool = False
) -> list[list[dict[str, Any]]]:
    """Send ``queued`` (then ``COMMIT``) in one pipeline and read every result (psycopg).

    Straight through libpq's pipeline (psycopg's ``pgconn``), not psycopg's cursors: a cursor,
    its prepared-statement bookkeeping and psycopg's pipeline queue cost more client time per
    statement than the rest of a search together. Each statement is prepared on the connection
    the first time it is sent (``Parse`` in the same pipeline) and bound by name afterwards;
    values are dumped and rows loaded by psycopg's own adapters (``Transformer``), so they
    arrive as they would through a cursor.
    """
    raw: Any = connection.connection.driver_connection
    dbapi = connection.dialect.loaded_dbapi
    pgconn = raw.pgconn
    tx = Transformer(raw)
    encoding = raw.info.encoding
    prepared = _PREPARED.get(raw)
    if prepared is None:
        prepared = _PREPARED[raw] = {}
    may_prepare = raw.prepare_threshold is None
    commands: list[Callable[[], Any]] = []
    # what each command's result is: -1 a command (BEGIN, COMMIT), -2 a Parse (with its
    # key and name, recorded once the server says it is done), else the statement's index
    expect: list[tuple[int, Any]] = []
    begin = _begin_pending(raw)
    if not begin and not raw.autocommit and pgconn.transaction_status == pq.TransactionStatus.IDLE:
        begin = True  # what psycopg's cursor would have sent first
    if begin:
        start = raw._get_tx_start_command() if not raw.autocommit else b"BEGIN"
        commands.append(partial(pgconn.send_query_params, start, None))
        expect.append((-1, None))
    fresh: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
    for index, (plan, item) in enumerate(queued):
        for params in item.params if isinstance(item.params, list) else [item.params]:
            bound = _bound(plan, params)
            query, order, formats = _wire(plan, tx, bound)
            values, types, pqformats = _dumped(tx, [bound[n] for n in order], formats, encoding)
            key = (query, tuple(types))
            name = prepared.get(key) or fresh.get(key)
            if name is None and may_prepare and len(prepared) + len(fresh) < MAX_PREPARED:
                number = _NEXT_NAME.get(raw, 0)
                _NEXT_NAME[raw] = number + 1
                name = fresh[key] = f"steward_{number}".encode()
                commands.append(partial(pgconn.send_prepare, name, query, types))
                expect.append((-2, (key, name)))
            if name is None:
                commands.append(partial(pgconn.send_query_params, query, values, types, pqformats))
            else:
                commands.append(partial(pgconn.send_query_prepared, name, values, pqformats))
            expect.append((index, None))
    if commit:  # psycopg's own commit() would add a sync, and so a round trip
        commands.append(partial(pgconn.send_query_params, b"COMMIT", None))
        expect.append((-1, None))
    commands.append(pgconn.pipeline_sync)
    results: list[list[Any]] = []
    error: Exception | None = None
    try:
        with raw.lock:
            pgconn.enter_pipeline_mode()
            try:
                results = raw.wait(generators.pipeline_communicate(pgconn, deque(commands)))
                raw.wait(generators.send(pgconn))
                if not results or results[-1][0].status != pq.ExecStatus.PIPELINE_SYNC:
                    results.extend(raw.wait(_until_sync(pgconn)))
            finally:
                pgconn.exit_pipeline_mode()
        rows: list[list[dict[str, Any]]] = [[] for _ in queued]
        for (what, extra), result in zip(expect, results, strict=False):
            last = result[-1]
            if last.status == pq.ExecStatus.FATAL_ERROR:
                error = error or psycopg.errors.error_from_result(last, encoding=encoding)
                continue
            if last.status == pq.ExecStatus.PIPELINE_ABORTED:
                continue
            if what == -2:
                prepared[extra[0]] = extra[1]
            elif what >= 0 and queued[what][0].selected:
                tx.set_pgresult(last)
                rows[what].extend(
                    _rows(
                        queued[what][0],
                        connection.dialect,
                        last,
                        tx.load_rows(0, last.ntuples, tuple),
                    )
                )
        if error is not None:
            raise error
        return rows
    except dbapi.Error as exc:
        lost = bool(getattr(raw, "broken", False) or getattr(raw, "closed", False))
        lost = lost or connection.dialect.is_disconnect(exc, raw, None)
        # 26000: a statement prepared here is gone; 42P05: a name is taken (never expected)
        if getattr(exc, "sqlstate", None) in ("26000", "42P05"):
            prepared.clear()
            lost = True
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
    except BaseException:
        # anything else mid-pipeline (an interrupt, a timeout, a processor's error) leaves the
        # connection's pipeline and prepared statements in a state nobody knows: never reuse it
        prepared.clear()
        connection.invalidate()
        raise


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
