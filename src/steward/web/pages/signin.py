"""Sign-in with password and TOTP, sign-out. One message for every failure (no enumeration)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from steward.accounts.people import (
    LOCK_MINUTES,
    MAX_FAILURES,
    SignInResult,
    find_person,
    register_totp_failure,
    sign_in,
    totp_locked,
)
from steward.accounts.sessions import LIFETIME, load_session, revoke, start_session
from steward.accounts.tables import Person
from steward.accounts.totp import check_code, unseal
from steward.ledger.audit import record
from steward.lib.i18n import N_
from steward.requests import links
from steward.requests.states import RequestError
from steward.web.auth import Principal, client_ip, csrf_protect, require, totp_roles
from steward.web.pages.common import admin_gettext, https, safe_next, see_other, store
from steward.web.security import SESSION_COOKIE, over_limit, rate_limit, set_cookie_header
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
FAILED = N_("The e-mail address or password is wrong, or the account is locked for a while.")
WRONG_CODE = N_("That code is wrong or was already used; try the next one.")
sign_in_limit = rate_limit("sign-in", 20, 300)
DEVICE_COOKIE = "steward_device"
DEVICE_DAYS = 90


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key.get_secret_value())


def _device(request: Request) -> str | None:
    """The signed "signed in here before" cookie's value: person id and a nonce, or None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 500:
        return None
    try:
        value = links.load(_secret(request), "device", raw, DEVICE_DAYS * 86400)
    except RequestError:
        return None
    return str(value) if isinstance(value, str) else None


def _is_device_of(session: Any, device: str, email: str) -> bool:
    person = find_person(session, email[:320])
    return person is not None and device.split(":", 1)[0] == str(person.id)


def _remember_device(request: Request, response: Response, person_id: int) -> None:
    """After a full sign-in, mark this browser as one the person uses (signed, HttpOnly)."""
    value = links.sign(_secret(request), "device", f"{person_id}:{secrets.token_hex(8)}")
    header = set_cookie_header(
        DEVICE_COOKIE, value, secure=https(request), max_age=DEVICE_DAYS * 86400
    )
    response.headers.append("set-cookie", header)


def _with_session_cookie(response: Response, request: Request, raw: str | None) -> Response:
    value = raw or ""
    max_age = int(LIFETIME.total_seconds()) if raw else 0
    header = set_cookie_header(SESSION_COOKIE, value, secure=https(request), max_age=max_age)
    response.headers.append("set-cookie", header)
    return response


@router.get("/admin/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = "") -> Response:
    return _form(request, safe_next(next))


def _form(request: Request, target: str, error: str | None = None, email: str = "") -> Response:
    # When no role must use a second factor (the demo), the page says so.
    context = {"next": target, "error": error, "email": email}
    context["second_factor_off"] = not totp_roles(request)
    return templates.TemplateResponse(
        request, "admin/sign_in.html", context, status_code=400 if error else 200
    )


@router.post(
    "/admin/sign-in",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect), Depends(sign_in_limit)],
)
def sign_in_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    target = safe_next(next)
    ip = client_ip(request)
    device = _device(request)
    with store(request) as session:
        known = device is not None and _is_device_of(session, device, email)
        if known and over_limit(request, f"device:{device}", MAX_FAILURES, LOCK_MINUTES * 60):
            result = SignInResult(None, "locked")  # this browser's own tries are used up
        else:
            result = sign_in(session, email, password, known_device=known)
        if result.person is None:
            if result.account is not None:
                record(
                    session,
                    actor=result.account.email,
                    action="auth.sign_in_failed",
                    object_type="person",
                    object_id=result.account.id,
                    ip=ip,
                    details={"reason": result.reason},
                )
            failed = True
        else:
            failed = False
            person = result.person
            stage = "totp" if person.totp_enabled else "full"
            raw, row = start_session(
                session,
                person,
                ip=ip,
                user_agent=request.headers.get("user-agent", ""),
                stage=stage,
            )
            if stage == "full":
                person.last_sign_in_at = row.created_at
                record(
                    session,
                    actor=person.email,
                    action="auth.sign_in",
                    object_type="person",
                    object_id=person.id,
                    ip=ip,
                    details={"second_factor": False},
                )
    if failed:
        return _form(request, target, admin_gettext(request)(FAILED), email[:320])
    destination = f"/admin/sign-in/totp?next={target}" if stage == "totp" else target
    response = _with_session_cookie(see_other(destination), request, raw)
    if stage == "full":
        _remember_device(request, response, person.id)
    return response


@router.get("/admin/sign-in/totp", response_class=HTMLResponse)
def totp_form(request: Request, next: str = "") -> Response:
    return templates.TemplateResponse(
        request, "admin/sign_in_totp.html", {"next": safe_next(next), "error": None}
    )


@router.post(
    "/admin/sign-in/totp",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect), Depends(sign_in_limit)],
)
def totp_submit(
    request: Request,
    code: Annotated[str, Form(max_length=20)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    target = safe_next(next)
    raw = request.cookies.get(SESSION_COOKIE, "")
    ip = client_ip(request)
    fresh: str | None = None
    with store(request) as session:
        row = load_session(session, raw) if raw else None
        person = session.get(Person, row.person_id) if row and row.stage == "totp" else None
        ok = False
        if person is not None and row is not None and not totp_locked(person):
            key = request.app.state.settings.secret_key.get_secret_value()
            secret = unseal(key, person.totp_secret)
            step = check_code(secret, code, person.totp_last_step) if secret else None
            if step is not None:
                ok = True
                person.totp_last_step = step
                person.failed_totp = 0
                person.last_sign_in_at = row.created_at
                # A new session id once both factors are given: the half-signed-in token
                # (which a fixation or a glance at the first step could learn) dies here.
                revoke(row)
                fresh, _ = start_session(
                    session, person, ip=ip, user_agent=request.headers.get("user-agent", "")
                )
                record(
                    session,
                    actor=person.email,
                    action="auth.sign_in",
                    object_type="person",
                    object_id=person.id,
                    ip=ip,
                    details={"second_factor": True},
                )
            else:
                register_totp_failure(session, person)
                record(
                    session,
                    actor=person.email,
                    action="auth.sign_in_failed",
                    object_type="person",
                    object_id=person.id,
                    ip=ip,
                    details={"reason": "totp"},
                )
    if row is None:
        return see_other("/admin/sign-in")
    if not ok:
        return templates.TemplateResponse(
            request,
            "admin/sign_in_totp.html",
            {
                "next": target,
                "error": admin_gettext(request)(
                    "That code is wrong or was already used; try the next one."
                ),
            },
            status_code=400,
        )
    response = _with_session_cookie(see_other(target), request, fresh)
    if person is not None:
        _remember_device(request, response, person.id)
    return response


@router.post("/admin/sign-out")
def sign_out(request: Request, who: Annotated[Principal, Depends(require("account"))]) -> Response:
    with store(request) as session:
        row = load_session(session, request.cookies.get(SESSION_COOKIE, ""))
        if row is not None:
            revoke(row)
        who.record(session, "auth.sign_out", object_type="person", object_id=who.id)
    return _with_session_cookie(see_other("/admin/sign-in"), request, None)
