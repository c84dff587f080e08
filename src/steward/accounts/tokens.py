"""API tokens for machines: scoped, shown once, stored hashed, revocable, last use recorded.

raw, row = create_token(session, "backend", {"consents:write"}, created_by=person.id)
row = authenticate_token(session, raw)   # None when unknown or revoked
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.accounts.keys import digest, new_token
from steward.accounts.people import AccountError
from steward.accounts.tables import ApiToken
from steward.lib.i18n import N_
from steward.store.tables import utcnow

SCOPES = {
    "consents:read": N_("Read consent state and history"),
    "consents:write": N_("Record and withdraw consents"),
    "requests:read": N_("Read data-subject requests"),
    "requests:write": N_("File data-subject requests"),
    "breaches:read": N_("Read the breach register"),
    "breaches:write": N_("Record security incidents"),
    "disclosures:read": N_("Read the disclosure log"),
    "disclosures:write": N_("Record disclosures of a subject's data to recipients"),
    "restrictions:read": N_("Ask whether a subject's processing is restricted"),
}
PREFIX = "stw"
TOUCH_EVERY = timedelta(seconds=60)


def create_token(
    session: Session, name: str, scopes: Iterable[str], *, created_by: int | None
) -> tuple[str, ApiToken]:
    name = " ".join(name.split())[:100]
    if not name:
        raise AccountError(N_("give the token a name that says which system uses it"))
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise AccountError(
            N_("unknown scope %(scope)r; use: %(scopes)s"),
            scope=unknown[0][:40],
            scopes=", ".join(SCOPES),
        )
    if not chosen:
        raise AccountError(N_("choose at least one scope"))
    raw = new_token(PREFIX)
    row = ApiToken(
        name=name,
        prefix=raw[: len(PREFIX) + 7],
        token_hash=digest(raw),
        scopes=" ".join(chosen),
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return raw, row


def authenticate_token(session: Session, raw: str, now: datetime | None = None) -> ApiToken | None:
    if not raw.startswith(PREFIX + "_") or len(raw) > 200:
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(raw))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
    return row


def revoke_token(row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def all_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))
