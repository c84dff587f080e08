"""Retention sweeps on the operator's databases: what is due, and destroying it in batches.

    due = plan_table(engine, schema, info, cutoff, holds)          # count, oldest, held
    swept = sweep_table(engine, schema, info, cutoff, holds, action="delete", batch=5000,
                        progress=lambda n: ...)   # n: rows destroyed by each committed batch

A row is due when its date column is before ``cutoff`` (today minus the retention period; the
caller works it out from the register and ``law/``). The sweep walks the table in key order,
``batch`` rows per short transaction, so no lock outlives one batch and a crash or a datastore
going down loses at most the batch in flight: the next sweep starts again from the first due
row, and running twice destroys nothing twice. Child rows (foreign keys and the register's
declared references) go with their parent, deepest first; a parent whose child is held, or
lives in reference data, stays and is counted as kept. Held rows are skipped: ``holds`` are the
row keys (canonical JSON, as Steward's restriction list stores them) not to touch, and a table
held as a whole is never swept.

Where the caller names the table's identity columns (the register's ``identity``, or the key of
an account table), the sweep also counts the subjects whose data went: the distinct values of
those columns among the rows destroyed, gathered in the caller's set (so a run can count a
subject once across tables), never written anywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from steward.datastores.connect import Link, Schema, TableInfo
from steward.datastores.errors import ConnectionFailed, DatastoreError, SchemaMismatch
from steward.datastores.masking import mask_value
from steward.ledger.chain import canonical_json

MAX_DEPTH = 6


@dataclass
class TableDue:
    table: str
    column: str
    cutoff: date
    due: int
    held: int
    oldest: date | None


@dataclass
class TableSwept:
    table: str
    action: str
    destroyed: int = 0
    kept_held: int = 0
    kept_referenced: int = 0
    children: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    longest_batch_seconds: float = 0.0
    note: str = ""
    # how many subjects' data went: distinct values of the identity columns of the rows
    # destroyed; None where the table does not tell whose its rows are
    subjects: int | None = None


def _key_of(row: Sequence[Any]) -> str:
    return canonical_json([_plain(v) for v in row])


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _due_test(info: TableInfo, column: str, cutoff: date) -> Any:
    if column not in info.table.c:
        raise SchemaMismatch(
            f"table {info.key}: the retention column '{column}' does not exist; name a date "
            "column of the table in its retention rule"
        )
    return info.table.c[column] < cutoff


def plan_table(
    engine: sa.Engine, info: TableInfo, column: str, cutoff: date, holds: set[str]
) -> TableDue:
    """How many rows are due, how many of them are held, and the oldest date."""
    test = _due_test(info, column, cutoff)
    table = info.table
    with _connect(engine) as connection:
        row = connection.execute(
            sa.select(sa.func.count(), sa.func.min(table.c[column])).select_from(table).where(test)
        ).one()
        held = 0
        if holds and info.primary_key:
            keys = [table.c[c] for c in info.primary_key]
            for chunk in connection.execute(sa.select(*keys).where(test)).partitions(5000):
                held += sum(1 for r in chunk if _key_of(r) in holds)
    oldest = row[1]
    if isinstance(oldest, datetime):
        oldest = oldest.date()
    return TableDue(info.key, column, cutoff, int(row[0]), held, oldest)


def _connect(engine: sa.Engine) -> Any:
    try:
        return engine.connect()
    except sa.exc.OperationalError as exc:
        raise ConnectionFailed(
            f"cannot connect to the datastore ({type(exc).__name__}); the sweep resumes from "
            "the first due row next time"
        ) from None


def _children(schema: Schema, table: str) -> list[Link]:
    return [link for link in schema.inbound(table) if link.child != table]


def _referring_rows(
    connection: sa.Connection, schema: Schema, link: Link, parent_rows: list[tuple[Any, ...]]
) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Rows of ``link.child`` referring to one of ``parent_rows`` (values of the link's parent
    columns), each as (its key, or all its columns when it has none; its link columns)."""
    child = schema.tables[link.child]
    columns = [child.table.c[c] for c in link.columns]
    wanted = list({tuple(r) for r in parent_rows})
    if not wanted:
        return []
    key_columns = [child.table.c[c] for c in child.primary_key] or list(child.table.c)
    selected = [*key_columns, *(c.label(f"link_{i}") for i, c in enumerate(columns))]
    found: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
    width = len(key_columns)
    for test in _matching(connection, columns, wanted):
        found.extend(
            (tuple(r[:width]), tuple(r[width:]))
            for r in connection.execute(sa.select(*selected).where(test)).all()
        )
    return found


def _matching(
    connection: sa.Connection, columns: Sequence[Any], values: Sequence[tuple[Any, ...]]
) -> Iterator[Any]:
    """Conditions that together select the rows whose ``columns`` equal one of ``values``.

    On PostgreSQL one column is one ``= ANY(array)`` with the values as a single parameter (one
    statement, nothing to expand or parse per value); elsewhere, and for several columns,
    ``IN`` lists of at most 1,000.
    """
    if len(columns) == 1 and connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        column = columns[0]
        values_of = sa.bindparam(None, [v[0] for v in values], type_=ARRAY(column.type))
        yield column == sa.any_(values_of)
        return
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        if len(columns) == 1:
            yield columns[0].in_([v[0] for v in chunk])
        else:
            yield sa.tuple_(*columns).in_(chunk)


def _doomed_children(
    connection: sa.Connection,
    schema: Schema,
    table: str,
    parent_values: dict[Link, list[tuple[Any, ...]]],
    holds: dict[str, set[str]],
    depth: int,
) -> tuple[list[tuple[TableInfo, list[tuple[Any, ...]]]], set[tuple[str, tuple[Any, ...]]]]:
    """Child rows to delete (deepest first) and the parent values that must stay."""
    ordered: list[tuple[TableInfo, list[tuple[Any, ...]]]] = []
    blocked: set[tuple[str, tuple[Any, ...]]] = set()
    for link, values in parent_values.items():
        child = schema.tables[link.child]
        rows = _referring_rows(connection, schema, link, values)
        if not rows:
            continue
        n_key = len(child.primary_key)
        spec = child.spec
        reference = bool(spec and spec.reference_data)
        held = holds.get(child.key, set())
        keep_all = reference or "*" in held or depth >= MAX_DEPTH or not n_key
        doomed: list[tuple[Any, ...]] = []
        for key, parent_value in rows:
            if keep_all or (held and _key_of(key) in held):
                blocked.add((link.parent, parent_value))
            else:
                doomed.append(key)
        if doomed:
            grand = {
                g: [tuple(_column_values(child, r, g.to_columns)) for r in doomed]
                for g in _children(schema, child.key)
            }
            deeper, deeper_blocked = (
                _doomed_children(connection, schema, child.key, grand, holds, depth + 1)
                if grand
                else ([], set())
            )
            if deeper_blocked:
                # a grandchild stays: so does the child row it hangs from, and its parent
                stay = {v for t, v in deeper_blocked if t == child.key}
                kept = [r for r in doomed if _values_hit(child, r, stay, grand)]
                doomed = [r for r in doomed if r not in kept]
                for key, parent_value in rows:
                    if key in kept:
                        blocked.add((link.parent, parent_value))
            ordered.extend(deeper)
            ordered.append((child, doomed))
    return ordered, blocked


def _column_values(info: TableInfo, key: tuple[Any, ...], columns: Sequence[str]) -> list[Any]:
    """The values of ``columns`` for the row with primary key ``key`` (key columns only)."""
    if tuple(columns) == info.primary_key:
        return list(key)
    index = {name: i for i, name in enumerate(info.primary_key)}
    if all(c in index for c in columns):
        return [key[index[c]] for c in columns]
    raise SchemaMismatch(
        f"table {info.key}: a declared reference uses columns outside its key "
        f"({', '.join(columns)}); sweeps follow references to key columns only"
    )


def _values_hit(
    info: TableInfo,
    key: tuple[Any, ...],
    stay: set[tuple[Any, ...]],
    grand: dict[Link, list[tuple[Any, ...]]],
) -> bool:
    return any(tuple(_column_values(info, key, g.to_columns)) in stay for g in grand)


def _delete(connection: sa.Connection, info: TableInfo, keys: list[tuple[Any, ...]]) -> int:
    if not keys:
        return 0
    columns = [info.table.c[c] for c in info.primary_key]
    deleted = 0
    for test in _matching(connection, columns, keys):
        deleted += connection.execute(sa.delete(info.table).where(test)).rowcount or 0
    return deleted


def _anonymise(
    connection: sa.Connection, info: TableInfo, keys: list[tuple[Any, ...]], secret: bytes
) -> int:
    """Mask the personal columns the register names; keys and other columns stay."""
    spec = info.spec
    personal = [c for c in (spec.columns if spec else {}) if c in info.table.c]
    personal = [c for c in personal if c not in info.primary_key and c not in info.generated]
    if not personal:
        return 0
    key_columns = [info.table.c[c] for c in info.primary_key]
    done = 0
    for key in keys:
        test = sa.and_(*(c == v for c, v in zip(key_columns, key, strict=True)))
        row = connection.execute(
            sa.select(*(info.table.c[c] for c in personal)).where(test)
        ).first()
        if row is None:
            continue
        values = {
            c: mask_value(
                spec.columns.get(c) if spec else None,
                info.table.c[c],
                row._mapping[c],
                secret=secret,
                unique=c in info.unique,
            )
            for c in personal
        }
        connection.execute(sa.update(info.table).where(test).values(**values))
        done += 1
    return done


def _goes_with_parent(schema: Schema, link: Link, holds: dict[str, set[str]]) -> bool:
    """True when every row of ``link.child`` referring to a doomed parent is doomed too: a keyed
    table that is not reference data, has nothing held and nothing referring to it."""
    child = schema.tables[link.child]
    return bool(
        child.primary_key
        and not (child.spec and child.spec.reference_data)
        and not holds.get(child.key)
        and not _children(schema, child.key)
    )


def _with_children(
    connection: sa.Connection,
    schema: Schema,
    info: TableInfo,
    children: list[Link],
    doomed: list[tuple[Any, ...]],
    holds: dict[str, set[str]],
    outcome: TableSwept,
) -> list[tuple[Any, ...]]:
    """Delete the child rows of ``doomed`` (deepest first); returns the parents now deletable.

    A parent with a child that must stay (held, reference data, too deep) stays too; the
    children are worked out again for the parents left, until nothing more has to stay.
    """
    if all(_goes_with_parent(schema, link, holds) for link in children):
        # nothing below can be held: the children go by their link columns, unread
        for link in children:
            child = schema.tables[link.child]
            parent_values = (
                doomed
                if tuple(link.to_columns) == info.primary_key
                else [tuple(_column_values(info, r, link.to_columns)) for r in doomed]
            )
            referring = [child.table.c[c] for c in link.columns]
            gone = 0
            for test in _matching(connection, referring, parent_values):
                gone += connection.execute(sa.delete(child.table).where(test)).rowcount or 0
            outcome.children[child.key] = outcome.children.get(child.key, 0) + gone
        return doomed
    for _ in range(MAX_DEPTH):
        values = {
            link: [tuple(_column_values(info, r, link.to_columns)) for r in doomed]
            for link in children
        }
        ordered, blocked = _doomed_children(connection, schema, info.key, values, holds, 1)
        stay = {v for t, v in blocked if t == info.key}
        kept = [r for r in doomed if _values_hit(info, r, stay, values)] if stay else []
        if not kept:
            for child, child_keys in ordered:
                if child_keys:
                    gone = _delete(connection, child, child_keys)
                    outcome.children[child.key] = outcome.children.get(child.key, 0) + gone
            return doomed
        outcome.kept_referenced += len(kept)
        doomed = [r for r in doomed if r not in set(kept)]
        if not doomed:
            return []
    return []


def sweep_table(
    engine: sa.Engine,
    schema: Schema,
    info: TableInfo,
    column: str,
    cutoff: date,
    holds: dict[str, set[str]],
    *,
    action: str = "delete",
    batch: int = 5000,
    secret: bytes = b"",
    progress: Callable[[int], None] | None = None,
    identity: Sequence[str] = (),
    subjects: set[str] | None = None,
) -> TableSwept:
    """Destroy the due rows of one table (see the module); raises ``DatastoreError``.

    ``identity``: the columns that tell whose a row is; the subjects of the rows destroyed are
    added to ``subjects`` (one text per subject) and counted in ``TableSwept.subjects``."""
    outcome = TableSwept(info.key, action)
    identity = [c for c in identity if c in info.table.c]
    seen: set[str] = set()
    try:
        return _sweep_table(
            engine,
            schema,
            info,
            column,
            cutoff,
            holds,
            action,
            batch,
            secret,
            progress,
            identity,
            seen,
            outcome,
        )
    finally:
        if identity:
            outcome.subjects = len(seen)
            if subjects is not None:
                subjects.update(seen)


def _subject_of(values: Sequence[Any]) -> str | None:
    """One text per subject from its identity values (None: the row names nobody)."""
    if all(v is None for v in values):
        return None
    return "\x1f".join("" if v is None else str(v) for v in values)


def _sweep_table(
    engine: sa.Engine,
    schema: Schema,
    info: TableInfo,
    column: str,
    cutoff: date,
    holds: dict[str, set[str]],
    action: str,
    batch: int,
    secret: bytes,
    progress: Callable[[int], None] | None,
    identity: list[str],
    seen: set[str],
    outcome: TableSwept,
) -> TableSwept:
    held = holds.get(info.key, set())
    if "*" in held:
        outcome.note = "the whole table is held; nothing swept"
        return outcome
    test = _due_test(info, column, cutoff)
    if not info.primary_key:
        if held:
            outcome.note = "rows are held and the table has no key: nothing swept"
            return outcome
        with _connect(engine) as connection, connection.begin():
            if identity:
                listed = sa.select(*(info.table.c[c] for c in identity)).where(test).distinct()
                for row in connection.execute(listed):
                    if (subject := _subject_of(row)) is not None:
                        seen.add(subject)
            outcome.destroyed = connection.execute(sa.delete(info.table).where(test)).rowcount or 0
        outcome.batches, outcome.note = 1, "no key: swept in one statement"
        return outcome
    keys = [info.table.c[c] for c in info.primary_key]
    after: tuple[Any, ...] | None = None
    children = _children(schema, info.key)
    if (
        action == "delete"
        and len(keys) == 1
        and engine.dialect.name == "postgresql"
        and all(
            _goes_with_parent(schema, link, holds)
            and tuple(link.to_columns) == info.primary_key
            and len(link.columns) == 1
            for link in children
        )
    ):
        return _sweep_in_one_statement(
            engine, schema, info, test, held, children, batch, outcome, progress, identity, seen
        )
    width = len(keys)
    named = [info.table.c[c] for c in identity]
    while True:
        started = time.perf_counter()
        destroyed_before = outcome.destroyed
        gained: set[str] = set()
        try:
            with _connect(engine) as connection, connection.begin():
                query = sa.select(*keys, *named).where(test)
                if after is not None:
                    query = query.where(
                        keys[0] > after[0] if len(keys) == 1 else sa.tuple_(*keys) > after
                    )
                found = connection.execute(query.order_by(*keys).limit(batch)).all()
                if not found:
                    break
                rows = [tuple(r[:width]) for r in found] if named else [tuple(r) for r in found]
                whose = {tuple(r[:width]): _subject_of(r[width:]) for r in found} if named else {}
                after = rows[-1]
                doomed = [r for r in rows if _key_of(r) not in held] if held else rows
                outcome.kept_held += len(rows) - len(doomed)
                if children and doomed and action == "delete":
                    doomed = _with_children(
                        connection, schema, info, children, doomed, holds, outcome
                    )
                if action == "delete":
                    outcome.destroyed += _delete(connection, info, doomed)
                else:
                    outcome.destroyed += _anonymise(connection, info, doomed, secret)
                if named and outcome.destroyed > destroyed_before:
                    # (an anonymised table with no personal column to mask changed nothing)
                    gained = {s for r in doomed if (s := whose[r]) is not None}
        except sa.exc.DBAPIError as exc:
            if exc.connection_invalidated or isinstance(exc, sa.exc.OperationalError):
                raise ConnectionFailed(
                    f"the datastore went away during the sweep of {info.key} "
                    f"({type(exc).__name__}); {outcome.destroyed} row(s) were destroyed in "
                    "committed batches, the rest resumes next time"
                ) from None
            raise DatastoreError(
                f"the database refused the sweep of {info.key} ({type(exc).__name__}); "
                f"{outcome.destroyed} row(s) were destroyed in committed batches"
            ) from None
        outcome.batches += 1
        seen.update(gained)  # the batch is committed: its subjects' data is gone
        outcome.longest_batch_seconds = max(
            outcome.longest_batch_seconds, time.perf_counter() - started
        )
        if progress is not None:
            progress(outcome.destroyed - destroyed_before)
        if action != "delete" and len(rows) < batch:
            break
    return outcome


def _sweep_in_one_statement(
    engine: sa.Engine,
    schema: Schema,
    info: TableInfo,
    test: Any,
    held: set[str],
    children: list[Link],
    batch: int,
    outcome: TableSwept,
    progress: Callable[[int], None] | None,
    identity: list[str],
    seen: set[str],
) -> TableSwept:
    """One key, on PostgreSQL, with nothing below that can be held: each batch is one statement.

    ``WITH chosen AS (SELECT key ... AND key > :after ORDER BY key LIMIT n), gone_child AS
    (DELETE FROM child WHERE link = ANY(ARRAY(SELECT key FROM chosen))), gone AS (DELETE FROM
    table WHERE key = ANY(ARRAY(SELECT key FROM chosen)) RETURNING ...) SELECT max(key),
    count(*), ...`` takes the next batch by key, deletes its child rows (those that go with
    their parent: keyed, not reference data, nothing held, nothing below them) and the batch,
    and answers the last key, the counts and the batch's subjects in one round trip; no key
    travels to the client and back. Held keys are left out by the same statement. A foreign
    key from a child is checked at the end of the statement, when its rows are gone.
    """
    from sqlalchemy.dialects.postgresql import ARRAY

    from steward.datastores.graph import one_of

    key = info.table.c[info.primary_key[0]]
    held_values = [json_key[0] for json_key in map(_parse_key, held) if json_key]
    named = [info.table.c[c] for c in identity]

    def batch_statement(after: bool) -> Any:
        candidates = sa.select(key).where(test)
        if after:
            candidates = candidates.where(key > sa.bindparam("after", type_=key.type))
        if held_values:
            candidates = candidates.where(~one_of(key, key, "held", "postgresql"))
        chosen = candidates.order_by(key).limit(batch).cte("chosen")
        keys = sa.func.array(sa.select(chosen.c[key.name]).scalar_subquery())
        gone_children = []
        for i, link in enumerate(children):
            child = schema.tables[link.child].table
            referring = child.c[link.columns[0]]
            gone_children.append(
                sa.delete(child)
                .where(referring == sa.any_(keys.cast(ARRAY(key.type))))
                .returning(referring)
                .cte(f"gone_child_{i}")
            )
        gone = (
            sa.delete(info.table)
            .where(key == sa.any_(keys.cast(ARRAY(key.type))))
            .returning(key, *(c.label(f"who_{i}") for i, c in enumerate(named)))
            .cte("gone")
        )
        answers = [
            sa.select(sa.func.max(gone.c[key.name])).scalar_subquery(),
            sa.select(sa.func.count()).select_from(gone).scalar_subquery(),
            *(sa.select(sa.func.count()).select_from(g).scalar_subquery() for g in gone_children),
        ]
        if named:
            columns = [sa.cast(gone.c[f"who_{i}"], sa.Text) for i in range(len(named))]
            who = (
                columns[0]
                if len(columns) == 1
                else sa.func.concat_ws("\x1f", *(sa.func.coalesce(c, "") for c in columns))
            )
            answers.append(
                sa.select(sa.func.array_agg(sa.distinct(who)))
                .where(sa.or_(*(c.is_not(None) for c in columns)))
                .scalar_subquery()
            )
        return sa.select(*answers)

    first, following = batch_statement(False), batch_statement(True)
    try:
        if held_values:
            with _connect(engine) as connection:
                counted = connection.execute(
                    sa.select(sa.func.count())
                    .select_from(info.table)
                    .where(test, one_of(key, key, "held", "postgresql")),
                    {"held": held_values},
                )
                outcome.kept_held = int(counted.scalar_one())
        after: Any = None
        while True:
            started = time.perf_counter()
            params: dict[str, Any] = {"held": held_values} if held_values else {}
            if after is not None:
                params["after"] = after
            with _connect(engine) as connection, connection.begin():
                statement = first if after is None else following
                answer = tuple(connection.execute(statement, params).one())
            last, count = answer[0], int(answer[1])
            if not count:
                break
            after = last
            outcome.destroyed += count
            for link, gone in zip(children, answer[2 : 2 + len(children)], strict=True):
                child_key = schema.tables[link.child].key
                outcome.children[child_key] = outcome.children.get(child_key, 0) + int(gone)
            if named:
                seen.update(answer[-1] or ())
            outcome.batches += 1
            outcome.longest_batch_seconds = max(
                outcome.longest_batch_seconds, time.perf_counter() - started
            )
            if progress is not None:
                progress(count)
    except sa.exc.DBAPIError as exc:
        raise ConnectionFailed(
            f"the datastore went away during the sweep of {info.key} ({type(exc).__name__}); "
            f"{outcome.destroyed} row(s) were destroyed in committed batches, the rest resumes "
            "next time"
        ) from None
    return outcome


def _parse_key(text: str) -> list[Any] | None:
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def destroy_rows(
    engine: sa.Engine,
    schema: Schema,
    info: TableInfo,
    keys: list[tuple[Any, ...]],
    holds: dict[str, set[str]],
    *,
    batch: int = 1000,
) -> TableSwept:
    """Delete the rows with these keys (a hold that ended), their children first."""
    outcome = TableSwept(info.key, "delete")
    children = _children(schema, info.key)
    held = holds.get(info.key, set())
    for start in range(0, len(keys), batch):
        chunk = [k for k in keys[start : start + batch] if _key_of(k) not in held]
        outcome.kept_held += len(keys[start : start + batch]) - len(chunk)
        try:
            with _connect(engine) as connection, connection.begin():
                if children and chunk:
                    chunk = _with_children(
                        connection, schema, info, children, chunk, holds, outcome
                    )
                outcome.destroyed += _delete(connection, info, chunk)
        except sa.exc.OperationalError:
            raise ConnectionFailed(
                f"the datastore went away while destroying rows of {info.key} whose hold ended"
            ) from None
        outcome.batches += 1
    return outcome
