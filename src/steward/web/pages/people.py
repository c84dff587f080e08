"""People: the list, invitations (send and accept), role changes, deactivation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from steward.accounts import invitations
from steward.accounts.people import AccountError, change_role, deactivate
from steward.accounts.sessions import revoke_all
from steward.accounts.tables import ROLE_LABELS, ROLE_NAMES, ROLES, Person
from steward.ledger.audit import record
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.notify.outbox import queue
from steward.web.auth import Principal, client_ip, csrf_protect, require
from steward.web.errors import ApiError
from steward.web.pages.common import admin_gettext, admin_lang, see_other, store
from steward.web.security import rate_limit
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)

INVITATION = (
    N_("You are invited to Steward"),
    N_(
        "%(name)s invited you to Steward as %(role)s.\n\n"
        "Create your account within 72 hours: %(link)s\n\n"
        "The link works once. If you did not expect this, ignore this message."
    ),
)
"""The invitation e-mail's subject and body, English here, each other language from the
catalogue; in the inviter's admin language."""


def _people_page(request: Request, who: Principal, **extra: object) -> Response:
    with store(request) as session:
        people = session.scalars(select(Person).order_by(Person.email)).all()
        pending = invitations.pending_invitations(session) if who.can("people.manage") else []
    context = {"people": people, "pending": pending, "roles": ROLES, "role_labels": ROLE_LABELS}
    context.update(extra)
    status = 400 if extra.get("error") else 200
    return templates.TemplateResponse(request, "admin/people.html", context, status_code=status)


@router.get("/admin/people", response_class=HTMLResponse)
def people_list(
    request: Request, who: Annotated[Principal, Depends(require("people.read"))]
) -> Response:
    return _people_page(request, who)


@router.post("/admin/people/invite", response_class=HTMLResponse)
def invite(
    request: Request,
    who: Annotated[Principal, Depends(require("people.manage"))],
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=20)] = "agent",
) -> Response:
    try:
        with store(request) as session:
            raw, row = invitations.invite(session, email, role=role, invited_by=who.id)
            link = f"{request.app.state.settings.base_url.rstrip('/')}/admin/invitations/{raw}"
            # the invited person has no account, so no language yet: the invitation is in
            # the language the inviter reads the admin in, who knows the person invited
            lang = admin_lang(request)
            values = {
                "name": who.display_name,
                "role": i18n.say(ROLE_NAMES.get(row.role, row.role), lang),
                "link": link,
            }
            queue(
                session,
                to=row.email,
                subject=i18n.say(INVITATION[0], lang),
                text=i18n.say(INVITATION[1], lang, values),
                lang=lang,
                kind="admin.invitation",
                related=f"invitation:{row.id}",
            )
            who.record(
                session,
                "person.invite",
                object_type="invitation",
                object_id=row.id,
                details={"role": row.role},
            )
    except AccountError as exc:
        return _people_page(request, who, error=i18n.told(exc, admin_lang(request)))
    flash = i18n.say(N_("Invitation sent to %(email)s."), admin_lang(request), {"email": row.email})
    return _people_page(request, who, flash=flash, invite_link=link)


@router.post("/admin/people/{person_id}/role")
def set_role(
    request: Request,
    person_id: int,
    who: Annotated[Principal, Depends(require("people.manage"))],
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        with store(request) as session:
            person = session.get(Person, person_id)
            if person is None:
                raise ApiError(404, "not_found", N_("No person %(id)s."), id=person_id)
            before = person.role
            change_role(session, person, role)
            if before != role:
                who.record(
                    session,
                    "person.role_change",
                    object_type="person",
                    object_id=person.id,
                    details={"from": before, "to": role},
                )
    except AccountError as exc:
        return _people_page(request, who, error=i18n.told(exc, admin_lang(request)))
    return see_other("/admin/people")


@router.post("/admin/people/{person_id}/deactivate")
def deactivate_person(
    request: Request,
    person_id: int,
    who: Annotated[Principal, Depends(require("people.manage"))],
) -> Response:
    try:
        with store(request) as session:
            person = session.get(Person, person_id)
            if person is None:
                raise ApiError(404, "not_found", N_("No person %(id)s."), id=person_id)
            deactivate(session, person)
            revoke_all(session, person.id)
            who.record(session, "person.deactivate", object_type="person", object_id=person.id)
    except AccountError as exc:
        return _people_page(request, who, error=i18n.told(exc, admin_lang(request)))
    return see_other("/admin/people")


@router.post("/admin/invitations/{invitation_id}/revoke")
def revoke_invitation(
    request: Request,
    invitation_id: int,
    who: Annotated[Principal, Depends(require("people.manage"))],
) -> Response:
    from steward.accounts.tables import Invitation
    from steward.store.tables import utcnow

    with store(request) as session:
        row = session.get(Invitation, invitation_id)
        if row is None:
            raise ApiError(404, "not_found", N_("No invitation %(id)s."), id=invitation_id)
        row.revoked_at = row.revoked_at or utcnow()
        who.record(session, "person.invite_revoke", object_type="invitation", object_id=row.id)
    return see_other("/admin/people")


invitation_limit = rate_limit("invitation", 30, 300)


@router.get(
    "/admin/invitations/{token}",
    response_class=HTMLResponse,
    dependencies=[Depends(invitation_limit)],
)
def invitation_form(request: Request, token: str) -> Response:
    with store(request) as session:
        row = invitations.open_invitation(session, token)
    if row is None:
        raise ApiError(404, "not_found", N_("This invitation link is used, revoked or expired."))
    return templates.TemplateResponse(
        request, "admin/invitation.html", {"invitation": row, "token": token, "error": None}
    )


@router.post(
    "/admin/invitations/{token}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect), Depends(invitation_limit)],
)
def invitation_accept(
    request: Request,
    token: str,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    password_again: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    with store(request) as session:
        row = invitations.open_invitation(session, token)
        if row is None:
            raise ApiError(
                404, "not_found", N_("This invitation link is used, revoked or expired.")
            )
        error = None
        if password != password_again:
            error = admin_gettext(request)("The two passwords differ; type the same one twice.")
        else:
            try:
                person = invitations.accept(session, token, name=name, password=password)
            except AccountError as exc:
                error = i18n.told(exc, admin_lang(request))
            else:
                record(
                    session,
                    actor=person.email,
                    action="person.invitation_accept",
                    object_type="person",
                    object_id=person.id,
                    ip=client_ip(request),
                    details={"role": person.role, "invitation": row.id},
                )
    if error:
        return templates.TemplateResponse(
            request,
            "admin/invitation.html",
            {"invitation": row, "token": token, "error": error},
            status_code=400,
        )
    return see_other("/admin/sign-in?created=1")
