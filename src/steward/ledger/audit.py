"""The audit log: who did what, when, from where, to which object. Append-only, hash-chained.

    record(session, actor="owner@example.com", action="request.approve",
           object_type="request", object_id="42", ip="203.0.113.7", details={"kind": "erasure"})
    broken = verify(session)          # None, or the first broken entry

Details must not hold personal data in the clear: pass ids, counts and kinds, not values.
Appends hold the chain's append lock (``ledger/stored_chain.py``) until their transaction ends,
so concurrent writers cannot fork the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.ledger.chain import GENESIS, ChainBreak, canonical_json, entry_hash, first_break
from steward.ledger.stored_chain import in_chain_order, lock_chain
from steward.store.tables import Base, UtcDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(320), index=True)
    action: Mapped[str] = mapped_column(String(100), index=True)
    object_type: Mapped[str | None] = mapped_column(String(50), nullable=True)
    object_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def fields(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "ip": self.ip,
            "details": json.loads(self.details),
        }


AUDIT_LOCK_KEY = 0x5354_4155_4449_5400  # "STAUDIT": the audit chain's advisory lock
# the chain's head (its hash; no row: GENESIS), read once the append lock is held
HEAD = select(AuditEntry.__table__.c.hash).order_by(AuditEntry.__table__.c.id.desc()).limit(1)


def _head(session: Session) -> str:
    lock_chain(session, "audit_log", AUDIT_LOCK_KEY)
    return session.execute(HEAD).scalar() or GENESIS


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction and return it."""
    entry = AuditEntry(
        **following(
            _head(session),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            ip=ip,
            details=details,
            at=at,
        )
    )
    session.add(entry)
    session.flush()
    return entry


def following(
    previous_hash: str,
    *,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The column values of the entry that follows the head ``previous_hash`` (GENESIS for the
    first). ``record`` appends it; a caller that takes the lock (``lock_statement``) and reads
    ``HEAD`` in a batch of its own inserts these, in the same transaction."""
    values: dict[str, Any] = {
        "at": at or utcnow(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "ip": ip,
        "details": canonical_json(details or {}),
    }
    # exactly what ``AuditEntry.fields`` reads back, so that ``verify`` agrees
    fields = {**values, "at": values["at"].isoformat(), "details": json.loads(values["details"])}
    values["previous_hash"] = previous_hash
    values["hash"] = entry_hash(previous_hash, canonical_json(fields))
    return values


def entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry in chain order, read in batches."""
    return in_chain_order(session, AuditEntry, batch)


def verify(session: Session) -> ChainBreak | None:
    """Recompute the chain; the first broken entry, or None when every entry verifies."""
    return first_break((e.id, e.previous_hash, e.hash, e.fields()) for e in entries(session))
