"""Sign-in sessions: opaque random cookies, stored hashed, with idle and absolute expiry.

raw, row = start_session(session, person, ip=..., user_agent=..., stage="full")
row = load_session(session, raw)        # None when unknown, revoked or expired
revoke_all(session, person.id)          # sign out everywhere
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.accounts.keys import digest, new_token
from steward.accounts.tables import Person, SignInSession
from steward.store.tables import utcnow

IDLE = timedelta(minutes=60)
LIFETIME = timedelta(hours=12)
TOTP_STAGE_LIFETIME = timedelta(minutes=5)
TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most once a minute per session


def start_session(
    session: Session,
    person: Person,
    *,
    ip: str | None,
    user_agent: str,
    stage: str = "full",
    lifetime: timedelta = LIFETIME,
) -> tuple[str, SignInSession]:
    raw = new_token("sts")
    now = utcnow()
    row = SignInSession(
        token_hash=digest(raw),
        person_id=person.id,
        stage=stage,
        created_at=now,
        last_seen_at=now,
        expires_at=now + (TOTP_STAGE_LIFETIME if stage == "totp" else lifetime),
        ip=ip,
        user_agent=user_agent[:200],
    )
    session.add(row)
    session.flush()
    return raw, row


def load_session(
    session: Session, raw: str, now: datetime | None = None, idle: timedelta = IDLE
) -> SignInSession | None:
    now = now or utcnow()
    row = session.scalars(
        select(SignInSession).where(SignInSession.token_hash == digest(raw[:200]))
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if now - row.last_seen_at > idle:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return row


def promote(row: SignInSession, lifetime: timedelta = LIFETIME) -> None:
    """The second factor was given: the session becomes a full one."""
    now = utcnow()
    row.stage, row.last_seen_at, row.expires_at = "full", now, now + lifetime


def revoke(row: SignInSession) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def revoke_all(session: Session, person_id: int, *, keep: int | None = None) -> int:
    """Revoke every live session of a person (but ``keep``); returns how many."""
    query = update(SignInSession).where(
        SignInSession.person_id == person_id, SignInSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(SignInSession.id != keep)
    result = session.execute(query.values(revoked_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def live_sessions(session: Session, person_id: int) -> list[SignInSession]:
    now = utcnow()
    return list(
        session.scalars(
            select(SignInSession)
            .where(
                SignInSession.person_id == person_id,
                SignInSession.revoked_at.is_(None),
                SignInSession.expires_at > now,
                SignInSession.last_seen_at > now - IDLE,
            )
            .order_by(SignInSession.last_seen_at.desc())
        )
    )
