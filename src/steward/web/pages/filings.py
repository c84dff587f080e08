"""The Filings section: the Art. 30 record to download, each Roskomnadzor draft with its
status (draft, filed on, registry number), due date and history, and recording a filing.

Glue only: the drafts come from ``filings.service`` (kept in step with the register by the
periodic job ``filings.remind``; opening the page brings them up to date too), documents from
``filings.documents``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from steward.filings.art30 import build_record
from steward.filings.documents import draft_html, pdf, record_csv, record_html, record_xlsx
from steward.filings.rkn import Draft
from steward.filings.service import FilingError, drafts, kind_name, mark_filed, regenerate
from steward.filings.tables import FilingDraft
from steward.law.filings import FilingDue, FilingKind
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.register.models import Register
from steward.store.registers import latest_register
from steward.store.tables import utcnow
from steward.web.auth import Principal, require
from steward.web.errors import ApiError
from steward.web.pages.common import admin_lang, pdf_download, see_other, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require("filings.read"))]
Filer = Annotated[Principal, Depends(require("filings.file"))]
RECORD_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def _register(request: Request) -> Register:
    register: Register | None = request.app.state.register
    if register is None:
        raise ApiError(404, "no_register", N_("No register is loaded: steward register load FILE."))
    return register


@router.get("/admin/filings", response_class=HTMLResponse)
def filings_page(request: Request, who: Reader, flash: str | None = None) -> Response:
    register: Register | None = request.app.state.register
    rows: list[FilingDraft] = []
    lang = admin_lang(request)
    with store(request) as session:
        if register is not None:
            loaded = latest_register(session, register.operator.id)
            if loaded is not None:
                regenerate(session, register, loaded.sha256, today=utcnow().date())
            rows = drafts(session, register.operator.id)
        history = [
            {
                "row": row,
                "name": kind_name(row.kind, lang),
                "missing": len(json.loads(row.missing)),
                "changes": len(json.loads(row.changes)),
            }
            for row in rows
        ]
    return templates.TemplateResponse(
        request,
        "admin/filings.html",
        {
            "register": register,
            "history": history,
            "can_file": who.can("filings.file"),
            "flash": flash,
            "today": utcnow().date().isoformat(),
        },
    )


@router.get("/admin/filings/record.{fmt}")
def record_download(request: Request, who: Reader, fmt: str) -> Response:
    if fmt not in RECORD_TYPES:
        raise ApiError(404, "not_found", N_("The record is available as xlsx, csv, html or pdf."))
    register = _register(request)
    record = build_record(register)
    today = utcnow().date()
    body: bytes | str
    if fmt == "xlsx":
        body = record_xlsx(record)
    elif fmt == "csv":
        body = record_csv(record)
    elif fmt == "html":
        body = record_html(record, today)
    else:
        body = pdf(record_html(record, today))
    name = f"art30-{register.operator.id}-{today.isoformat()}.{fmt}"
    return Response(
        body,
        media_type=RECORD_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _document(row: FilingDraft) -> str:
    kind = FilingKind(row.kind)
    draft = Draft(kind, row.operator_id, json.loads(row.fields), json.loads(row.missing))
    due = (
        FilingDue(kind, row.event_on or row.due_on, row.due_on, row.due_citation or "", "")
        if row.due_on
        else None
    )
    return draft_html(
        draft, due=due, changes=json.loads(row.changes), generated=row.created_at.date()
    )


@router.get("/admin/filings/{draft_id}.{fmt}")
def draft_download(request: Request, who: Reader, draft_id: int, fmt: str) -> Response:
    if fmt not in ("html", "pdf"):
        raise ApiError(404, "not_found", N_("A draft is available as html or pdf."))
    with store(request) as session:
        row = session.get(FilingDraft, draft_id)
        register = _register(request)
        if row is None or row.operator_id != register.operator.id:
            raise ApiError(404, "not_found", N_("No filing draft %(id)s."), id=draft_id)
        page = _document(row)
    if fmt == "html":
        return HTMLResponse(page)
    return pdf_download(pdf(page), f"filing-{draft_id}.pdf")


@router.post("/admin/filings/{draft_id}/filed", response_class=HTMLResponse)
def record_filing(
    request: Request,
    who: Filer,
    draft_id: int,
    filed_on: Annotated[str, Form(max_length=10)] = "",
    registry_number: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    try:
        day = date.fromisoformat(filed_on)
    except ValueError:
        error = N_("'%(value)s' is not a date; give it as YYYY-MM-DD.")
        return filings_page(request, who, i18n.say(error, admin_lang(request), {"value": filed_on}))
    try:
        with store(request) as session:
            mark_filed(
                session, draft_id, filed_on=day, registry_number=registry_number, actor=who.actor
            )
    except FilingError as exc:
        return filings_page(request, who, i18n.told(exc, admin_lang(request)))
    return see_other("/admin/filings")
