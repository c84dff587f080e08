"""The agents' queue: requests sorted by days left, each with its clock, timeline and actions.

    GET  /admin/requests                    the queue (?overdue=1, ?mine=1, ?closed=1)
    GET  /admin/requests/{id}               one request: clock and rule, timeline, actions
    POST /admin/requests/{id}               one action (assign, verify, start, complete,
                                            reject, withdraw, extend, pause, resume, note)
    GET  /admin/requests/{id}/attachments/{attachment_id}   the subject's signed scan

Completing from "awaiting approval" needs ``requests.approve``; everything else ``requests.work``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from steward.law import KIND_NAMES
from steward.requests import execution, service, verification
from steward.requests.datastore_executor import (
    EXECUTABLE,
    DatastoreExecutor,
    parse_rectification,
)
from steward.requests.states import ALLOWED, RequestError, State
from steward.requests.tables import RequestAttachment, RequestPause
from steward.store.tables import utcnow
from steward.web.auth import Principal, require
from steward.web.errors import ApiError
from steward.web.pages.common import see_other, store
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
        raise ApiError(404, "not_found", f"No request {request_id}.") from None


def _detail(request: Request, request_id: int, error: str | None = None) -> Response:
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
    days_left = (found.due_on - utcnow().date()).days if found.due_on else None
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
            "kind_name": KIND_NAMES[found.kind]["en"],  # type: ignore[index]
            "identifier_labels": verification.LABELS["en"],
            "carried": verification.identifiers_of(found),
            "proven": verification.proven(found),
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/admin/requests/{request_id}", response_class=HTMLResponse)
def detail_page(request: Request, request_id: int, who: Reader) -> Response:
    return _detail(request, request_id)


@router.post("/admin/requests/{request_id}", response_class=HTMLResponse)
async def act(request: Request, request_id: int, who: Worker) -> Response:
    form = await request.form()
    try:
        return await _act(request, request_id, who, form)
    finally:
        await form.close()  # uploads are spooled to temporary files


DESTRUCTIVE = frozenset({"erasure", "restriction", "rectification"})


def _run_on_datastores(
    request: Request, request_id: int, who: Principal, text: str, *, dry_run: bool
) -> Response:
    """Preview (dry run) or execute a request on the operator's databases.

    The executor commits its own progress, so it runs between two short store transactions,
    never inside one. Changing data (erasure, restriction, rectification) needs approval rights.
    """
    register = request.app.state.register
    settings = request.app.state.settings
    if register is None:
        return _detail(request, request_id, "No register is loaded; nothing can run.")
    try:
        with store(request) as session:
            found = _load(session, request_id)
            if not dry_run and found.kind in DESTRUCTIVE and not who.can("requests.approve"):
                raise ApiError(
                    403, "forbidden", "Changing the operator's data needs requests.approve."
                )
            order = execution.order_for(found)
            language = found.lang
            if not dry_run and found.state == State.VERIFIED:
                service.transition(
                    session, found, State.IN_PROGRESS, actor=who.actor, why="executing"
                )
            elif not dry_run and found.state not in (State.IN_PROGRESS, State.AWAITING_APPROVAL):
                raise RequestError(f"a request in state '{found.state}' is not executed")
        executor = DatastoreExecutor(
            request.app.state.sessions,
            register,
            settings.secret_key.get_secret_value().encode(),
            language=language,
            dry_run=dry_run,
            rectify=parse_rectification(text) if order.kind == "rectification" else {},
        )
        result = executor.execute(order)
        with store(request) as session:
            found = _load(session, request_id)
            if dry_run:
                service.add_note(session, found, note=f"preview: {result.summary}", actor=who.actor)
            else:
                execution.record_result(session, found, result, actor=who.actor)
    except RequestError as exc:
        return _detail(request, request_id, str(exc))
    return see_other(f"/admin/requests/{request_id}")


async def _act(request: Request, request_id: int, who: Principal, form: Any) -> Response:
    action = str(form.get("action", ""))
    text = str(form.get("text", "")).strip()[:5000]
    if action in ("preview", "execute"):
        return _run_on_datastores(request, request_id, who, text, dry_run=action == "preview")
    register = request.app.state.register
    settings = request.app.state.settings
    secret = settings.secret_key.get_secret_value()
    try:
        with store(request) as session:
            found = _load(session, request_id)
            if action == "assign":
                service.assign(session, found, assignee=text or None, actor=who.actor)
            elif action == "take":
                service.assign(session, found, assignee=who.name, actor=who.actor)
            elif action == "verify":
                checked = [str(v) for v in form.getlist("proven")]
                if not checked:
                    raise RequestError(
                        "say which identifiers you checked (tick them); only those are searched"
                    )
                if not text:
                    raise RequestError("say how you confirmed the subject's identity")
                verification.prove(
                    session,
                    found,
                    checked,
                    how="agent",
                    actor=who.actor,
                    register=register,
                    ip=who.ip,
                )
                service.add_note(session, found, note=f"identity: {text}", actor=who.actor)
            elif action in ("in-progress", "awaiting-approval", "rejected", "withdrawn"):
                service.transition(
                    session,
                    found,
                    action,
                    actor=who.actor,
                    why=text,
                    ip=who.ip,
                    register=register,
                )
            elif action == "complete":
                if found.state == State.AWAITING_APPROVAL and not who.can("requests.approve"):
                    raise ApiError(403, "forbidden", "Completing needs requests.approve.")
                upload = form.get("result")
                if isinstance(upload, UploadFile) and upload.filename:
                    data = await upload.read(MAX_RESULT_BYTES + 1)
                    if len(data) > MAX_RESULT_BYTES:
                        raise RequestError("the result file is larger than 50 MiB")
                    execution.record_result(
                        session,
                        found,
                        execution.Result(
                            f"result file attached ({len(data)} bytes)",
                            data,
                            upload.content_type or "application/octet-stream",
                        ),
                        actor=who.actor,
                    )
                execution.complete(
                    session,
                    found,
                    actor=who.actor,
                    outcome=text or "done",
                    secret=secret,
                    base_url=settings.base_url,
                    link_days=settings.requests_result_link_days,
                    register=register,
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
                raise RequestError(f"unknown action '{action}'")
    except RequestError as exc:
        return _detail(request, request_id, str(exc))
    return see_other(f"/admin/requests/{request_id}")


@router.get("/admin/requests/{request_id}/attachments/{attachment_id}")
def attachment(request: Request, request_id: int, attachment_id: int, who: Worker) -> Response:
    with store(request) as session:
        row = session.get(RequestAttachment, attachment_id)
        if row is None or row.request_id != request_id:
            raise ApiError(404, "not_found", "No such attachment.")
        who.record(session, "request.attachment-read", object_type="request", object_id=request_id)
        data, content_type = row.content, row.content_type
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    return Response(
        data,
        media_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="request-{request_id}.{extension}"'},
    )
