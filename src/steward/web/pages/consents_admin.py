"""The consent ledger in the admin: find a subject by an identifier, see each consent's state,
every event and its receipt, and verify the ledger's chain.

    GET  /admin/consents                         the search form, the ledger's size, ?verify=1
    POST /admin/consents                         search by identifier (a form: the identifier
                                                 never appears in a URL or a log line)
    GET  /admin/consents/receipts/{receipt_id}   an event's signed receipt, as JSON

Identifiers are looked up by their keyed digest (``consent/identity.py``), as the ledger
stores them; the page shows the Steward subject id, never the identifier itself after the
search. Each search is written to the audit log (who looked up which subject), since it reads
a person's record.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select

from steward.consent import evidence
from steward.consent.identity import ConsentKeys
from steward.consent.receipts import build_receipt
from steward.consent.tables import ConsentEvent, ConsentSubject
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.lib.identifiers import KINDS, IdentifierError
from steward.requests import verification
from steward.web.auth import Principal, require
from steward.web.consent_runtime import consent_service
from steward.web.errors import ApiError
from steward.web.pages.common import admin_gettext, admin_lang, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require("consents.read"))]
MAX_EVENTS = 500


def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    verify = request.query_params.get("verify") == "1"
    with store(request) as session:
        totals = {
            "events": session.scalar(select(func.count(ConsentEvent.id))) or 0,
            "subjects": session.scalar(select(func.count(ConsentSubject.id))) or 0,
        }
        report = None
        if verify:  # everything `steward ledger verify` checks, with this Steward's own keys
            keys = ConsentKeys.from_settings(request.app.state.settings)
            report = evidence.verify(
                session,
                public_key=keys.public_key_raw(),
                identifier_key=keys.identifier_key,
                chains=("consent",),
            )
    context = {
        "kinds": i18n.words(verification.LABELS, admin_lang(request)),
        "totals": totals,
        "checked": verify,
        "report": report,
        "register": request.app.state.register,
        **extra,
    }
    return templates.TemplateResponse(request, "admin/consents.html", context, status_code=status)


@router.get("/admin/consents", response_class=HTMLResponse)
def consents_page(request: Request, who: Reader) -> Response:
    return _page(request)


@router.post("/admin/consents", response_class=HTMLResponse)
def search(
    request: Request,
    who: Reader,
    kind: Annotated[str, Form(max_length=20)] = "email",
    value: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    _ = admin_gettext(request)
    if kind not in KINDS:
        return _page(request, 400, error=_("Choose the kind of identifier."), kind=kind)
    if request.app.state.register is None:
        return _page(request, 409, error=_("No register is loaded, so there is no ledger key."))
    service = consent_service(request)
    with store(request) as session:
        try:
            subject = service.subject(session, identifiers={kind: value})
        except IdentifierError as exc:
            return _page(request, 400, error=i18n.told(exc, admin_lang(request)), kind=kind)
        if subject is None:
            return _page(request, 200, searched=True, kind=kind)
        who.record(session, "consent.lookup", object_type="consent-subject", object_id=subject)
        current = service.current(session, subject)
        history = service.history(session, subject)[-MAX_EVENTS:]
    names = _purpose_names(request)
    return _page(
        request,
        searched=True,
        kind=kind,
        subject=subject,
        current=current,
        history=list(reversed(history)),
        purpose_names=names,
        cut=len(history) == MAX_EVENTS,
    )


def _purpose_names(request: Request) -> dict[str, str]:
    register = request.app.state.register
    lang = admin_lang(request)
    if register is None:
        return {}
    return {p.id: p.names.get(lang) or p.names.get("en") or p.id for p in register.purposes}


@router.get("/admin/consents/receipts/{receipt_id}", response_model=None)
def receipt(request: Request, receipt_id: str, who: Reader) -> Response:
    with store(request) as session:
        event = session.scalars(
            select(ConsentEvent).where(ConsentEvent.receipt_id == receipt_id[:36])
        ).first()
        if event is None:
            raise ApiError(404, "not_found", N_("No consent event has this receipt id."))
        if request.app.state.register is None:
            raise ApiError(409, "no_register", N_("No register is loaded: no key signs receipts."))
        service = consent_service(request)
        document = build_receipt(
            event, service.register, service.keys, request.app.state.settings.consent_policy_url
        )
    return JSONResponse(
        document,
        headers={"Content-Disposition": f'attachment; filename="consent-{event.receipt_id}.json"'},
    )
