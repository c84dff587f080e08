"""JSON API of the breach register: the operator's monitoring records incidents as it finds them.

    POST /api/v1/breaches               record an incident (scope breaches:write)
    GET  /api/v1/breaches/{reference}   the incident with its clocks (scope breaches:read)
    GET  /api/v1/breaches/{reference}/evidence       the evidence as JSON (scope breaches:read)
    GET  /api/v1/breaches/{reference}/evidence.pdf   the evidence as PDF (scope breaches:read)

Times are ISO 8601 with an offset (``2026-11-27T23:00:00+03:00``); an impossible time (in the
future, detected before it occurred) is refused with 422 and nothing is recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from steward.breaches import evidence, service
from steward.breaches.service import BreachInputError, IncidentInput
from steward.breaches.tables import Incident
from steward.lib.i18n import N_
from steward.web.auth import Principal, require
from steward.web.errors import API_ERRORS, ApiError
from steward.web.pages.common import pdf_download, store

router = APIRouter(prefix="/api/v1/breaches", tags=["breaches"], responses=API_ERRORS)
Reader = Annotated[Principal, Depends(require("breaches.read"))]
Writer = Annotated[Principal, Depends(require("breaches.write"))]


class NewIncident(BaseModel):
    model_config = ConfigDict(extra="forbid")

    detected_at: AwareDatetime = Field(description="when the operator became aware of it")
    occurred_at: AwareDatetime | None = None
    nature: str = Field(min_length=1, max_length=20_000)
    cause: str = Field("", max_length=20_000)
    consequences: str = Field("", max_length=20_000)
    measures: str = Field("", max_length=20_000)
    contact: str = Field("", max_length=500)
    datastores: list[str] = Field(default_factory=list, max_length=100)
    categories: list[str] = Field(default_factory=list, max_length=200)
    risk: str = Field("unassessed", pattern="^(unassessed|low|high)$")
    risk_reason: str = Field("", max_length=20_000)


class ClockOut(BaseModel):
    duty: str
    recipient: str
    citation: str
    applies: bool | None
    due: datetime | None
    note: str
    done_at: datetime | None


class IncidentOut(BaseModel):
    reference: str
    status: str
    detected_at: datetime
    occurred_at: datetime | None
    risk: str
    subjects_count: int | None
    count_state: str
    clocks: list[ClockOut]


def _out(request: Request, session: object, incident: Incident) -> IncidentOut:
    clocks = service.clocks(request.app.state.register, incident, session)  # type: ignore[arg-type]
    return IncidentOut(
        reference=incident.reference,
        status=incident.status,
        detected_at=incident.detected_at,
        occurred_at=incident.occurred_at,
        risk=incident.risk,
        subjects_count=incident.subjects_count,
        count_state=incident.count_state,
        clocks=[
            ClockOut(
                duty=clock.duty.id,
                recipient=clock.duty.recipient,
                citation=clock.duty.citation,
                applies=clock.applies,
                due=clock.due,
                note=clock.note,
                done_at=done.done_at if done else None,
            )
            for clock, done in clocks
        ],
    )


@router.post("", status_code=201)
def record_incident(body: NewIncident, request: Request, who: Writer) -> IncidentOut:
    """Record an incident; its notification clocks start at ``detected_at``."""
    data = IncidentInput(**body.model_dump(), source="api")
    try:
        with store(request) as session:
            incident = service.record_incident(
                session, request.app.state.register, data, actor=who.actor
            )
            return _out(request, session, incident)
    except BreachInputError as exc:
        raise ApiError.of(422, "invalid", exc) from None


@router.get("/{reference}")
def get_incident(reference: str, request: Request, who: Reader) -> IncidentOut:
    """One incident with its clocks and what was done."""
    with store(request) as session:
        incident = service.find(session, reference[:40])
        if incident is None:
            raise ApiError(
                404, "not_found", N_("No incident %(reference)s."), reference=reference[:40]
            )
        return _out(request, session, incident)


def _evidence(request: Request, reference: str) -> dict[str, Any]:
    with store(request) as session:
        incident = service.find(session, reference[:40])
        if incident is None:
            raise ApiError(
                404, "not_found", N_("No incident %(reference)s."), reference=reference[:40]
            )
        return evidence.build(session, request.app.state.register, incident)


@router.get("/{reference}/evidence")
def get_evidence(reference: str, request: Request, who: Reader) -> dict[str, Any]:
    """Everything recorded about the incident: clocks, count, letters, timeline, drafts."""
    return _evidence(request, reference)


@router.get(
    "/{reference}/evidence.pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the evidence",
        }
    },
)
def get_evidence_pdf(reference: str, request: Request, who: Reader) -> Response:
    """The incident's evidence as a PDF document (timeline, clocks, letters, count)."""
    body = _evidence(request, reference)
    return pdf_download(evidence.pdf(body), f"{body['reference']}-evidence.pdf")
