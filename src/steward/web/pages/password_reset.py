"""Password reset by e-mail: the same answer whether or not the account exists; the link is
signed, expires in an hour and stops working once used (it is bound to the old password)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from steward.accounts.people import AccountError, find_person, set_password
from steward.accounts.sessions import revoke_all
from steward.accounts.tables import Person
from steward.ledger.audit import record
from steward.lib.i18n import N_
from steward.lib.signing import Signer, TokenInvalid
from steward.notify.outbox import queue
from steward.web.auth import client_ip, csrf_protect
from steward.web.errors import ApiError
from steward.web.pages.common import admin_gettext, see_other, store
from steward.web.security import rate_limit
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
MAX_AGE = 3600
SENT = N_("If an account exists for that address, we sent it a link to set a new password.")
reset_limit = rate_limit("password-reset", 10, 600)


def _serializer(request: Request) -> Signer:
    key = request.app.state.settings.secret_key.get_secret_value()
    return Signer(key, "steward.password-reset")


def _binding(person: Person) -> str:
    return hashlib.sha256(person.password_hash.encode()).hexdigest()[:16]


def _person_for(request: Request, session, token: str) -> Person | None:  # type: ignore[no-untyped-def]
    try:
        data = _serializer(request).loads(token[:500], max_age=MAX_AGE)
    except TokenInvalid:
        return None
    person = session.get(Person, data.get("p")) if isinstance(data, dict) else None
    if person is None or not person.active or data.get("b") != _binding(person):
        return None
    return person


@router.get("/admin/password-reset", response_class=HTMLResponse)
def reset_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "admin/password_reset.html", {"sent": None})


@router.post(
    "/admin/password-reset",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect), Depends(reset_limit)],
)
def reset_request(request: Request, email: Annotated[str, Form(max_length=320)] = "") -> Response:
    with store(request) as session:
        person = find_person(session, email)
        if person is not None and person.active:
            token = _serializer(request).dumps({"p": person.id, "b": _binding(person)})
            link = f"{request.app.state.settings.base_url.rstrip('/')}/admin/password-reset/{token}"
            queue(
                session,
                to=person.email,
                subject="Set a new Steward password",
                text=(
                    "Someone asked to reset the password of your Steward account.\n\n"
                    f"Set a new one within an hour: {link}\n\n"
                    "If it was not you, ignore this message; your password stays as it is."
                ),
                kind="admin.password_reset",
                related=f"person:{person.id}",
            )
            record(
                session,
                actor=person.email,
                action="auth.password_reset_request",
                object_type="person",
                object_id=person.id,
                ip=client_ip(request),
            )
    return templates.TemplateResponse(
        request, "admin/password_reset.html", {"sent": admin_gettext(request)(SENT)}
    )


@router.get(
    "/admin/password-reset/{token}",
    response_class=HTMLResponse,
    dependencies=[Depends(reset_limit)],
)
def new_password_form(request: Request, token: str) -> Response:
    with store(request) as session:
        if _person_for(request, session, token) is None:
            raise ApiError(404, "not_found", "This link is used or expired; ask for a new one.")
    return templates.TemplateResponse(
        request, "admin/password_new.html", {"token": token, "error": None}
    )


@router.post(
    "/admin/password-reset/{token}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect), Depends(reset_limit)],
)
def new_password(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=1024)] = "",
    password_again: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    with store(request) as session:
        person = _person_for(request, session, token)
        if person is None:
            raise ApiError(404, "not_found", "This link is used or expired; ask for a new one.")
        error = None
        if password != password_again:
            error = "The two passwords differ; type the same one twice."
        else:
            try:
                set_password(person, password)
            except AccountError as exc:
                error = str(exc)
            else:
                revoke_all(session, person.id)
                record(
                    session,
                    actor=person.email,
                    action="auth.password_reset",
                    object_type="person",
                    object_id=person.id,
                    ip=client_ip(request),
                )
    if error:
        return templates.TemplateResponse(
            request, "admin/password_new.html", {"token": token, "error": error}, status_code=400
        )
    return see_other("/admin/sign-in")
