"""Retention in the admin app: the rules, the last and next sweep, acts, holds.

    GET  /admin/retention                   rules with what is due, runs with their acts, holds
    POST /admin/retention/run               run a sweep now (retention.manage): a job
    POST /admin/retention/holds             place a hold on a record or a table
    POST /admin/retention/holds/{id}/release
    GET  /admin/retention/acts/{run_id}     the destruction act (HTML; its SHA-256 is audited)
    GET  /admin/retention/acts/{run_id}.pdf the same act as PDF (rendered from that HTML)

Counting what is due reads the operator's databases, so the page shows the last sweep's figures
and `steward retention plan` (or a dry run) gives today's.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.jobs import enqueue
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.retention import acts, service
from steward.retention.tables import RetentionHold
from steward.web.auth import Principal, require
from steward.web.errors import ApiError
from steward.web.pages.common import admin_lang, pdf_download, see_other, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require("retention.read"))]
Manager = Annotated[Principal, Depends(require("retention.manage"))]


def _schedule(session: Session, name: str = "retention.sweep") -> dict[str, object]:
    """The scheduler's last and next run of job ``name`` (none before it first fires)."""
    from steward.jobs.scheduler import schedule_rows

    row = next((r for r in schedule_rows(session) if r.name == name), None)
    if row is None:
        return {}
    return {
        "last": row.last_started_at,
        "next": row.next_run_at,
        "status": row.last_status,
        "note": row.last_note,
    }


@router.get("/admin/retention", response_class=HTMLResponse)
def retention_page(request: Request, who: Reader, error: str | None = None) -> Response:
    register = request.app.state.register
    with store(request) as session:
        runs = service.runs(session)
        holds = service.holds(session)
        schedule = _schedule(session)
        own_schedule = _schedule(session, "retention.own_data")
    rules = service.rules(register) if register else []
    return templates.TemplateResponse(
        request,
        "admin/retention/page.html",
        {
            "rules": [(d.id, t, service.cutoff(t, date.today())) for d, t in rules],
            "runs": runs,
            "results": {r.id: json.loads(r.result or "{}") for r in runs},
            "holds": holds,
            "schedule": schedule,
            "own": own_schedule,
            "settings": request.app.state.settings,
            "can_manage": who.can("retention.manage"),
            "error": error,
            "tables": [
                (d.id, t.name) for d in (register.datastores if register else []) for t in d.tables
            ],
        },
        status_code=400 if error else 200,
    )


@router.post("/admin/retention/run")
def run_now(request: Request, who: Manager) -> Response:
    with store(request) as session:
        from steward.ledger.audit import record

        record(session, actor=who.actor, action="retention.sweep.asked", object_type="retention")
    enqueue("retention.sweep")
    return see_other("/admin/retention")


def _day(text: str) -> date | None:
    """The hold's end date from the form (``YYYY-MM-DD``), or None when left empty."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise service.HoldError(
            N_("'%(value)s' is not a date; give it as YYYY-MM-DD."), value=text[:40]
        ) from None


@router.post("/admin/retention/holds", response_class=HTMLResponse)
async def place(request: Request, who: Manager) -> Response:
    form = await request.form()
    target = str(form.get("table", ""))
    datastore, _, table = target.partition(":")
    until_text = str(form.get("until", "")).strip()
    try:
        until = _day(until_text)
        with store(request) as session:
            service.place_hold(
                session,
                request.app.state.register,
                datastore=datastore,
                table=table,
                row_key=str(form.get("record", "")).strip() or "*",
                reason=str(form.get("reason", "")),
                until=until,
                actor=who.actor,
            )
    except ValueError as exc:  # a HoldError, told in the admin's language
        return retention_page(request, who, error=i18n.told(exc, admin_lang(request)))
    return see_other("/admin/retention")


@router.post("/admin/retention/holds/{hold_id}/release", response_class=HTMLResponse)
def release(request: Request, hold_id: int, who: Manager) -> Response:
    try:
        with store(request) as session:
            hold = session.get(RetentionHold, hold_id)
            if hold is None:
                raise ApiError(404, "not_found", N_("No hold %(id)s."), id=hold_id)
            service.release_hold(session, hold, actor=who.actor)
    except service.HoldError as exc:
        return retention_page(request, who, error=i18n.told(exc, admin_lang(request)))
    return see_other("/admin/retention")


def _act_html(request: Request, run_id: int) -> str:
    with store(request) as session:
        html = acts.stored_act(session, run_id)
    if html is None:
        raise ApiError(404, "not_found", N_("No act for sweep %(id)s."), id=run_id)
    return html


# before the HTML route: "{run_id}" would otherwise take "7.pdf" and refuse it as no number
@router.get("/admin/retention/acts/{run_id}.pdf")
def act_pdf(request: Request, run_id: int, who: Reader) -> Response:
    return pdf_download(acts.act_pdf(_act_html(request, run_id)), f"destruction-act-{run_id}.pdf")


@router.get("/admin/retention/acts/{run_id}", response_class=HTMLResponse)
def act(request: Request, run_id: int, who: Reader) -> Response:
    html = _act_html(request, run_id)
    return HTMLResponse(
        html, headers={"Content-Disposition": f'inline; filename="destruction-act-{run_id}.html"'}
    )
