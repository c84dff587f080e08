"""JSON API of the disclosure log: the operator's backend records each disclosure of a
subject's data to a recipient of the register.

    POST /api/v1/disclosures    record one (scope disclosures:write)
    GET  /api/v1/disclosures    list them, newest first (scope disclosures:read);
                                filters: recipient, since, until, limit (at most 1000)

The subject's identifiers (``email``, ``phone``, ``account_id``: at least one) are kept only as
the ledger's keyed digests; the list never returns them, only which kinds were given. A
recipient, category or purpose the register does not declare, a date in the future or a
missing identifier is refused with 422 ``invalid_disclosure``, and nothing is recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from steward.requests import disclosures
from steward.requests.disclosures import Disclosure, DisclosureError
from steward.web.auth import Principal, require
from steward.web.errors import API_ERRORS, ApiError
from steward.web.pages.common import store

router = APIRouter(prefix="/api/v1/disclosures", tags=["disclosures"], responses=API_ERRORS)
Reader = Annotated[Principal, Depends(require("disclosures.read"))]
Writer = Annotated[Principal, Depends(require("disclosures.write"))]


class NewDisclosure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: str = Field(max_length=80, description="a recipient id of the register")
    categories: list[str] = Field(
        min_length=1, max_length=200, description="category ids disclosed (contact.email, ...)"
    )
    disclosed_on: date = Field(description="the day the data was disclosed")
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    account_id: str | None = Field(None, max_length=200)
    purpose: str | None = Field(None, max_length=80, description="a purpose id of the register")
    reference: str = Field(
        "",
        max_length=500,
        description="your reference (a contract or order number; no personal data)",
    )


class DisclosureOut(BaseModel):
    id: int
    recipient: str
    categories: list[str]
    purpose: str | None
    disclosed_on: date
    identifiers: list[str] = Field(description="which identifiers were recorded (never values)")
    reference: str
    recorded_at: datetime
    recorded_by: str


def _out(row: Disclosure) -> DisclosureOut:
    return DisclosureOut(
        id=row.id,
        recipient=row.recipient,
        categories=row.category_ids,
        purpose=row.purpose,
        disclosed_on=row.disclosed_on,
        identifiers=row.identifier_kinds,
        reference=row.reference,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


@router.post("", status_code=201)
def record_disclosure(body: NewDisclosure, request: Request, who: Writer) -> DisclosureOut:
    """Record one disclosure of a subject's data to a recipient of the register."""
    try:
        with store(request) as session:
            row = disclosures.record(
                session,
                request.app.state.register,
                request.app.state.settings.identifier_key(),
                recipient=body.recipient,
                categories=body.categories,
                disclosed_on=body.disclosed_on,
                identifiers={
                    "email": body.email,
                    "phone": body.phone,
                    "account-id": body.account_id,
                },
                purpose=body.purpose,
                reference=body.reference,
                actor=who.actor,
                ip=who.ip,
            )
            return _out(row)
    except DisclosureError as exc:
        raise ApiError.of(422, exc.code, exc) from None


@router.get("")
def list_disclosures(
    request: Request,
    who: Reader,
    recipient: Annotated[str | None, Query(max_length=80)] = None,
    since: date | None = None,
    until: date | None = None,
    limit: Annotated[int, Query(ge=1, le=disclosures.MAX_LISTED)] = 100,
) -> list[DisclosureOut]:
    """Recorded disclosures, newest first."""
    with store(request) as session:
        rows = disclosures.listing(
            session, recipient=recipient, since=since, until=until, limit=limit
        )
        return [_out(row) for row in rows]
