"""A hash chain stored in a table: appending without forking it, and reading it in order.

A row lock on the chain's head is not enough: a writer waiting on it would, once granted, still
read the old head. Appenders therefore take one lock per chain for the rest of their transaction
before reading the head:

- PostgreSQL: a transaction-scoped advisory lock (``pg_advisory_xact_lock``);
- SQLite: the database write lock, taken by an UPDATE that touches no row.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

_Row = TypeVar("_Row")


@cache
def lock_statement(dialect: str, table: str) -> TextClause | None:
    """The statement that takes the append lock of the chain in ``table`` on ``dialect``, with
    the chain's key as ``:key``; None where none is needed. One object per chain, so that a
    caller sending it in a batch compiles it once."""
    if dialect == "postgresql":
        return text("SELECT pg_advisory_xact_lock(:key)")
    if dialect == "sqlite":
        return text(f"UPDATE {table} SET id = id WHERE id < 0 AND :key IS NOT NULL")  # noqa: S608
    return None


def lock_chain(session: Session, table: str, key: int) -> None:
    """Hold the append lock of the chain stored in ``table`` until the transaction ends."""
    statement = lock_statement(session.get_bind().dialect.name, table)
    if statement is not None:
        session.execute(statement, {"key": key})


def in_chain_order(session: Session, model: type[_Row], batch: int = 5000) -> Iterator[_Row]:
    """Every row of ``model`` by ascending id, read in batches so memory stays flat."""
    column: Any = model.id  # type: ignore[attr-defined]
    last = 0
    while True:
        rows = session.scalars(
            select(model).where(column > last).order_by(column).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id  # type: ignore[attr-defined]
