"""Identity verification: which identifiers of a request are proven, and how.

    code = issue_code(session, request, secret)          # e-mailed; only its keyed hash is kept
    verify_code(session, request, "123456", secret)      # Outcome.OK / WRONG / EXPIRED / LOCKED
    verify_assertion(session, request, token, operator_secret)
    issue_result_code(session, request, secret)          # another browser: a download code
    verify_result_code(session, request, "123456", secret)
    prove(session, request, ["account-id"], how="agent", actor=..., register=...)
    proven(request)                                      # {"email": "email-code", ...}

Each identifier is proven on its own: the code proves the e-mail it was sent to, the operator's
assertion proves the identifiers it names, an agent proves the ones they say they checked.
Only proven identifiers are searched (``requests.execution.order_for``); the others stay on
the request, marked "not proven, not searched" on its pages.

Codes expire after ``CODE_MINUTES``, lock after ``MAX_ATTEMPTS`` wrong tries, are compared in
constant time, and at most ``MAX_CODES_PER_HOUR`` are sent per request. Callers commit even on
a wrong code, so that the attempt counts. Answers never reveal whether an e-mail is known.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.lib.i18n import N_, Phrase
from steward.lib.identifiers import normalise_account, normalise_email, normalise_phone
from steward.lib.signing import Signer, TokenExpired, TokenInvalid, digest
from steward.register import Register
from steward.requests import emails, service
from steward.requests.states import CLOSED, RequestError, State
from steward.requests.tables import RequestProof, SubjectRequest, VerificationCode
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


# The identifiers a request may carry: the name the datastores use -> the request's column.
IDENTIFIERS: dict[str, str] = {"email": "email", "phone": "phone", "account-id": "account_id"}
LABELS: dict[str, str] = {
    "email": N_("E-mail"),
    "phone": N_("Telephone"),
    "account-id": N_("Account id"),
}


def identifiers_of(request: SubjectRequest) -> dict[str, str]:
    """The identifiers the request carries, by name (``email``, ``phone``, ``account-id``)."""
    found = {name: getattr(request, column) for name, column in IDENTIFIERS.items()}
    return {name: value for name, value in found.items() if value}


def proven(request: SubjectRequest) -> dict[str, str]:
    """Each proven identifier of the request and how it was proven (the first proof wins)."""
    carried = identifiers_of(request)
    out: dict[str, str] = {}
    for proof in request.proofs:
        if proof.identifier in carried:
            out.setdefault(proof.identifier, proof.how)
    return out


def not_searched_note(request: SubjectRequest) -> Phrase | str:
    """ "; not searched (not proven): phone" for a result summary, or "" when all are proven."""
    proven_now = proven(request)
    left = [name for name in identifiers_of(request) if name not in proven_now]
    if not left:
        return ""
    return Phrase(N_("; not searched (not proven): %(identifiers)s"), identifiers=", ".join(left))


def prove(
    session: Session,
    request: SubjectRequest,
    identifiers: Iterable[str],
    *,
    how: str,
    actor: str,
    register: Register | None,
    ip: str | None = None,
) -> list[str]:
    """Record that ``identifiers`` of the request are proven (``how``), then mark it verified.

    Raises ``RequestError`` when none is named or one is not on the request. Returns the
    identifiers newly proven (those proven before are not recorded twice).
    """
    wanted = list(dict.fromkeys(identifiers))
    carried = identifiers_of(request)
    if not wanted:
        raise RequestError(
            N_(
                "say which identifiers you checked (e-mail, telephone, account id); "
                "only those are searched"
            )
        )
    unknown = [name for name in wanted if name not in carried]
    if unknown:
        if not carried:
            raise RequestError(
                N_("the request carries no %(unknown)s; it carries no identifier"),
                unknown=", ".join(unknown),
            )
        raise RequestError(
            N_("the request carries no %(unknown)s; it carries %(carried)s"),
            unknown=", ".join(unknown),
            carried=", ".join(carried),
        )
    if request.state in {s.value for s in CLOSED}:
        raise RequestError(N_("the request is closed; nothing more can be proven"))
    already = proven(request)
    new = [name for name in wanted if name not in already]
    for name in new:
        request.proofs.append(RequestProof(identifier=name, how=how, actor=actor, at=utcnow()))
        by = Phrase(N_("%(identifier)s by %(how)s"), identifier=name, how=how)
        service.record_event(session, request, actor, "proven", by, ip=ip)
    session.flush()
    service.mark_verified(session, request, how=how, actor=actor, register=register, ip=ip)
    if new:
        service.link_duplicate(session, request, actor=actor)
    return new


IDENTITY, RESULT = "identity", "result"


def _hash(secret: str, request_id: int, code: str, purpose: str = IDENTITY) -> str:
    if purpose == IDENTITY:
        return digest(secret, f"{request_id}:{code}")
    return digest(secret, f"{purpose}:{request_id}:{code}")


def _new_code(session: Session, request: SubjectRequest, secret: str, purpose: str) -> str:
    """A fresh code of ``purpose`` stored as its keyed hash; older live ones of that purpose
    are voided. At most ``MAX_CODES_PER_HOUR`` codes (of any purpose) per request an hour."""
    now = utcnow()
    recent = session.scalar(
        select(func.count(VerificationCode.id)).where(
            VerificationCode.request_id == request.id,
            VerificationCode.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= MAX_CODES_PER_HOUR:
        raise TooManyCodes(N_("too many codes were sent for this request; try again in an hour"))
    for old in session.scalars(
        select(VerificationCode).where(
            VerificationCode.request_id == request.id,
            VerificationCode.used_at.is_(None),
            VerificationCode.purpose == purpose,
        )
    ):
        old.used_at = now  # voided: only the newest code works
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(
        VerificationCode(
            request_id=request.id,
            code_hash=_hash(secret, request.id, code, purpose),
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            attempts=0,
            purpose=purpose,
        )
    )
    return code


def _check_code(
    session: Session,
    request: SubjectRequest,
    code: str,
    secret: str,
    purpose: str,
    ip: str | None,
) -> Outcome:
    """Check ``code`` against the newest live code of ``purpose``; a wrong try is counted and
    locks the code after ``MAX_ATTEMPTS``; a right one is used up."""
    now = utcnow()
    row = latest_code(session, request.id, purpose)
    candidate = "".join(ch for ch in code if ch.isdigit())[:6]
    if row is None or row.used_at is not None or row.expires_at <= now:
        # Compare anyway so that the answer takes the same time either way.
        hmac.compare_digest(_hash(secret, request.id, candidate, purpose), "0" * 64)
        return Outcome.EXPIRED
    if row.attempts >= MAX_ATTEMPTS:
        return Outcome.LOCKED
    if not hmac.compare_digest(_hash(secret, request.id, candidate, purpose), row.code_hash):
        row.attempts += 1
        service.record_event(
            session,
            request,
            "subject",
            "code-wrong",
            Phrase(N_("try %(num)s"), num=row.attempts),
            ip=ip,
        )
        return Outcome.LOCKED if row.attempts >= MAX_ATTEMPTS else Outcome.WRONG
    row.used_at = now
    return Outcome.OK


def issue_code(
    session: Session, request: SubjectRequest, secret: str, *, link: str = ""
) -> str | None:
    """Make a fresh code, void older ones and e-mail it; None when the request has no e-mail."""
    if request.state in {s.value for s in CLOSED} or request.verified_at is not None:
        raise RequestError(N_("this request needs no verification code"))
    code = _new_code(session, request, secret, IDENTITY)
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
    outcome = _check_code(session, request, code, secret, IDENTITY, ip)
    if outcome == Outcome.OK:
        prove(
            session, request, ["email"], how="email-code", actor="subject", register=register, ip=ip
        )
    return outcome


def has_result(request: SubjectRequest) -> bool:
    """The request is completed and carries a result file the subject may download."""
    return request.state == State.COMPLETED and request.result is not None


def issue_result_code(
    session: Session, request: SubjectRequest, secret: str, *, link: str = ""
) -> None:
    """E-mail a code to the request's proven e-mail address so that the subject can download
    the result in a browser other than the one that verified the request.

    Raises ``RequestError`` when there is no result, or no proven e-mail to send it to.
    """
    if not has_result(request):
        raise RequestError(N_("this request has no result to download"))
    if request.email is None or "email" not in proven(request):
        raise RequestError(
            N_(
                "this request proved no e-mail address we could send a code to; ask us for "
                "the result, quoting the request's reference"
            )
        )
    code = _new_code(session, request, secret, RESULT)
    service.record_event(session, request, "steward", "result-code-sent", "")
    emails.send(session, request, "result-code", code=code, minutes=CODE_MINUTES, link=link)


def verify_result_code(
    session: Session, request: SubjectRequest, code: str, secret: str, *, ip: str | None = None
) -> Outcome:
    """Check a download code (``issue_result_code``); OK lets this browser download."""
    if not has_result(request):
        return Outcome.EXPIRED
    outcome = _check_code(session, request, code, secret, RESULT, ip)
    if outcome == Outcome.OK:
        service.record_event(
            session,
            request,
            "subject",
            "result-reverified",
            Phrase(N_("e-mail code, another browser")),
            ip=ip,
        )
    return outcome


def assertion_token(
    operator_secret: str,
    *,
    email: str | None,
    account_id: str | None,
    phone: str | None = None,
) -> str:
    """What the operator's backend sends for a signed-in user (see docs/requests.md)."""
    claims: dict[str, str | None] = {"email": email, "account_id": account_id}
    if phone:
        claims["phone"] = phone
    return Signer(operator_secret, ASSERTION_PURPOSE).dumps(claims)


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

    The assertion must be fresh (5 minutes) and name an identifier the request carries; it
    proves exactly the identifiers it names that equal the request's, nothing typed beside them.
    """
    try:
        claims = Signer(operator_secret, ASSERTION_PURPOSE).loads(token, max_age=ASSERTION_MAX_AGE)
    except TokenExpired:
        raise RequestError(N_("the operator's assertion has expired; sign a fresh one")) from None
    except TokenInvalid:
        raise RequestError(N_("the operator's assertion is not validly signed")) from None
    if not isinstance(claims, dict):
        raise RequestError(N_("the operator's assertion is not validly signed"))
    named = {
        "email": normalise_email(claims.get("email")),
        "phone": normalise_phone(claims.get("phone"), None),
        "account-id": normalise_account(claims.get("account_id")),
    }
    carried = identifiers_of(request)
    matches = [name for name, value in named.items() if value and carried.get(name) == value]
    if not matches:
        raise RequestError(N_("the assertion names another subject than the request's"))
    prove(session, request, matches, how="operator-assertion", actor=actor, register=register)


def latest_code(
    session: Session, request_id: int, purpose: str = IDENTITY
) -> VerificationCode | None:
    return session.scalars(
        select(VerificationCode)
        .where(VerificationCode.request_id == request_id, VerificationCode.purpose == purpose)
        .order_by(VerificationCode.id.desc())
        .limit(1)
    ).first()
