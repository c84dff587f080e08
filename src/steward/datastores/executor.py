"""Run one request kind on one datastore, in one transaction of that datastore.

    outcome = run_on_datastore(register, datastore, request, ids, secret=b"...", today=date.today())

This module knows nothing of Steward's store: ``runs.py`` persists progress around it.
Erasure, restriction and rectification search and change inside the same transaction, so a
crash or a dropped connection rolls everything back; ``actions.py`` plans the changes and they
are sent with the ``COMMIT`` as one batch. A dry run sends the very same statements (on-sight
deletes included) and then rolls back, so a preview that succeeds is an execution that
passes. After an erasure commits, the search runs again on the same connection, statement by
statement (autocommit), and ``residual`` counts rows still found outside legal holds (zero
when the erasure is complete). A refusal names its table, column and constraint
(``refusals.py``), never the database's own text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Literal, cast

import sqlalchemy as sa

from steward.datastores.actions import (
    Planned,
    TableOutcome,
    deletable_on_sight,
    plan_erasure,
    plan_restriction,
)
from steward.datastores.batch import begin_with_first_batch, run_batch
from steward.datastores.check import check_erasure
from steward.datastores.connect import Schema, datastore_engine, datastore_url, reflect
from steward.datastores.errors import (
    ConnectionFailed,
    DatastoreRefused,
    InvalidRequest,
    SchemaMismatch,
)
from steward.datastores.graph import Found, find_referrers, find_subject
from steward.datastores.holds import purposeless, table_purposes
from steward.datastores.identity import Identifiers
from steward.datastores.kept import Listed, add_kept, read_listed
from steward.datastores.lookup import look_up
from steward.datastores.rectify import plan_rectification
from steward.datastores.refusals import code_of, refusal
from steward.datastores.seals import row_key
from steward.datastores.whose import Whose, whose_for
from steward.register.models import Datastore, Register
from steward.register.taxonomy import IdentityKind

Kind = Literal["access", "portability", "erasure", "restriction", "rectification"]
KINDS: tuple[str, ...] = ("access", "portability", "erasure", "restriction", "rectification")


@dataclass(frozen=True)
class ExecutionRequest:
    """What the requests domain hands over once a request is verified (and approved)."""

    kind: Kind
    identifiers: dict[str, str]
    reference: str
    dry_run: bool = False
    rectify: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    subject: str | None = None  # the subject kind; None: the register's default
    # an erasure of these purposes' data only: rows of tables that also serve another purpose
    # are left as they are (``TableOutcome.out_of_scope``); empty: everything of the subject
    scope: tuple[str, ...] = ()

    def check(self, register: Register | None = None) -> None:
        if self.kind not in KINDS:
            raise InvalidRequest(f"unknown request kind '{self.kind}'; use one of {KINDS}")
        if self.kind == "rectification" and not self.rectify:
            raise InvalidRequest("rectification needs the new values (category or table.column)")
        if not self.reference.strip():
            raise InvalidRequest("the request reference is empty")
        if self.scope and self.kind != "erasure":
            raise InvalidRequest("only an erasure can be limited to purposes ('scope')")
        if register is not None and self.subject is not None:
            kinds = [s.id for s in register.subjects]
            if self.subject not in kinds:
                raise InvalidRequest(
                    f"unknown subject kind '{self.subject}'; the register has {', '.join(kinds)}"
                )


@dataclass
class DatastoreOutcome:
    datastore: str
    tables: list[TableOutcome] = field(default_factory=list)
    queries: int = 0
    round_trips: int = 0
    residual: int | None = None
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # access only
    # access only: keys of the rows that belong to someone else too (the last ones in ``rows``)
    shared: dict[str, list[list[Any]]] = field(default_factory=dict)
    # access only: what looked-up values stand for ({table: {column: {value: text}}})
    lookups: dict[str, dict[str, dict[Any, str]]] = field(default_factory=dict)
    # identifiers read from the subject's accounts here, for the next datastores (never stored
    # in a step's result: they are the subject's data)
    learned: dict[IdentityKind, set[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "datastore": self.datastore,
            "tables": [t.as_dict() for t in self.tables],
            "queries": self.queries,
            "round_trips": self.round_trips,
            "residual": self.residual,
        }


_CACHE: dict[str, tuple[float, sa.Engine, Schema]] = {}
SCHEMA_TTL = 60.0


def connected(datastore: Datastore) -> tuple[sa.Engine, Schema]:
    """A pooled engine and a reflected schema, reused for ``SCHEMA_TTL`` seconds per process."""
    url = datastore_url(datastore)
    key = f"{datastore.id}|{url}|{datastore.model_dump_json()}"
    hit = _CACHE.get(key)
    if hit is not None and time.monotonic() - hit[0] < SCHEMA_TTL:
        return hit[1], hit[2]
    engine = hit[1] if hit is not None else datastore_engine(datastore)
    schema = reflect(engine, datastore)
    _CACHE[key] = (time.monotonic(), engine, schema)
    return engine, schema


def forget_connections() -> None:
    """Dispose every cached engine (tests, and after a schema change)."""
    for _, engine, _ in _CACHE.values():
        engine.dispose()
    _CACHE.clear()


def _lost_connection(engine: sa.Engine, exc: sa.exc.DBAPIError) -> bool:
    """Whether ``exc`` means the server went away (retry) rather than refused the change.

    Drivers disagree on classes (PyMySQL reports a CHECK violation as OperationalError), so the
    dialect's own disconnect test decides; an error before any statement (connecting) counts.
    """
    if exc.connection_invalidated or exc.statement is None:
        return True
    return bool(engine.dialect.is_disconnect(exc.orig, None, None))  # type: ignore[arg-type]


def _plan(
    request: ExecutionRequest,
    schema: Schema,
    found: Found,
    register: Register,
    ids: Identifiers,
    secret: bytes,
    today: date,
    connection: sa.Connection,
    whose: Whose,
) -> Planned:
    """What ``request`` changes in the rows found, and the statements that change it."""
    dialect = connection.dialect.name
    if request.kind == "erasure":
        return plan_erasure(
            schema,
            found,
            register,
            dialect=dialect,
            secret=secret,
            today=today,
            find_referrers=partial(find_referrers, connection, schema, found, whose=whose),
            whose=whose,
        )
    if request.kind == "restriction":
        return plan_restriction(schema, found, dialect=dialect)
    return plan_rectification(schema, found, request.rectify, dialect=dialect, region=ids.region)


def _leave_out_of_scope(
    schema: Schema, register: Register, found: Found, scope: tuple[str, ...]
) -> dict[str, int]:
    """For an erasure limited to ``scope``'s purposes: the rows of tables serving any other
    purpose too are kept untouched, as rows shared with someone else are (and the rows they
    refer to are masked, not deleted). Returns how many rows per table were left so."""
    if not scope:
        return {}
    outside: dict[str, int] = {}
    for table in list(found.rows):
        spec = schema.tables[table].spec
        purposes = {p.id for p in table_purposes(register, spec)} if spec is not None else set()
        if purposes and purposes <= set(scope):
            continue
        rows = found.rows.pop(table)
        found.shared[table].update(rows)
        outside[table] = len(rows)
    return outside


WRITES = ("erasure", "restriction", "rectification")


def _refuse_purposeless(schema: Schema, register: Register) -> None:
    """Raise ``SchemaMismatch`` naming the tables the register gives no purpose: nothing says
    whether their rows are kept or erased, so no request that changes rows may guess."""
    memo = schema.memo.get(("purposeless",))
    if memo is None or memo[0] is not register:
        tables = sorted(
            info.key
            for info in schema.tables.values()
            if info.spec is not None and purposeless(register, info.spec)
        )
        memo = schema.memo[("purposeless",)] = (register, tables)  # the register is kept
    tables = cast(list[str], memo[1])
    if tables:
        names = ", ".join(f"{schema.datastore.id}.{t}" for t in tables)
        raise SchemaMismatch(
            f"{names}: no purpose in the register (no `purposes:` and no purpose covers "
            "its columns' categories), so nothing says whether its rows are kept or erased; "
            "name its `purposes:` (see `steward datastores test`); nothing was changed"
        )


def _answer(outcome: DatastoreOutcome, found: Found) -> None:
    """An access answer: the subject's rows and, marked, the rows they share with others."""
    for table in sorted({*found.rows, *found.shared}):
        own, shared = found.rows.get(table, {}), found.shared.get(table, {})
        outcome.tables.append(
            TableOutcome(outcome.datastore, table, found=len(own), shared=len(shared))
        )
        outcome.rows[table] = [*own.values(), *shared.values()]
        if shared:
            outcome.shared[table] = [list(k) for k in sorted(shared, key=repr)]


def _read_committed_psycopg(connection: sa.Connection) -> bool:
    """PostgreSQL through psycopg at the server's default READ COMMITTED, where every
    statement sees its own snapshot inside a transaction too: a read-only search can then run
    without one and lose nothing, and a statement read before the ``BEGIN`` reads what it would
    have read after it (at REPEATABLE READ or SERIALIZABLE the transaction gives the hops one
    snapshot, so both stay as they were)."""
    return (
        connection.dialect.driver == "psycopg"
        and connection.default_isolation_level == "READ COMMITTED"
    )


def run_on_datastore(
    register: Register,
    datastore: Datastore,
    request: ExecutionRequest,
    ids: Identifiers,
    *,
    secret: bytes,
    today: date,
    engine: sa.Engine | None = None,
    schema: Schema | None = None,
    verify: bool = True,
    before_commit: Callable[[list[TableOutcome]], None] | None = None,
    learned: Mapping[IdentityKind, set[str]] | None = None,
    listed: Mapping[str, Sequence[Listed]] | None = None,
) -> DatastoreOutcome:
    """Execute ``request`` on ``datastore``; raises ``DatastoreError`` subclasses on failure.

    ``before_commit`` receives the planned outcome (counts, keys, holds) after the changes are
    planned and before they are sent with the ``COMMIT``: ``runs.py`` records it, so a crash
    whose COMMIT still lands in the operator's database can be reconciled on resume.
    ``learned``: identifiers read from the subject's accounts in other datastores (the phone on
    the account); they seed every table here but the accounts, as the ones read here do.
    ``listed``: rows Steward's restriction list holds for this subject from earlier requests,
    by table (``runs.py`` finds them by the identifiers' seals): those still there are read
    back and reported kept, with the reason and end date recorded then; an access answers
    them too.
    """
    if engine is None or schema is None:
        engine, schema = connected(datastore)
    request.check(register)
    if request.kind in WRITES:
        _refuse_purposeless(schema, register)
    whose = whose_for(schema, register, request.subject)
    try:
        outcome = DatastoreOutcome(datastore.id)
        committed = False
        try:
            with engine.connect() as connection, ExitStack() as stack:
                if _read_committed_psycopg(connection):
                    if request.kind in ("access", "portability"):
                        # the search only reads, each statement on its own snapshot either
                        # way: no transaction, so no COMMIT to wait for, and psycopg's prepared
                        # statements stay (a ROLLBACK would discard them all)
                        connection.execution_options(isolation_level="AUTOCOMMIT")
                    else:  # the BEGIN travels with the search's first batch
                        stack.enter_context(begin_with_first_batch(connection))
                with connection.begin() as transaction:
                    erasing = request.kind == "erasure"
                    on_sight = frozenset[str]()
                    if erasing and connection.dialect.delete_returning and not request.scope:
                        on_sight = deletable_on_sight(schema, register, whose)
                    found = find_subject(
                        connection,
                        schema,
                        ids,
                        whose=whose,
                        delete_on_sight=on_sight,
                        learned=learned,
                    )
                    outcome.learned = found.learned
                    outside = _leave_out_of_scope(schema, register, found, request.scope)
                    kept = (
                        read_listed(connection, schema, found, listed, secret)
                        if listed and request.kind in ("access", "portability", "erasure")
                        else None
                    )
                    if request.kind in ("access", "portability"):
                        if kept is not None:  # still the subject's data: answered too
                            for name, rows in kept.rows.items():
                                found.rows[name].update(rows)
                        _answer(outcome, found)
                        outcome.lookups = look_up(connection, schema, outcome.rows)
                        if kept is not None:
                            add_kept(outcome.tables, kept, register, schema.datastore.id)
                        # the search only read: COMMIT ends it like ROLLBACK would, and keeps
                        # psycopg's prepared statements (a ROLLBACK discards them all, so every
                        # access paid the server's planning of each statement again); in
                        # autocommit (above) it sends nothing
                        transaction.commit()
                    else:
                        outcome.tables, writes = _plan(
                            request, schema, found, register, ids, secret, today, connection, whose
                        )
                        for table in outcome.tables:
                            # kept like shared rows, but counted as what they are
                            table.out_of_scope = outside.get(table.table, 0)
                            table.shared -= table.out_of_scope
                            info = schema.tables[table.table]
                            rows = found.rows.get(table.table, {})
                            table.listed_keys = [
                                row_key(secret, schema, info, tuple(k), rows[tuple(k)])
                                for k in table.restricted_keys
                            ]
                        if kept is not None:
                            add_kept(outcome.tables, kept, register, schema.datastore.id)
                        if request.dry_run:
                            # the preview is the execution: the same writes, then ROLLBACK, so
                            # a trigger or constraint that refuses them refuses the preview
                            run_batch(connection, writes, found.sent)
                            transaction.rollback()
                        else:  # the writes and their COMMIT: one round trip on PostgreSQL
                            if before_commit is not None:
                                before_commit(outcome.tables)
                            run_batch(connection, writes, found.sent, commit=True)
                            committed = True
                stack.close()  # the transaction is over: a BEGIN never sent stays unsent
                outcome.queries, outcome.round_trips = found.queries, found.round_trips
                for table in outcome.tables:
                    table.keyed = bool(schema.tables[table.table].primary_key)
                if erasing and committed and verify:
                    # each statement reads what is committed; no BEGIN and no ROLLBACK to wait for
                    checking = connection.execution_options(isolation_level="AUTOCOMMIT")
                    outcome.residual = check_erasure(
                        checking, schema, ids, whose, found, outcome.tables, on_sight
                    )
                    for table in outcome.tables:
                        if table.out_of_scope and table.left is not None:
                            again = min(table.left.get("shared", 0), table.out_of_scope)
                            table.left["shared"] -= again
                            table.left["out_of_scope"] = again
        except sa.exc.DBAPIError as exc:
            state = (
                "the change is committed; the check after it did not run"
                if committed
                else "nothing was committed"
            )
            if _lost_connection(engine, exc):
                raise ConnectionFailed(
                    f"datastore '{datastore.id}': {type(exc.orig).__name__} during "
                    f"{request.kind}; {state}"
                ) from None
            # a constraint, a trigger or a permission said no
            raise DatastoreRefused(
                f"datastore '{datastore.id}' refused the {request.kind}"
                f"{' preview' if request.dry_run else ''}: {code_of(exc)} at {refusal(exc)}; "
                f"{state}. The database's own message is not shown because it may quote "
                f"the subject's data"
            ) from None
        return outcome
    except ConnectionFailed:
        forget_connections()
        raise
