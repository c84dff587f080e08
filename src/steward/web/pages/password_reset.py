"""Password reset by e-mail: the same answer whether or not the account exists; the link is
signed, expires in an hour and stops working once used (it is bound to the old password)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from steward.accounts.people import AccountError, set_password
from steward.accounts.reset import person_for
from steward.accounts.sessions import revoke_all
from steward.accounts.tables import Person
from steward.jobs.registry import enqueue
from steward.ledger.audit import record
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.web.auth import client_ip, csrf_protect
from steward.web.errors import ApiError
from steward.web.pages.common import admin_gettext, admin_lang, see_other, store
from steward.web.security import rate_limit
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
log = logging.getLogger("steward.web")
SENT = N_("If an account exists for that address, we sent it a link to set a new password.")
NOT_NOW = N_("Steward cannot send e-mail right now; nothing was sent. Try again in a few minutes.")
reset_limit = rate_limit("password-reset", 10, 600)


def _person_for(request: Request, session, token: str) -> Person | None:  # type: ignore[no-untyped-def]
    key = request.app.state.settings.secret_key.get_secret_value()
    return person_for(session, token, secret_key=key)


@router.get("/admin/password-reset", response_class=HTMLResponse)
def reset_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "admin/password_reset.html", {"sent": None})


@router.post(
    "/admin/password-reset",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect), Depends(reset_limit)],
)
async def reset_request(
    request: Request, email: Annotated[str, Form(max_length=320)] = ""
) -> Response:
    # The same work for every address (no lookup here): the job looks it up after the answer,
    # so the answer and its timing say nothing of whether an account exists.
    try:
        await run_in_threadpool(
            enqueue, "accounts.password_reset", email=email, ip=client_ip(request)
        )
    except Exception:  # the broker is down: say so, the same way for every address
        log.warning("could not queue a password reset", exc_info=True)
        return templates.TemplateResponse(
            request,
            "admin/password_reset.html",
            {"sent": admin_gettext(request)(NOT_NOW)},
            status_code=503,
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
            raise ApiError(404, "not_found", N_("This link is used or expired; ask for a new one."))
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
            raise ApiError(404, "not_found", N_("This link is used or expired; ask for a new one."))
        error = None
        if password != password_again:
            error = admin_gettext(request)("The two passwords differ; type the same one twice.")
        else:
            try:
                set_password(person, password)
            except AccountError as exc:
                error = i18n.told(exc, admin_lang(request))
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
