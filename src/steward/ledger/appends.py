"""Serialising appends to a hash chain, so concurrent writers can never fork it.

A row lock on the chain's head is not enough: a writer waiting on it would, once granted, still
read the old head. Appenders therefore take one lock per chain for the rest of their transaction
before reading the head:

- PostgreSQL: a transaction-scoped advisory lock (``pg_advisory_xact_lock``);
- SQLite: the database write lock, taken by an UPDATE that touches no row.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_chain(session: Session, table: str, key: int) -> None:
    """Hold the append lock of the chain stored in ``table`` until the transaction ends."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    elif dialect == "sqlite":
        session.execute(text(f"UPDATE {table} SET id = id WHERE id < 0"))  # noqa: S608 - a constant
