"""JSON API for requests: the operator's backend and agents taking requests by e-mail or phone.

    POST /api/v1/requests                       file a request (scope requests:write)
    GET  /api/v1/requests?overdue=true          the queue for reporting (requests:read)
    GET  /api/v1/requests/{reference}           one request with its timeline
    POST /api/v1/requests/{reference}/assertion the operator vouches for a signed-in subject
    POST /api/v1/requests/{reference}/execute   queue the run (requests:write); an erasure,
                                                restriction or rectification becomes an ask for
                                                approval, which only a signed-in approver decides

A signed scan travels as ``attachment: {"filename", "content_base64"}`` (a PDF, JPEG or PNG of
at most ``STEWARD_REQUESTS_ATTACHMENT_MAX_BYTES``, checked by its bytes); the body is capped
before it is parsed (413). Where the register requires a signed document every channel needs
it (422 ``signed_document_required``); nothing is filed on any error.

Errors use the one envelope ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from steward.lib.i18n import N_
from steward.requests import fulfil, service, verification
from steward.requests.attachments import from_base64
from steward.requests.fulfil import Actor, Fulfilment
from steward.requests.results import Progress
from steward.requests.service import Intake
from steward.requests.states import RequestError
from steward.requests.tables import SubjectRequest
from steward.store.tables import utcnow
from steward.web.auth import Principal, require
from steward.web.errors import API_ERRORS, TOO_LARGE, ApiError
from steward.web.pages.common import store
from steward.web.pages.requests_public import read_capped

# Room for the JSON's text fields (details is capped at 10,000 characters) beside the base64.
JSON_SLACK_BYTES = 64 * 1024


class CappedBody(APIRoute):
    """Reads at most the attachment limit (base64) plus the text fields before anything
    parses the body: a larger one is answered 413 and never held whole in memory."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def capped(request: Request) -> Response:
            if request.method == "POST":
                max_bytes = request.app.state.settings.requests_attachment_max_bytes
                refusal = ApiError(
                    413,
                    "too_large",
                    TOO_LARGE,
                    kib=max_bytes // 1024,
                )
                await read_capped(request, (max_bytes + 2) // 3 * 4 + JSON_SLACK_BYTES, refusal)
            return await handler(request)

        return capped


router = APIRouter(
    prefix="/api/v1/requests", tags=["requests"], route_class=CappedBody, responses=API_ERRORS
)
Reader = Annotated[Principal, Depends(require("requests.read"))]
Writer = Annotated[Principal, Depends(require("requests.work"))]


class AttachmentIn(BaseModel):
    """A signed scan: PDF, JPEG or PNG, checked by its bytes, never by its name."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field("scan", max_length=200)
    content_base64: str = Field(description="the file's bytes, base64 (standard, padded)")


class NewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=40, description="access, erasure, rectification, ...")
    subject_kind: str | None = Field(
        None,
        max_length=64,
        description="the register's subject kind the request is for (customer, employee, ...); "
        "default: the register's (policy.requests.subject)",
    )
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    account_id: str | None = Field(None, max_length=200)
    jurisdiction: str | None = Field(None, max_length=20)
    details: str = Field("", max_length=10_000)
    lang: str = Field("en", pattern="^(en|ru)$")
    channel: str = Field("api", pattern="^(api|email|phone|post|in-app)$")
    assertion: str | None = Field(
        None, max_length=4000, description="the operator's signed assertion for a signed-in user"
    )
    attachment: AttachmentIn | None = Field(
        None, description="the signed scan, required where the register says signed_document"
    )


class TableOut(BaseModel):
    datastore: str
    table: str
    found: int
    erased: int
    masked: int
    held: int
    restricted: int
    rectified: int


class HoldOut(BaseModel):
    datastore: str
    table: str
    purpose: str
    basis: str | None
    until: date | None
    rows: int


class RunOut(BaseModel):
    """The request's newest run: where it is, why it stopped, what it did."""

    id: int
    dry_run: bool
    status: str = Field(description="queued, running, retry, done or failed")
    progress: str
    steps_done: int
    steps_total: int | None
    tables: list[TableOut] = []
    holds: list[HoldOut] = []
    residual: int | None = None


class RequestOut(BaseModel):
    reference: str
    kind: str
    subject_kind: str | None = Field(description="the subject kind the request is for")
    state: str
    received_on: date
    due_on: date | None
    days_left: int | None
    overdue: bool
    rule: str
    jurisdiction: str | None
    verified: bool
    duplicate_of: str | None = None
    assignee: str | None = None
    run: RunOut | None = None
    outcome: str | None = Field(None, description="what was done, once there is an outcome")
    timeline: list[dict[str, Any]] | None = None


def _out(session: Any, r: SubjectRequest, timeline: bool = False) -> RequestOut:
    today = utcnow().date()
    left = (r.due_on - today).days if r.due_on else None
    original = session.get(SubjectRequest, r.duplicate_of) if r.duplicate_of else None
    closed = r.state in ("completed", "rejected", "withdrawn")
    return RequestOut(
        reference=r.reference,
        kind=r.kind,
        subject_kind=r.subject_kind,
        state=r.state,
        received_on=r.received_on,
        due_on=r.due_on,
        days_left=left,
        overdue=bool(left is not None and left < 0 and not closed),
        rule=r.clock_rule,
        jurisdiction=r.clock_jurisdiction,
        verified=r.verified_at is not None or not r.verification_required,
        duplicate_of=original.reference if original else None,
        assignee=r.assignee,
        run=_run_out(fulfil.progress(session, r)) if timeline else None,
        outcome=r.outcome,
        timeline=[
            {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "note": e.note}
            for e in service.timeline(session, r)
        ]
        if timeline
        else None,
    )


def _run_out(progress: Progress | None) -> RunOut | None:
    if progress is None:
        return None
    result = progress.result
    return RunOut(
        id=progress.run,
        dry_run=progress.dry_run,
        status=progress.status,
        progress=progress.describe(),
        steps_done=progress.steps_done,
        steps_total=progress.steps_total,
        tables=[TableOut(**vars(t)) for t in result.tables] if result else [],
        holds=[HoldOut(**vars(h)) for h in result.holds] if result else [],
        residual=result.residual if result else None,
    )


def _invalid(exc: RequestError) -> ApiError:
    status = {"rate_limited": 429, "too_large": 413}.get(exc.code, 422)
    return ApiError.of(status, exc.code, exc)


@router.post("", status_code=201, response_model=RequestOut, response_model_exclude_none=True)
def file_request(body: NewRequest, request: Request, who: Writer) -> RequestOut:
    """File a request on a subject's behalf; with an assertion it is verified at once."""
    register = request.app.state.register
    try:
        attachment = None
        if body.attachment is not None:
            attachment = from_base64(
                body.attachment.filename,
                body.attachment.content_base64,
                request.app.state.settings.requests_attachment_max_bytes,
            )
        with store(request) as session:
            filed = service.file_request(
                session,
                register,
                Intake(
                    kind=body.kind,
                    subject_kind=body.subject_kind,
                    email=body.email,
                    phone=body.phone,
                    account_id=body.account_id,
                    jurisdiction=body.jurisdiction,
                    details=body.details,
                    lang=body.lang,
                    channel=body.channel,
                    attachment=attachment,
                ),
                actor=who.actor,
                ip=who.ip,
                zone=request.app.state.settings.requests_timezone,
            )
            if body.assertion:
                secret = request.app.state.settings.requests_operator_secret
                if secret is None:
                    raise RequestError(
                        N_(
                            "assertions are off: set STEWARD_REQUESTS_OPERATOR_SECRET to "
                            "accept them"
                        )
                    )
                verification.verify_assertion(
                    session,
                    filed,
                    body.assertion,
                    secret.get_secret_value(),
                    register=register,
                    actor=who.actor,
                )
            return _out(session, filed)
    except RequestError as exc:
        raise _invalid(exc) from None


@router.get("", response_model=list[RequestOut], response_model_exclude_none=True)
def list_requests(
    request: Request, who: Reader, overdue: bool = False, closed: bool = False
) -> list[RequestOut]:
    """Open requests sorted by days left; ``overdue=true`` keeps only those past due."""
    with store(request) as session:
        rows = service.queue(session, overdue_only=overdue, include_closed=closed)
        return [_out(session, row.request) for row in rows]


@router.get("/{reference}", response_model=RequestOut, response_model_exclude_none=True)
def get_request(reference: str, request: Request, who: Reader) -> RequestOut:
    with store(request) as session:
        try:
            found = service.get(session, reference if reference.startswith("R-") else "R-?")
        except RequestError:
            raise ApiError(
                404, "not_found", N_("No request %(reference)s."), reference=reference
            ) from None
        return _out(session, found, timeline=True)


@router.post("/{reference}/execute", response_model=RequestOut, response_model_exclude_none=True)
def execute(reference: str, request: Request, who: Writer) -> RequestOut:
    """Queue the request's run for a worker; for a change to the operator's data, ask for
    approval with a preview attached (a signed-in DPO or owner decides on the admin page)."""
    sessions = request.app.state.sessions
    with store(request) as session:
        try:
            found = service.get(session, reference if reference.startswith("R-") else "R-?")
        except RequestError:
            raise ApiError(
                404, "not_found", N_("No request %(reference)s."), reference=reference
            ) from None
        request_id = found.id
    try:
        Fulfilment.from_settings(sessions, request.app.state.settings).execute(
            request_id, Actor(who.actor, approver=False, ip=who.ip)
        )
    except RequestError as exc:
        raise _invalid(exc) from None
    with store(request) as session:
        return _out(session, service.get(session, request_id), timeline=True)
