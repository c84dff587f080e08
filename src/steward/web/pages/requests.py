"""The agents' queue: requests sorted by days left, each with its clock, timeline and actions.

    GET  /admin/requests                    the queue (?overdue=1, ?mine=1, ?closed=1)
    GET  /admin/requests/{id}               one request: clock and rule, timeline, actions
    POST /admin/requests/{id}               one action (assign, verify, start, preview,
                                            execute, approve, refuse, complete,
                                            complete-no-run, reject, withdraw, extend, pause,
                                            resume, note)
    GET  /admin/requests/{id}/attachments/{attachment_id}   the subject's signed scan

Preview, execution, approval and completion are ``requests.fulfil``'s: the page only calls it.
Approving, refusing and completing without a run need ``requests.approve``; the rest
``requests.work``. Execution is queued for a worker; the page shows its progress.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from steward.law import KIND_NAMES
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.requests import destructions, fulfil, service, verification
from steward.requests.fulfil import EXECUTABLE, Actor, Fulfilment
from steward.requests.states import ALLOWED, RequestError, State
from steward.requests.tables import RequestAttachment, RequestPause
from steward.store.tables import utcnow
from steward.web.auth import Principal, require
from steward.web.errors import ApiError
from steward.web.pages import request_steps
from steward.web.pages.common import admin_gettext, admin_lang, see_other, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require("requests.read"))]
Worker = Annotated[Principal, Depends(require("requests.work"))]
MAX_RESULT_BYTES = 50 * 1024 * 1024


@router.get("/admin/requests", response_class=HTMLResponse)
def queue_page(request: Request, who: Reader) -> Response:
    q = request.query_params
    with store(request) as session:
        rows = service.queue(
            session,
            overdue_only=q.get("overdue") == "1",
            assignee=who.name if q.get("mine") == "1" else None,
            include_closed=q.get("closed") == "1",
        )
    return templates.TemplateResponse(
        request,
        "admin/requests/queue.html",
        {"rows": rows, "kind_names": KIND_NAMES, "filters": dict(q), "today": utcnow().date()},
    )


def _load(session: Any, request_id: int) -> Any:
    try:
        return service.get(session, request_id)
    except RequestError:
        raise ApiError(
            404, "not_found", N_("No request %(reference)s."), reference=request_id
        ) from None


def _kind_name(kind: str, lang: str) -> str:
    names: dict[str, str] = KIND_NAMES[kind]  # type: ignore[index]
    return names.get(lang) or names["en"]


def _detail(
    request: Request,
    request_id: int,
    error: str | None = None,
    who: Principal | None = None,
    done: str | None = None,
) -> Response:
    with store(request) as session:
        found = _load(session, request_id)
        events = service.timeline(session, found)
        pauses = list(
            session.scalars(select(RequestPause).where(RequestPause.request_id == found.id))
        )
        attachments = list(
            session.execute(
                select(
                    RequestAttachment.id, RequestAttachment.filename, RequestAttachment.size
                ).where(RequestAttachment.request_id == found.id)
            )
        )
        clock = service.current_clock(request.app.state.register, found)
        duplicates = list(
            session.scalars(select(type(found)).where(type(found).duplicate_of == found.id))
        )
        original = session.get(type(found), found.duplicate_of) if found.duplicate_of else None
        run = fulfil.progress(session, found)
        asked = fulfil.pending_approval(session, found)
        decisions = fulfil.approvals(session, found)
        scheduled = destructions.pending(session, found.id)
        preview = None
        if asked is not None and asked.preview_run is not None:
            preview = fulfil.run_progress(session, asked.preview_run)
    days_left = (found.due_on - utcnow().date()).days if found.due_on else None
    carried, proven = verification.identifiers_of(found), verification.proven(found)
    can_approve = who is not None and who.can("requests.approve")
    steps = request_steps.next_steps(
        found,
        carried=carried,
        proven=proven,
        asked=asked,
        preview=preview,
        clock=clock,
        can_approve=can_approve,
        changes=fulfil.data_change(request.app.state.register, found.kind),
        kinds=_subject_kinds(request),
        kind=found.subject_kind,
    )
    _ = admin_gettext(request)
    return templates.TemplateResponse(
        request,
        "admin/requests/detail.html",
        {
            "r": found,
            "executable": EXECUTABLE,
            "events": events,
            "pauses": pauses,
            "attachments": attachments,
            "clock": clock,
            "days_left": days_left,
            "duplicates": duplicates,
            "original": original,
            "next_states": sorted(ALLOWED[State(found.state)]),
            "run": run,
            "asked": asked,
            "preview": preview,
            "decisions": decisions,
            "can_approve": can_approve,
            "steps": steps if who is not None and who.can("requests.work") else [],
            "done": _(request_steps.DONE[done]) if done in request_steps.DONE else None,
            "destructive": fulfil.DESTRUCTIVE,
            "kind_name": _kind_name(found.kind, admin_lang(request)),
            "identifier_labels": i18n.words(verification.LABELS, admin_lang(request)),
            "carried": carried,
            "proven": proven,
            "scheduled": scheduled,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/admin/requests/{request_id}", response_class=HTMLResponse)
def detail_page(
    request: Request, request_id: int, who: Reader, done: str | None = None
) -> Response:
    return _detail(request, request_id, who=who, done=done)


@router.post("/admin/requests/{request_id}", response_class=HTMLResponse)
async def act(request: Request, request_id: int, who: Worker) -> Response:
    form = await request.form()
    try:
        return await _act(request, request_id, who, form)
    finally:
        await form.close()  # uploads are spooled to temporary files


def _fulfilment(request: Request) -> Fulfilment:
    return Fulfilment.from_settings(request.app.state.sessions, request.app.state.settings)


def _actor(who: Principal) -> Actor:
    return Actor(who.actor, who.can("requests.approve"), who.ip)


async def _act(request: Request, request_id: int, who: Principal, form: Any) -> Response:
    action = str(form.get("action", ""))
    text = str(form.get("text", "")).strip()[:5000]
    upload = form.get("result")
    result_file = None
    if action == "complete" and isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_RESULT_BYTES + 1)
        if len(data) > MAX_RESULT_BYTES:
            too_large = N_("the result file is larger than %(mib)s MiB")
            error = i18n.say(too_large, admin_lang(request), {"mib": MAX_RESULT_BYTES >> 20})
            return _detail(request, request_id, error, who)
        result_file = (data, upload.content_type or "application/octet-stream")
    try:
        # the store work is blocking: it runs in a worker thread, never on the event loop
        checked = [str(v) for v in form.getlist("proven")]
        await run_in_threadpool(
            _apply, request, request_id, who, action, text, result_file, checked
        )
    except RequestError as exc:
        error = i18n.told(exc, admin_lang(request))
        return await run_in_threadpool(_detail, request, request_id, error, who)
    return see_other(f"/admin/requests/{request_id}?done={quote(action)}")


def _apply(
    request: Request,
    request_id: int,
    who: Principal,
    action: str,
    text: str,
    result_file: tuple[bytes, str] | None,
    checked: list[str] | None = None,
) -> None:
    """One action: fulfilment for preview, execution, approval and completion; the requests
    service for the rest. Datastore work is queued for a worker, never run here."""
    fulfil, actor = _fulfilment(request), _actor(who)
    if action == "preview":
        fulfil.preview(request_id, actor, text)
        return
    if action == "execute":
        fulfil.execute(request_id, actor, text)
        return
    if action in ("approve", "refuse", "complete-no-run") and not actor.approver:
        raise ApiError(403, "forbidden", N_("Deciding needs requests.approve."))
    if action == "approve":
        fulfil.approve(request_id, actor, text)
        return
    if action == "refuse":
        fulfil.reject(request_id, actor, text)
        return
    if action == "complete":
        fulfil.complete(request_id, actor, text, result_file=result_file)
        return
    if action == "complete-no-run":
        fulfil.complete(request_id, actor, no_run_reason=text)
        return
    register = request.app.state.register
    with store(request) as session:
        found = _load(session, request_id)
        if action == "assign":
            service.assign(session, found, assignee=text or None, actor=who.actor)
        elif action == "subject-kind":
            service.change_subject_kind(session, found, text, register=register, actor=who.actor)
        elif action == "take":
            service.assign(session, found, assignee=who.name, actor=who.actor)
        elif action == "verify":
            if not checked:
                raise RequestError(
                    N_("say which identifiers you checked (tick them); only those are searched")
                )
            if not text:
                raise RequestError(N_("say how you confirmed the subject's identity"))
            verification.prove(
                session, found, checked, how="agent", actor=who.actor, register=register, ip=who.ip
            )
            checked_how = i18n.Phrase(N_("identity: %(how)s"), how=text)
            service.add_note(session, found, note=checked_how, actor=who.actor)
        elif action in ("in-progress", "awaiting-approval", "rejected", "withdrawn"):
            service.transition(
                session, found, action, actor=who.actor, why=text, ip=who.ip, register=register
            )
        elif action == "extend":
            service.extend(session, found, reason=text, actor=who.actor, register=register)
        elif action == "pause":
            service.pause(session, found, reason=text, actor=who.actor, register=register)
        elif action == "resume":
            service.resume(session, found, actor=who.actor, register=register)
        elif action == "note":
            service.add_note(session, found, note=text, actor=who.actor)
        else:
            raise RequestError(N_("unknown action '%(action)s'"), action=action[:40])


@router.get("/admin/requests/{request_id}/attachments/{attachment_id}")
def attachment(request: Request, request_id: int, attachment_id: int, who: Worker) -> Response:
    with store(request) as session:
        row = session.get(RequestAttachment, attachment_id)
        if row is None or row.request_id != request_id:
            raise ApiError(404, "not_found", N_("No such attachment."))
        who.record(session, "request.attachment-read", object_type="request", object_id=request_id)
        data, content_type = row.content, row.content_type
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    return Response(
        data,
        media_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="request-{request_id}.{extension}"'},
    )


def _subject_kinds(request: Request) -> tuple[tuple[str, str], ...]:
    """The register's subject kinds as (id, name in the admin's language)."""
    register = request.app.state.register
    if register is None:
        return ()
    lang = admin_lang(request)
    return tuple((s.id, i18n.localized(s.names, lang)) for s in register.subjects)
