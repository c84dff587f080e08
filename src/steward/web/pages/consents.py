"""Privacy Center: a verified subject sees every consent and changes it; receipts to download.

    GET  /privacy/consents                 ask for a link by e-mail (answer never says if known)
    GET  /privacy/consents/{token}         every consent item with its state and a toggle
    POST /privacy/consents/{token}         give or withdraw one item (CSRF-checked form)
    GET  /privacy/consents/{token}/receipts/{receipt_id}   the signed receipt, as JSON

The token is a signed, expiring link naming the Steward subject: e-mailed to a verified address,
or issued by the operator's backend for a signed-in user (``POST /api/v1/consents/center-links``).
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from steward.consent import ledger
from steward.consent.receipts import build_receipt
from steward.consent.rules import ConsentRuleError
from steward.consent.service import ConsentService
from steward.consent.tables import ConsentEvent
from steward.consent.tokens import TokenError, center_subject, center_token
from steward.filings.consent_document import UnknownConsentItem, consent_document
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.lib.signing import digest
from steward.notices.render import markdown_to_html
from steward.notify import outbox
from steward.store.db import transaction
from steward.web.consent_runtime import allowed, consent_service
from steward.web.pages.common import pick_lang

router = APIRouter(tags=["privacy center"], include_in_schema=False)

WORDS: dict[str, str] = {
    "title": N_("Your consents"),
    "on": N_("Given"),
    "off": N_("Not given"),
    "give": N_("Give consent"),
    "withdraw": N_("Withdraw"),
    "receipt": N_("Receipt"),
    "expires": N_("expires"),
    "reconfirm": N_("Please confirm again: the purpose has changed"),
    "gpc": N_("Opt-out preference signal honored"),
    "document": N_("Consent document"),
    "saved": N_("Saved. Your choice is recorded in the consent ledger."),
    "ask": N_("Enter your e-mail address and we will send you a link to your consents."),
    "send": N_("Send the link"),
    "sent": N_("If we know this address, a link is on its way. It works for 24 hours."),
    "email": N_("E-mail address"),
}


def lang_of(request: Request) -> str:
    """The page language (``pages/common.pick_lang``, the one picker of the public pages)."""
    return pick_lang(request)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    from steward.web.templating import templates

    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        name,
        {
            "lang": lang,
            "w": i18n.words(WORDS, lang),
            "operator_name": request.app.state.register.operator.legal_name
            if request.app.state.register
            else None,
            **context,
        },
        status_code=status,
    )


def _csrf(service: ConsentService, token: str) -> str:
    return digest(service.keys.token_secret, f"csrf\n{token}")


def _rows(request: Request, service: ConsentService, subject_id: str) -> list[dict[str, Any]]:
    lang = lang_of(request)
    register = service.register
    with request.app.state.sessions() as session:
        current = {
            (e.purpose_id, e.channel): (e, d) for e, d in service.current(session, subject_id)
        }
        rows = []
        for item in register.consents.items:
            decision = service.decide(
                session, subject_id=subject_id, purpose=item.purpose, channel=str(item.channel)
            )
            entry = current.get((item.purpose, str(item.channel)), (None, None))[0]
            rows.append(
                {
                    "id": item.id,
                    "label": i18n.localized(item.labels, lang),
                    "purpose": i18n.localized(register.purpose(item.purpose).names, lang),
                    "allowed": decision.allowed,
                    "reason": decision.reason,
                    "expires": decision.expires_at,
                    "receipt": entry.receipt_id if entry else None,
                    # CCPA § 7025(c)(6): say so where the opt-out preference signal was honored.
                    "gpc": entry is not None and entry.method == "gpc" and not decision.allowed,
                    "written": item.written,
                }
            )
    return rows


def _gpc_honored(request: Request, service: ConsentService, subject_id: str) -> bool:
    """CCPA § 7025(c)(6): an opt-out preference signal stands for at least one purpose."""
    with request.app.state.sessions() as session:
        return any(
            event.method == "gpc" and not decision.allowed
            for event, decision in service.current(session, subject_id)
        )


@router.get("/privacy/consents/documents/{item_id}", response_class=HTMLResponse)
def consent_document_page(request: Request, item_id: str) -> HTMLResponse:
    """The written consent document of an item (152-FZ Art. 9 p.4), as the subject reads it;
    the ledger records the hash shown at the foot when the consent is given."""
    register = request.app.state.register
    if register is None:
        return render(request, "privacy/consents_ask.html", {"sent": False}, status=404)
    lang = lang_of(request)
    try:
        document = consent_document(register, item_id, lang if lang in ("ru", "en") else "en")
    except UnknownConsentItem as exc:
        raise HTTPException(404, str(exc)) from None
    body, title, _ = markdown_to_html(document.text)
    return render(
        request,
        "privacy/consent_document.html",
        {
            "body": Markup(body),  # noqa: S704 - markdown-it output of escaped register text
            "title": Markup(title),  # noqa: S704
            "sha256": document.sha256,
            "doc_lang": document.lang,
        },
    )


@router.get("/privacy/consents", response_class=HTMLResponse)
def ask_for_link(request: Request) -> HTMLResponse:
    return render(request, "privacy/consents_ask.html", {"sent": False})


@router.post("/privacy/consents", response_class=HTMLResponse)
def send_link(request: Request, email: str = Form(..., max_length=320)) -> HTMLResponse:
    """Mail a link when the address is known; the page says the same either way."""
    service = consent_service(request)
    lang = lang_of(request)
    if not allowed(request, "center-link", 5):
        return render(
            request,
            "privacy/consents_ask.html",
            {"error": "Too many requests; wait a minute."},
            status=429,
        )
    with transaction(request.app.state.sessions) as session:
        try:
            subject_id = ledger.find_subject(session, service.keys, {"email": email})
        except ValueError:
            subject_id = None
        if subject_id:
            base = request.app.state.settings.base_url.rstrip("/")
            link = f"{base}/privacy/consents/{center_token(service.keys, subject_id)}?lang={lang}"
            outbox.queue(
                session,
                to=email.strip(),
                subject=i18n.words(WORDS, lang)["title"],
                text=f"{i18n.words(WORDS, lang)['title']}: {link}\n",
                kind="consents.center-link",
                lang=lang,
            )
    return render(request, "privacy/consents_ask.html", {"sent": True})


def _subject_or_error(request: Request, service: ConsentService, token: str) -> str | HTMLResponse:
    try:
        return center_subject(service.keys, token)
    except TokenError as exc:
        error = i18n.told(exc, lang_of(request))
        return render(request, "privacy/consents_ask.html", {"error": error}, status=400)


@router.get("/privacy/consents/{token}", response_class=HTMLResponse)
def center(request: Request, token: str, saved: int = 0) -> HTMLResponse:
    service = consent_service(request)
    subject = _subject_or_error(request, service, token)
    if isinstance(subject, HTMLResponse):
        return subject
    return render(
        request,
        "privacy/consents.html",
        {
            "rows": (rows := _rows(request, service, subject)),
            "gpc_honored": _gpc_honored(request, service, subject) or any(r["gpc"] for r in rows),
            "token": token,
            "csrf": _csrf(service, token),
            "saved": saved,
        },
    )


@router.post("/privacy/consents/{token}", response_model=None)
def change(
    request: Request,
    token: str,
    item: str = Form(..., max_length=64),
    action: str = Form(..., max_length=16),
    csrf: str = Form(..., max_length=128),
) -> Response:
    service = consent_service(request)
    subject = _subject_or_error(request, service, token)
    if isinstance(subject, HTMLResponse):
        return subject
    if not hmac.compare_digest(csrf, _csrf(service, token)):
        return render(request, "privacy/consents_ask.html", {"error": "form expired"}, status=403)
    if action not in ("given", "withdrawn"):
        return render(request, "privacy/consents_ask.html", {"error": "unknown action"}, status=400)
    try:
        with transaction(request.app.state.sessions) as session:
            service.record(
                session,
                subject_id=subject,
                item=item,
                action=action,
                method="web-form",
                lang=lang_of(request),
                evidence={
                    "form_id": "privacy-center",
                    "user_agent": request.headers.get("user-agent"),
                    "ip": request.client.host if request.client else None,
                },
            )
    except (ConsentRuleError, ledger.LedgerError) as exc:
        return render(request, "privacy/consents_ask.html", {"error": str(exc)}, status=422)
    lang = lang_of(request)
    return RedirectResponse(f"/privacy/consents/{token}?saved=1&lang={lang}", status_code=303)


@router.get("/privacy/consents/{token}/receipts/{receipt_id}", response_model=None)
def receipt(request: Request, token: str, receipt_id: str) -> Response:
    service = consent_service(request)
    subject = _subject_or_error(request, service, token)
    if isinstance(subject, HTMLResponse):
        return subject
    with request.app.state.sessions() as session:
        event = session.scalars(
            select(ConsentEvent).where(
                ConsentEvent.receipt_id == receipt_id, ConsentEvent.subject_id == subject
            )
        ).first()
        if event is None:
            return JSONResponse(
                {"error": {"code": "not-found", "message": "no such receipt"}}, status_code=404
            )
        document = build_receipt(
            event, service.register, service.keys, request.app.state.settings.consent_policy_url
        )
    return JSONResponse(
        document,
        headers={"Content-Disposition": f'attachment; filename="consent-{receipt_id}.json"'},
    )
