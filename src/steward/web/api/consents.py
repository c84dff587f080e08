"""JSON API of the consent ledger, under ``/api/v1/consents``; API tokens with consent scopes.

    POST /api/v1/consents/events          record given / refused / withdrawn     consents:write
    POST /api/v1/consents/withdraw        withdraw (shortcut)                     consents:write
    POST /api/v1/consents/check           "may I?" -> allowed, reason, event id   consents:read
    POST /api/v1/consents/gpc            honour a GPC signal seen by the backend  consents:write
    POST /api/v1/consents/lookup          identifiers -> Steward subject id       consents:read
    GET  /api/v1/consents/subjects/{id}   current state                           consents:read
    GET  /api/v1/consents/subjects/{id}/history                                   consents:read
    GET  /api/v1/consents/changes?after=N subjects changed since event N (SDK cache)  consents:read
    GET  /api/v1/consents/receipts/{receipt_id}   signed receipt                  consents:read
    POST /api/v1/consents/unsubscribe-links       one-click link for an e-mail   consents:write
    POST /api/v1/consents/center-links            Privacy Center link            consents:write

Errors use the envelope ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from steward.consent import ledger
from steward.consent.receipts import build_receipt
from steward.consent.rules import ConsentRuleError
from steward.consent.service import ConsentService
from steward.consent.tables import ConsentEvent
from steward.consent.tokens import center_token, unsubscribe_token
from steward.store.db import transaction
from steward.web.auth import Principal, require_scope
from steward.web.consent_runtime import consent_service, deliver_webhooks_later
from steward.web.errors import API_ERRORS

router = APIRouter(prefix="/api/v1/consents", tags=["consents"], responses=API_ERRORS)
can_read = require_scope("consents:read")
can_write = require_scope("consents:write")
Writer = Annotated[Principal, Depends(can_write)]


class SubjectRef(BaseModel):
    """The subject: a Steward subject id, or the operator's identifiers ({kind: value})."""

    subject_id: str | None = Field(None, max_length=36)
    identifiers: dict[str, str] | None = Field(
        None, description="e.g. {'email': 'a@example.com', 'account-id': '42'}"
    )


class RecordIn(SubjectRef):
    action: Literal["given", "refused", "withdrawn"]
    item: str | None = Field(None, max_length=64, description="a consent item of the register")
    purpose: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=16)
    method: Literal["web-form", "api", "paper", "phone", "banner"] = "api"
    recorded_by: Literal["subject", "agent", "guardian"] = "subject"
    notice_version: str | None = Field(None, max_length=64)
    shown_text: str | None = Field(None, max_length=20000, description="exact text shown")
    lang: str | None = Field(None, max_length=8)
    evidence: dict[str, str] = Field(default_factory=dict)
    expires_at: datetime | None = None
    age: int | None = Field(None, ge=0, le=130)
    jurisdiction: str | None = Field(None, max_length=16)
    guardian: dict[str, str] | None = None


class WithdrawIn(SubjectRef):
    item: str | None = Field(None, max_length=64)
    purpose: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=16)
    method: Literal["web-form", "api", "paper", "phone"] = "api"
    recorded_by: Literal["subject", "agent", "guardian"] = "subject"
    evidence: dict[str, str] = Field(default_factory=dict)


class RecordOut(BaseModel):
    event_id: int
    receipt_id: str
    subject_id: str
    action: str
    purpose: str
    channel: str
    expires_at: datetime | None


class CheckIn(SubjectRef):
    purpose: str = Field(max_length=64)
    channel: str = Field("any", max_length=16)


class CheckOut(BaseModel):
    allowed: bool
    reason: str = Field(
        description="given, refused, withdrawn, expired, no-consent, "
        "reconfirmation-required, unknown-subject, or basis:<legal basis>"
    )
    event_id: int | None
    expires_at: datetime | None
    subject_id: str | None


class LinkIn(SubjectRef):
    purpose: str | None = Field(None, max_length=64)
    channel: str = Field("email", max_length=16)


class GpcOut(BaseModel):
    subject_id: str
    refused: list[str] = Field(description="the purposes refused by this signal")


class LookupOut(BaseModel):
    subject_id: str | None = Field(description="null when Steward never saw these identifiers")


class ConsentStateOut(BaseModel):
    purpose: str
    channel: str
    item: str | None
    action: str
    method: str
    at: datetime
    expires_at: datetime | None
    allowed: bool
    reason: str
    event_id: int
    receipt_id: str


class CurrentOut(BaseModel):
    subject_id: str
    consents: list[ConsentStateOut]


class EventOut(BaseModel):
    """One ledger event as the chain hashes it, with its id and hashes."""

    id: int
    hash: str
    previous_hash: str
    at: str
    receipt_id: str
    subject_id: str
    item_id: str | None
    purpose_id: str
    channel: str
    action: str
    method: str
    recorded_by: str
    notice_version: str | None
    artefact_sha256: str | None
    lang: str | None
    expires_at: str | None
    evidence: dict[str, Any]


class HistoryOut(BaseModel):
    subject_id: str
    events: list[EventOut]


class ChangesOut(BaseModel):
    head: int = Field(description="the newest event's id")
    subjects: list[str]
    last: int = Field(description="pass as `after` to read on")
    more: bool


class DocumentOut(BaseModel):
    item: str
    lang: str
    text: str
    sha256: str


class ReceiptSignature(BaseModel):
    alg: str
    crv: str
    kid: str
    value: str


class ReceiptOut(BaseModel):
    """A Kantara Consent Receipt v1.1 (``receipt``) and its Ed25519 ``signature``."""

    receipt: dict[str, Any]
    signature: ReceiptSignature


class UnsubscribeLinkOut(BaseModel):
    url: str
    list_unsubscribe: str
    list_unsubscribe_post: str


class CenterLinkOut(BaseModel):
    url: str


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _fail(exc: Exception) -> JSONResponse:
    return error(422, getattr(exc, "code", "invalid"), str(exc))


def _subject(service: ConsentService, session: Any, ref: SubjectRef) -> str | None:
    return service.subject(session, identifiers=ref.identifiers, subject_id=ref.subject_id)


def _recorded(done: Any) -> dict[str, Any]:
    return {
        "event_id": done.event_id,
        "receipt_id": done.receipt_id,
        "subject_id": done.subject_id,
        "action": done.action,
        "purpose": done.purpose_id,
        "channel": done.channel,
        "expires_at": done.expires_at,
    }


@router.post("/events", status_code=201, response_model=RecordOut)
def record(body: RecordIn, request: Request, tasks: BackgroundTasks, who: Writer) -> Any:
    """Record a consent given, refused or withdrawn, with the text shown and the evidence."""
    service = consent_service(request)
    try:
        with transaction(request.app.state.sessions) as session:
            done = service.record(session, **body.model_dump(), actor=who.actor, ip=who.ip)
    except (ConsentRuleError, ledger.LedgerError, ValueError) as exc:
        return _fail(exc)
    deliver_webhooks_later(request, service, tasks)
    return _recorded(done)


@router.post("/withdraw", status_code=201, response_model=RecordOut)
def withdraw(body: WithdrawIn, request: Request, tasks: BackgroundTasks, who: Writer) -> Any:
    """Withdraw a consent (the same as recording ``action: withdrawn``)."""
    service = consent_service(request)
    try:
        with transaction(request.app.state.sessions) as session:
            done = service.record(
                session, action="withdrawn", **body.model_dump(), actor=who.actor, ip=who.ip
            )
    except (ConsentRuleError, ledger.LedgerError, ValueError) as exc:
        return _fail(exc)
    deliver_webhooks_later(request, service, tasks)
    return _recorded(done)


@router.post("/gpc", response_model=GpcOut, dependencies=[Depends(can_write)])
def gpc(body: SubjectRef, request: Request, tasks: BackgroundTasks) -> Any:
    """The operator's backend saw ``Sec-GPC: 1`` from this subject: opt out as the register says.

    Purposes tagged as in ``consents.gpc_opt_out`` that the subject made no explicit choice
    about are refused with ``method: gpc``; a later explicit choice wins.
    """
    service = consent_service(request)
    try:
        with transaction(request.app.state.sessions) as session:
            subject = service.subject(
                session, identifiers=body.identifiers, subject_id=body.subject_id, create=True
            )
            assert subject is not None
            refused = service.apply_gpc(
                session, subject, {"user_agent": request.headers.get("user-agent")}
            )
    except (ConsentRuleError, ledger.LedgerError, ValueError) as exc:
        return _fail(exc)
    deliver_webhooks_later(request, service, tasks)
    return {"subject_id": subject, "refused": refused}


@router.post("/check", response_model=CheckOut, dependencies=[Depends(can_read)])
def check(body: CheckIn, request: Request) -> Any:
    """May the operator use this subject's data for the purpose over the channel?"""
    service = consent_service(request)
    try:
        with request.app.state.sessions() as session:
            subject = _subject(service, session, body)
            decision = service.decide(
                session,
                identifiers=body.identifiers,
                subject_id=subject,
                purpose=body.purpose,
                channel=body.channel,
            )
    except (ConsentRuleError, ledger.LedgerError, ValueError) as exc:
        return _fail(exc)
    return {
        "allowed": decision.allowed,
        "reason": decision.reason,
        "event_id": decision.event_id,
        "expires_at": decision.expires_at,
        "subject_id": subject,
    }


@router.post("/lookup", response_model=LookupOut, dependencies=[Depends(can_read)])
def lookup(body: SubjectRef, request: Request) -> Any:
    """The Steward subject id for the operator's identifiers (null when never seen)."""
    service = consent_service(request)
    try:
        with request.app.state.sessions() as session:
            return {"subject_id": _subject(service, session, body)}
    except (ledger.LedgerError, ValueError) as exc:
        return _fail(exc)


@router.get("/subjects/{subject_id}", response_model=CurrentOut, dependencies=[Depends(can_read)])
def current(subject_id: str, request: Request) -> Any:
    """Current state: the newest event per (purpose, channel) and what it allows now."""
    service = consent_service(request)
    with request.app.state.sessions() as session:
        rows = service.current(session, subject_id)
    return {
        "subject_id": subject_id,
        "consents": [
            {
                "purpose": e.purpose_id,
                "channel": e.channel,
                "item": e.item_id,
                "action": e.action,
                "method": e.method,
                "at": e.at,
                "expires_at": e.expires_at,
                "allowed": d.allowed,
                "reason": d.reason,
                "event_id": e.event_id,
                "receipt_id": e.receipt_id,
            }
            for e, d in rows
        ],
    }


@router.get(
    "/subjects/{subject_id}/history", response_model=HistoryOut, dependencies=[Depends(can_read)]
)
def history(subject_id: str, request: Request) -> Any:
    """Every ledger event of the subject, oldest first."""
    service = consent_service(request)
    with request.app.state.sessions() as session:
        events = service.history(session, subject_id)
        return {
            "subject_id": subject_id,
            "events": [
                dict(e.fields(), id=e.id, hash=e.hash, previous_hash=e.previous_hash)
                for e in events
            ],
        }


@router.get("/changes", response_model=ChangesOut, dependencies=[Depends(can_read)])
def changes(
    request: Request,
    after: Annotated[int, Query(ge=-(2**63), le=2**63 - 1)] = 0,  # fits a 64-bit column
    limit: int = 1000,
) -> Any:
    """Subjects whose consents changed after event ``after``: the SDK's cache invalidation."""
    limit = max(1, min(limit, 5000))
    with request.app.state.sessions() as session:
        rows = session.execute(
            select(ConsentEvent.id, ConsentEvent.subject_id)
            .where(ConsentEvent.id > after)
            .order_by(ConsentEvent.id)
            .limit(limit)
        ).all()
        head = session.scalar(select(func.max(ConsentEvent.id))) or 0
    return {
        "head": head,
        "subjects": sorted({subject for _, subject in rows}),
        "last": rows[-1][0] if rows else after,
        "more": len(rows) == limit,
    }


@router.get("/documents/{item_id}", response_model=DocumentOut, dependencies=[Depends(can_read)])
def written_consent(item_id: str, request: Request, lang: str = "ru") -> Any:
    """The written consent document of an item (152-FZ Art. 9 p.4) and its SHA-256: the text to
    present before the subject agrees; the ledger records this hash when it is given."""
    from steward.filings.consent_document import (
        LANGUAGES,
        UnknownConsentItem,
        consent_document,
    )

    if lang not in LANGUAGES:
        return error(400, "bad-language", f"lang must be one of {', '.join(LANGUAGES)}")
    try:
        document = consent_document(consent_service(request).register, item_id, lang)
    except UnknownConsentItem as exc:
        return error(404, "not-found", str(exc.args[0]))
    return {"item": item_id, "lang": lang, "text": document.text, "sha256": document.sha256}


@router.get("/receipts/{receipt_id}", response_model=ReceiptOut, dependencies=[Depends(can_read)])
def receipt(receipt_id: str, request: Request) -> Any:
    """The signed consent receipt (Kantara v1.1 fields, Ed25519 signature)."""
    service = consent_service(request)
    with request.app.state.sessions() as session:
        event = session.scalars(
            select(ConsentEvent).where(ConsentEvent.receipt_id == receipt_id)
        ).first()
        if event is None:
            return error(404, "not-found", f"no receipt {receipt_id}")
        return build_receipt(
            event, service.register, service.keys, request.app.state.settings.consent_policy_url
        )


@router.post(
    "/unsubscribe-links", response_model=UnsubscribeLinkOut, dependencies=[Depends(can_write)]
)
def unsubscribe_link(body: LinkIn, request: Request) -> Any:
    """A signed one-click link withdrawing one purpose on one channel, for a mailing."""
    service = consent_service(request)
    if not body.purpose:
        return error(422, "missing-purpose", "give the purpose the link withdraws")
    try:
        with transaction(request.app.state.sessions) as session:
            subject = service.subject(
                session, identifiers=body.identifiers, subject_id=body.subject_id, create=True
            )
    except (ledger.LedgerError, ValueError) as exc:
        return _fail(exc)
    assert subject is not None
    token = unsubscribe_token(service.keys, subject, body.purpose, body.channel)
    base = request.app.state.settings.base_url.rstrip("/")
    url = f"{base}/consent/unsubscribe/{token}"
    return {
        "url": url,
        "list_unsubscribe": f"<{url}>",
        "list_unsubscribe_post": "List-Unsubscribe=One-Click",
    }


@router.post("/center-links", response_model=CenterLinkOut, dependencies=[Depends(can_write)])
def center_link(body: SubjectRef, request: Request) -> Any:
    """A Privacy Center link for a subject the operator has signed in (valid 24 hours)."""
    service = consent_service(request)
    try:
        with transaction(request.app.state.sessions) as session:
            subject = service.subject(
                session, identifiers=body.identifiers, subject_id=body.subject_id, create=True
            )
    except (ledger.LedgerError, ValueError) as exc:
        return _fail(exc)
    assert subject is not None
    base = request.app.state.settings.base_url.rstrip("/")
    return {"url": f"{base}/privacy/consents/{center_token(service.keys, subject)}"}
