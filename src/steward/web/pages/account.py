"""One's own account: password, TOTP enrolment, sessions (list, revoke, sign out everywhere)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from steward.accounts import totp
from steward.accounts.passwords import verify_password
from steward.accounts.people import AccountError, set_password, totp_required
from steward.accounts.sessions import live_sessions, revoke_all
from steward.accounts.tables import Person, SignInSession
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.web.auth import Principal, require
from steward.web.errors import ApiError
from steward.web.pages.common import admin_gettext, admin_lang, see_other, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Me = Annotated[Principal, Depends(require("account"))]


def _me(session, who: Principal) -> Person:  # type: ignore[no-untyped-def]
    person = session.get(Person, who.id)
    if person is None:
        raise ApiError(404, "not_found", N_("Your account no longer exists."))
    return person


def _account_page(request: Request, who: Principal, **extra: object) -> Response:
    with store(request) as session:
        person = _me(session, who)
        sessions = live_sessions(session, person.id)
        required = totp_required(session)
    context = {
        "person": person,
        "sessions": sessions,
        "totp_required": required,
        "languages": [(code, i18n.language_name(code)) for code in i18n.LANGUAGES],
        **extra,
    }
    status = 400 if extra.get("error") else 200
    return templates.TemplateResponse(request, "admin/account.html", context, status_code=status)


@router.get("/admin/account", response_class=HTMLResponse)
def account(request: Request, who: Me) -> Response:
    return _account_page(request, who)


@router.post("/admin/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    who: Me,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    new_again: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    _ = admin_gettext(request)
    with store(request) as session:
        person = _me(session, who)
        if not verify_password(person.password_hash, current):
            error = _("The current password is wrong.")
        elif new != new_again:
            error = _("The two new passwords differ.")
        else:
            try:
                set_password(person, new)
            except AccountError as exc:
                error = i18n.told(exc, admin_lang(request))
            else:
                error = None
                revoke_all(session, person.id, keep=who.session_id)
                who.record(
                    session, "person.password_change", object_type="person", object_id=person.id
                )
    if error:
        return _account_page(request, who, error=error)
    return _account_page(request, who, flash=_("Password changed; your other sessions ended."))


@router.post("/admin/account/language", response_class=HTMLResponse)
def choose_language(
    request: Request, who: Me, language: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    """The admin pages' language: one of ``i18n.LANGUAGES``, or empty to follow the browser."""
    if language and language not in i18n.LANGUAGES:
        known = ", ".join(i18n.LANGUAGES)
        raise ApiError(
            400,
            "bad_language",
            N_("Unknown language %(language)r; one of %(known)s."),
            language=language[:8],
            known=known,
        )
    with store(request) as session:
        person = _me(session, who)
        person.language = language or None
        who.record(
            session,
            "person.language",
            object_type="person",
            object_id=person.id,
            details={"language": person.language},
        )
    request.state.principal = replace(who, language=language or None)
    _ = admin_gettext(request)
    return _account_page(request, who, flash=_("Language saved."))


@router.get("/admin/account/totp", response_class=HTMLResponse)
def totp_enrol_form(request: Request, who: Me) -> Response:
    with store(request) as session:
        person = _me(session, who)
        if person.totp_enabled:
            return see_other("/admin/account")
        key = _secret_key(request)
        secret = totp.unseal(key, person.totp_secret)
        if secret is None:  # none yet, or sealed under a former secret key: a new one
            secret = totp.new_secret()
            person.totp_secret = totp.seal(key, secret)
        required = totp_required(session)
    return _enrol_page(request, who, secret, required)


def _secret_key(request: Request) -> str:
    return str(request.app.state.settings.secret_key.get_secret_value())


def _enrol_page(
    request: Request, who: Principal, secret: str, required: bool, error: str | None = None
) -> Response:
    uri = totp.provisioning_uri(secret, who.name, issuer="Steward")
    qr = Markup(totp.qr_svg(uri))  # noqa: S704 - SVG made by segno from our own URI
    return templates.TemplateResponse(
        request,
        "admin/totp_enrol.html",
        {"secret": secret, "qr": qr, "required": required, "error": error},
        status_code=400 if error else 200,
    )


@router.post("/admin/account/totp", response_class=HTMLResponse)
def totp_enrol(
    request: Request, who: Me, code: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    with store(request) as session:
        person = _me(session, who)
        secret = totp.unseal(_secret_key(request), person.totp_secret)
        if person.totp_enabled or secret is None:
            return see_other("/admin/account/totp")
        step = totp.check_code(secret, code, person.totp_last_step)
        if step is not None:
            person.totp_enabled, person.totp_last_step = True, step
            who.record(session, "person.totp_enable", object_type="person", object_id=person.id)
        required = totp_required(session)
    _ = admin_gettext(request)
    if step is None:
        wrong = _("That code is wrong; check the clock of your phone and try the next one.")
        return _enrol_page(request, who, secret, required, wrong)
    return _account_page(request, who, flash=_("Second factor set up."))


@router.post("/admin/account/totp/disable", response_class=HTMLResponse)
def totp_disable(
    request: Request, who: Me, password: Annotated[str, Form(max_length=1024)] = ""
) -> Response:
    _ = admin_gettext(request)
    with store(request) as session:
        person = _me(session, who)
        if totp_required(session):
            error = _("An owner made the second factor mandatory; it cannot be switched off.")
        elif not verify_password(person.password_hash, password):
            error = _("The password is wrong.")
        else:
            error = None
            person.totp_enabled, person.totp_secret = False, None
            who.record(session, "person.totp_disable", object_type="person", object_id=person.id)
    if error:
        return _account_page(request, who, error=error)
    return _account_page(request, who, flash=_("Second factor switched off."))


@router.post("/admin/account/sessions/{session_id}/revoke")
def revoke_session(request: Request, session_id: int, who: Me) -> Response:
    with store(request) as session:
        row = session.get(SignInSession, session_id)
        if row is None or row.person_id != who.id:
            raise ApiError(404, "not_found", N_("No such session of yours."))
        from steward.accounts.sessions import revoke

        revoke(row)
        who.record(session, "auth.session_revoke", object_type="session", object_id=row.id)
    return see_other("/admin/account")


@router.post("/admin/account/sign-out-everywhere")
def sign_out_everywhere(request: Request, who: Me) -> Response:
    with store(request) as session:
        count = revoke_all(session, who.id)
        who.record(
            session,
            "auth.sign_out_everywhere",
            object_type="person",
            object_id=who.id,
            details={"sessions": count},
        )
    return see_other("/admin/sign-in")
