"""Identity verification: single-use e-mailed codes and the operator backend's signed assertion.

    code = issue_code(session, request, secret)          # e-mailed; only its keyed hash is kept
    verify_code(session, request, "123456", secret)      # Outcome.OK / WRONG / EXPIRED / LOCKED
    verify_assertion(session, request, token, operator_secret)

Codes expire after ``CODE_MINUTES``, lock after ``MAX_ATTEMPTS`` wrong tries, are compared in
constant time, and at most ``MAX_CODES_PER_HOUR`` are sent per request. Callers commit even on
a wrong code, so that the attempt counts. Answers never reveal whether an e-mail is known.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.lib.identifiers import normalise_account, normalise_email
from steward.lib.signing import Signer, TokenExpired, TokenInvalid, digest
from steward.register import Register
from steward.requests import emails, service
from steward.requests.states import CLOSED, RequestError, State
from steward.requests.tables import SubjectRequest, VerificationCode
from steward.store.tables import utcnow

CODE_MINUTES = 15
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 3
ASSERTION_MAX_AGE = 300
ASSERTION_PURPOSE = "steward-operator-assertion"


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"


class TooManyCodes(RequestError):
    code = "rate_limited"


def _hash(secret: str, request_id: int, code: str) -> str:
    return digest(secret, f"{request_id}:{code}")


def issue_code(
    session: Session, request: SubjectRequest, secret: str, *, link: str = ""
) -> str | None:
    """Make a fresh code, void older ones and e-mail it; None when the request has no e-mail."""
    if request.state in {s.value for s in CLOSED} or request.verified_at is not None:
        raise RequestError("this request needs no verification code")
    now = utcnow()
    recent = session.scalar(
        select(func.count(VerificationCode.id)).where(
            VerificationCode.request_id == request.id,
            VerificationCode.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= MAX_CODES_PER_HOUR:
        raise TooManyCodes("too many codes were sent for this request; try again in an hour")
    for old in session.scalars(
        select(VerificationCode).where(
            VerificationCode.request_id == request.id, VerificationCode.used_at.is_(None)
        )
    ):
        old.used_at = now  # voided: only the newest code works
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(
        VerificationCode(
            request_id=request.id,
            code_hash=_hash(secret, request.id, code),
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            attempts=0,
        )
    )
    if request.state == State.RECEIVED:
        request.state = State.VERIFYING.value
    service.record_event(session, request, "steward", "code-sent", "", from_state=State.RECEIVED)
    if request.email is None:
        return None
    emails.send(session, request, "code", code=code, minutes=CODE_MINUTES, link=link)
    return code


def verify_code(
    session: Session,
    request: SubjectRequest,
    code: str,
    secret: str,
    *,
    register: Register | None,
    ip: str | None = None,
) -> Outcome:
    """Check ``code`` against the newest live code; count a wrong try; lock after too many."""
    now = utcnow()
    row = session.scalars(
        select(VerificationCode)
        .where(VerificationCode.request_id == request.id)
        .order_by(VerificationCode.id.desc())
        .limit(1)
    ).first()
    candidate = "".join(ch for ch in code if ch.isdigit())[:6]
    if row is None or row.used_at is not None or row.expires_at <= now:
        # Compare anyway so that the answer takes the same time either way.
        hmac.compare_digest(_hash(secret, request.id, candidate), "0" * 64)
        return Outcome.EXPIRED
    if row.attempts >= MAX_ATTEMPTS:
        return Outcome.LOCKED
    if not hmac.compare_digest(_hash(secret, request.id, candidate), row.code_hash):
        row.attempts += 1
        service.record_event(
            session, request, "subject", "code-wrong", f"try {row.attempts}", ip=ip
        )
        return Outcome.LOCKED if row.attempts >= MAX_ATTEMPTS else Outcome.WRONG
    row.used_at = now
    service.mark_verified(
        session, request, how="email-code", actor="subject", register=register, ip=ip
    )
    return Outcome.OK


def assertion_token(operator_secret: str, *, email: str | None, account_id: str | None) -> str:
    """What the operator's backend sends for a signed-in user (see docs/requests.md)."""
    return Signer(operator_secret, ASSERTION_PURPOSE).dumps(
        {"email": email, "account_id": account_id}
    )


def verify_assertion(
    session: Session,
    request: SubjectRequest,
    token: str,
    operator_secret: str,
    *,
    register: Register | None,
    actor: str = "operator-backend",
) -> None:
    """Accept the operator's signed statement that the signed-in user is this request's subject.

    The assertion must be fresh (5 minutes) and name an identifier the request carries.
    """
    try:
        claims = Signer(operator_secret, ASSERTION_PURPOSE).loads(token, max_age=ASSERTION_MAX_AGE)
    except TokenExpired:
        raise RequestError("the operator's assertion has expired; sign a fresh one") from None
    except TokenInvalid:
        raise RequestError("the operator's assertion is not validly signed") from None
    if not isinstance(claims, dict):
        raise RequestError("the operator's assertion is not validly signed")
    email = normalise_email(claims.get("email"))
    account = normalise_account(claims.get("account_id"))
    matches = (email and email == request.email) or (account and account == request.account_id)
    if not matches:
        raise RequestError("the assertion names another subject than the request's")
    service.mark_verified(
        session, request, how="operator-assertion", actor=actor, register=register
    )


def latest_code(session: Session, request_id: int) -> VerificationCode | None:
    return session.scalars(
        select(VerificationCode)
        .where(VerificationCode.request_id == request_id)
        .order_by(VerificationCode.id.desc())
        .limit(1)
    ).first()
