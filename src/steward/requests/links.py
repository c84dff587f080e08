"""Signed links: the subject's request page, the verified-browser cookie, the result download.

A result link names the request and its current result nonce, so issuing a new result voids
the old link; it expires after ``max_age`` seconds. It works only in a browser that carries the
verified-subject cookie for the same request, so a forwarded or leaked link is useless to
another person.
"""

from __future__ import annotations

from steward.lib.i18n import N_
from steward.lib.signing import Signer, TokenExpired, TokenInvalid
from steward.requests.states import RequestError


class LinkError(RequestError):
    code = "link_invalid"


def _s(secret: str, salt: str) -> Signer:
    return Signer(secret, f"steward-requests-{salt}")


def sign(secret: str, salt: str, payload: object) -> str:
    return _s(secret, salt).dumps(payload)


def load(secret: str, salt: str, token: str, max_age: int) -> object:
    try:
        return _s(secret, salt).loads(token, max_age=max_age)
    except TokenExpired:
        raise LinkError(N_("this link has expired; ask us for a new one")) from None
    except TokenInvalid:
        raise LinkError(N_("this link is not valid")) from None


def result_token(secret: str, request_id: int, nonce: str) -> str:
    return sign(secret, "result", [request_id, nonce])


def result_claims(secret: str, token: str, max_age: int) -> tuple[int, str]:
    value = load(secret, "result", token, max_age)
    if not (isinstance(value, list) and len(value) == 2):
        raise LinkError(N_("this link is not valid"))
    return int(value[0]), str(value[1])


def subject_cookie(secret: str, request_id: int) -> str:
    return sign(secret, "subject", request_id)


def cookie_request(secret: str, cookie: str | None, max_age: int) -> int | None:
    if not cookie:
        return None
    try:
        return int(load(secret, "subject", cookie, max_age))  # type: ignore[call-overload]
    except (LinkError, TypeError, ValueError):
        return None
