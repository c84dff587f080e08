"""Invitations: an owner invites an e-mail address with a role; the link works once, briefly.

raw, row = invite(session, "agent@example.com", role="agent", invited_by=owner.id)
row = open_invitation(session, raw)          # None when unknown, used, revoked or expired
person = accept(session, raw, name="Ann", password="...")
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.accounts.keys import digest, new_token
from steward.accounts.people import (
    AccountError,
    check_role,
    create_person,
    find_person,
    normalise_email,
)
from steward.accounts.tables import Invitation, Person
from steward.lib.i18n import N_
from steward.store.tables import utcnow

LIFETIME = timedelta(hours=72)


def invite(
    session: Session, email: str, *, role: str, invited_by: int | None
) -> tuple[str, Invitation]:
    email = normalise_email(email)
    check_role(role)
    if find_person(session, email) is not None:
        raise AccountError(N_("%(email)s already has an account"), email=email)
    now = utcnow()
    raw = new_token("inv")
    row = Invitation(
        email=email,
        role=role,
        token_hash=digest(raw),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    session.flush()
    return raw, row


def open_invitation(session: Session, raw: str, now: datetime | None = None) -> Invitation | None:
    row = session.scalars(
        select(Invitation).where(Invitation.token_hash == digest(raw[:200]))
    ).first()
    now = now or utcnow()
    if row is None or row.used_at or row.revoked_at or row.expires_at <= now:
        return None
    return row


def accept(session: Session, raw: str, *, name: str, password: str) -> Person:
    row = open_invitation(session, raw)
    if row is None:
        raise AccountError(
            N_("this invitation link is used, revoked or expired; ask for a new one")
        )
    person = create_person(session, row.email, role=row.role, password=password, name=name)
    row.used_at = utcnow()
    return person


def pending_invitations(session: Session) -> list[Invitation]:
    now = utcnow()
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.id.desc())
        )
    )
