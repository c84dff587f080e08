"""The breach register in the admin app: incidents, their clocks, drafts, letters, evidence.

    GET  /admin/breaches                       incidents with their next clock; record a new one
    POST /admin/breaches                       record an incident (breaches.write)
    GET  /admin/breaches/{reference}           clocks, drafts, affected subjects, letters, timeline
    POST /admin/breaches/{reference}           one action: confirm, assess, done, count, letters,
                                               called, close (breaches.write)
    GET  /admin/breaches/{reference}/evidence.json | .html | .pdf   the timeline and evidence

Counting subjects and writing to them read the operator's databases: the page enqueues a job
and shows its outcome when it is done, never doing that work in the HTTP request.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from steward.breaches import drafts, evidence, letters, service
from steward.breaches.service import BreachInputError, IncidentInput
from steward.breaches.tables import Incident, LetterDispatch
from steward.jobs import enqueue
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.web.auth import Principal, require
from steward.web.errors import ApiError
from steward.web.pages.common import admin_gettext, admin_lang, pdf_download, see_other, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
DONE = {
    "confirm": N_("The report is now an open breach; its clocks run from its detection."),
    "assess": N_("Risk assessment recorded."),
    "done": N_("Recorded as sent."),
    "called": N_("Marked as called."),
    "close": N_("Incident closed."),
    "count": N_("Counting the affected subjects in the background; reload to see the result."),
    "letters": N_("Letters are being sent in the background; reload to see each dispatch."),
}
Reader = Annotated[Principal, Depends(require("breaches.read"))]
Writer = Annotated[Principal, Depends(require("breaches.write"))]


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.requests_timezone)


def parse_moment(value: str, zone: ZoneInfo, name: str) -> datetime | None:
    """A form's date and time: ISO 8601; without an offset it is read in ``zone``."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BreachInputError(
            N_("%(name)s '%(value)s' is not a date and time; write it as 2026-11-27T23:00"),
            name=name,
            value=value[:40],
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _load(session: Any, reference: str) -> Incident:
    incident = service.find(session, reference)
    if incident is None:
        raise ApiError(404, "not_found", N_("No incident %(reference)s."), reference=reference)
    return incident


def _rows(request: Request, session: Any) -> list[dict[str, Any]]:
    register = request.app.state.register
    now = datetime.now(UTC)
    rows = []
    for incident in service.incidents(session):
        pending = [
            clock
            for clock, done in service.clocks(register, incident, session)
            if done is None and clock.applies and clock.due is not None
        ]
        upcoming = pending[0] if pending and incident.status != "closed" else None
        rows.append(
            {
                "incident": incident,
                "next": upcoming,
                "overdue": bool(upcoming and upcoming.overdue(now)),
                "left": (upcoming.due - now) if upcoming and upcoming.due else None,
            }
        )
    return rows


@router.get("/admin/breaches", response_class=HTMLResponse)
def breaches_page(request: Request, who: Reader, error: str | None = None) -> Response:
    register = request.app.state.register
    with store(request) as session:
        rows = _rows(request, session)
    return templates.TemplateResponse(
        request,
        "admin/breaches/list.html",
        {
            "rows": rows,
            "error": error,
            "zone": request.app.state.settings.requests_timezone,
            "datastores": [d.id for d in register.datastores] if register else [],
            "categories": [
                (c, register.category_name(c, admin_lang(request)))
                for c in sorted(register.all_categories)
            ]
            if register
            else [],
            "can_write": who.can("breaches.write"),
        },
        status_code=400 if error else 200,
    )


@router.post("/admin/breaches", response_class=HTMLResponse)
async def record_page(request: Request, who: Writer) -> Response:
    form = await request.form()
    text = {k: v for k, v in form.items() if isinstance(v, str)}
    zone = _zone(request)
    try:
        detected = parse_moment(text.get("detected_at", ""), zone, "detected_at")
        if detected is None:
            raise BreachInputError(N_("detected_at is required: when did you learn of the breach?"))
        data = IncidentInput(
            detected_at=detected,
            occurred_at=parse_moment(text.get("occurred_at", ""), zone, "occurred_at"),
            nature=text.get("nature", ""),
            cause=text.get("cause", ""),
            consequences=text.get("consequences", ""),
            measures=text.get("measures", ""),
            contact=text.get("contact", ""),
            datastores=[str(v) for v in form.getlist("datastores")],
            categories=[str(v) for v in form.getlist("categories")],
            risk=text.get("risk", "unassessed"),
            risk_reason=text.get("risk_reason", ""),
            source="admin",
        )
        with store(request) as session:
            incident = service.record_incident(
                session, request.app.state.register, data, actor=who.actor
            )
            reference = incident.reference
    except BreachInputError as exc:
        return breaches_page(request, who, error=i18n.told(exc, admin_lang(request)))
    return see_other(f"/admin/breaches/{reference}")


def _context(request: Request, session: Any, incident: Incident) -> dict[str, Any]:
    register = request.app.state.register
    now = datetime.now(UTC)
    return {
        "i": incident,
        "clocks": service.clocks(register, incident, session),
        "now": now,
        "drafts": drafts.authority_drafts(register, incident),
        "subject_letters": [
            drafts.subject_letter(register, incident, lang)
            for lang in letters.letter_languages(register)
        ],
        "events": service.timeline(session, incident),
        "letters": service.letters(session, incident),
        "datastores": service.listed(incident.datastores),
        "categories": [
            register.category_name(c, admin_lang(request)) if register else c
            for c in service.listed(incident.categories)
        ],
        "counts": json.loads(incident.counts or "{}"),
        "channels": json.loads(incident.channels or "{}"),
        "problems": json.loads(incident.count_problems or "{}"),
        "promised": register.policy.breaches.notify_subjects
        if register and register.policy.breaches
        else [],
    }


@router.get("/admin/breaches/{reference}", response_class=HTMLResponse)
def incident_page(
    request: Request, reference: str, who: Reader, error: str | None = None, done: str = ""
) -> Response:
    with store(request) as session:
        context = _context(request, session, _load(session, reference))
    return templates.TemplateResponse(
        request,
        "admin/breaches/detail.html",
        {
            **context,
            "error": error,
            "done": admin_gettext(request)(DONE[done]) if done in DONE else "",
            "can_write": who.can("breaches.write"),
        },
        status_code=400 if error else 200,
    )


@router.post("/admin/breaches/{reference}", response_class=HTMLResponse)
async def incident_action(request: Request, reference: str, who: Writer) -> Response:
    form = await request.form()
    action = str(form.get("action", ""))
    text = str(form.get("text", ""))[:20_000]
    try:
        with store(request) as session:
            incident = _load(session, reference)
            if action == "confirm":
                service.confirm(session, incident, actor=who.actor)
            elif action == "assess":
                service.assess_risk(
                    session, incident, str(form.get("risk", "")), reason=text, actor=who.actor
                )
            elif action == "done":
                at = parse_moment(str(form.get("at", "")), _zone(request), "at")
                service.mark_done(
                    session,
                    incident,
                    str(form.get("duty", "")),
                    actor=who.actor,
                    reference=text,
                    at=at,
                )
            elif action == "called":
                letter = session.get(LetterDispatch, int(str(form.get("letter", "0")) or 0))
                if letter is None or letter.incident_id != incident.id:
                    raise BreachInputError(N_("no such letter on this incident's call list"))
                service.mark_called(session, letter, actor=who.actor)
            elif action == "close":
                service.close(session, incident, note=text, actor=who.actor)
            elif action in ("count", "letters"):
                if incident.status != "open":
                    raise BreachInputError(
                        N_("%(reference)s is %(status)s, not open"),
                        reference=incident.reference,
                        status=incident.status,
                    )
                if action == "count":
                    incident.count_state = "queued"
                queued = i18n.Phrase(N_("job queued"))
                service.log_event(session, incident, who.actor, f"{action}-asked", queued)
                incident_id = incident.id
            else:
                raise BreachInputError(N_("unknown action '%(action)s'"), action=action[:40])
    except BreachInputError as exc:
        return incident_page(request, reference, who, error=i18n.told(exc, admin_lang(request)))
    if action in ("count", "letters"):
        enqueue(f"breaches.{action}", incident_id=incident_id)
    return see_other(f"/admin/breaches/{reference}?done={action}")


def _evidence(request: Request, reference: str) -> dict[str, Any]:
    with store(request) as session:
        return evidence.build(session, request.app.state.register, _load(session, reference))


@router.get("/admin/breaches/{reference}/evidence.json")
def evidence_json(request: Request, reference: str, who: Reader) -> Response:
    body = _evidence(request, reference)
    return JSONResponse(
        body,
        headers={"Content-Disposition": f'attachment; filename="{reference}-evidence.json"'},
    )


@router.get("/admin/breaches/{reference}/evidence.html", response_class=HTMLResponse)
def evidence_html(request: Request, reference: str, who: Reader) -> Response:
    return HTMLResponse(evidence.html(_evidence(request, reference)))


@router.get("/admin/breaches/{reference}/evidence.pdf")
def evidence_pdf(request: Request, reference: str, who: Reader) -> Response:
    return pdf_download(evidence.pdf(_evidence(request, reference)), f"{reference}-evidence.pdf")
