"""Restrictions of processing the operator's systems can query, by subject identifier.

    add(session, keys, identifiers, purposes=["usage-statistics"], reason="objection", ref="R-7")
    found = active(session, keys, {"email": "anna@example.com"})   # [Restricted(...), ...]

An objection that stops a purpose, or a completed restriction request (every purpose: ``None``),
leaves one row per proven identifier and purpose. Identifiers are kept only as the consent
ledger's keyed digests (``consent.identity.ConsentKeys.identifier_digest``: normalised, then
HMAC), so the list names nobody in plain text. ``GET /api/v1/restrictions`` and the SDK's
``is_restricted`` read it; the rows restricted inside the operator's tables are the
datastores' restriction list (``datastores.runs.is_restricted``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Index, Integer, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow

if TYPE_CHECKING:
    from steward.consent.identity import ConsentKeys

REASONS = ("objection", "restriction")


class SubjectRestriction(Base):
    """One identifier's restriction: a purpose (or every purpose) no longer processed."""

    __tablename__ = "subject_restrictions"
    __table_args__ = (Index("ix_subject_restrictions_digest", "kind", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # email, phone, account-id
    digest: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: every purpose
    reason: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(32))
    since: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@dataclass(frozen=True)
class Restricted:
    purpose: str | None
    reason: str
    reference: str
    since: datetime


def add(
    session: Session,
    keys: ConsentKeys,
    identifiers: Mapping[str, str],
    *,
    purposes: Iterable[str | None],
    reason: str,
    reference: str,
) -> int:
    """Record the restriction for each identifier and purpose; how many rows were added."""
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {REASONS}, not {reason!r}")
    now, added = utcnow(), 0
    for purpose in purposes:
        for kind, value in identifiers.items():
            session.add(
                SubjectRestriction(
                    kind=kind,
                    digest=keys.identifier_digest(kind, value),
                    purpose=purpose,
                    reason=reason,
                    reference=reference,
                    since=now,
                )
            )
            added += 1
    session.flush()
    return added


def active(
    session: Session,
    keys: ConsentKeys,
    identifiers: Mapping[str, str],
    purpose: str | None = None,
) -> list[Restricted]:
    """The restrictions on any of ``identifiers``; with ``purpose``, those that cover it (that
    purpose's and the ones of every purpose)."""
    tests = [
        (SubjectRestriction.kind == kind) & (SubjectRestriction.digest == digest)
        for kind, digest in ((k, keys.identifier_digest(k, v)) for k, v in identifiers.items())
    ]
    if not tests:
        return []
    query = select(SubjectRestriction).where(or_(*tests))
    if purpose is not None:
        query = query.where(
            or_(SubjectRestriction.purpose.is_(None), SubjectRestriction.purpose == purpose)
        )
    seen: dict[tuple[str | None, str, str], Restricted] = {}
    for row in session.scalars(query.order_by(SubjectRestriction.id)):
        key = (row.purpose, row.reason, row.reference)
        seen.setdefault(key, Restricted(row.purpose, row.reason, row.reference, row.since))
    return list(seen.values())
