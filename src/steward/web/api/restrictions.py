"""JSON API of the restriction list: may the operator's systems process this person's data?

    GET /api/v1/restrictions?email=anna@example.com&purpose=mailings     restrictions:read

Answers ``restricted`` (true when a restriction covers the purpose asked, or any purpose when
none is asked) and the restrictions themselves: purpose (null: every purpose), reason
(``objection`` or ``restriction``), the request's reference and since when. Identifiers are
compared as the consent ledger's keyed digests. The scope grants nothing else.
Errors use the envelope ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from steward.lib.i18n import N_
from steward.requests import restrictions
from steward.web.auth import require_scope
from steward.web.consent_runtime import consent_service
from steward.web.errors import API_ERRORS, ApiError

router = APIRouter(prefix="/api/v1/restrictions", tags=["restrictions"], responses=API_ERRORS)


class RestrictionOut(BaseModel):
    purpose: str | None
    reason: str
    reference: str
    since: datetime


class RestrictionsOut(BaseModel):
    restricted: bool
    restrictions: list[RestrictionOut]


@router.get(
    "", response_model=RestrictionsOut, dependencies=[Depends(require_scope("restrictions:read"))]
)
def restrictions_of(
    request: Request,
    email: Annotated[str | None, Query(max_length=320)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    account_id: Annotated[str | None, Query(max_length=200)] = None,
    purpose: Annotated[str | None, Query(max_length=64)] = None,
) -> RestrictionsOut:
    """Whether the subject's processing (for ``purpose``, or at all) is restricted."""
    given = {"email": email, "phone": phone, "account-id": account_id}
    identifiers = {k: v for k, v in given.items() if v and v.strip()}
    if not identifiers:
        raise ApiError(400, "invalid", N_("Name the subject: email, phone or account_id."))
    service = consent_service(request)
    if purpose is not None and purpose not in {p.id for p in service.register.purposes}:
        raise ApiError(
            400, "invalid", N_("The register has no purpose '%(purpose)s'."), purpose=purpose
        )
    try:
        with request.app.state.sessions() as session:
            found = restrictions.active(session, service.keys, identifiers, purpose)
    except ValueError as exc:
        raise ApiError.of(400, "invalid", exc) from None
    return RestrictionsOut(
        restricted=bool(found),
        restrictions=[
            RestrictionOut(purpose=r.purpose, reason=r.reason, reference=r.reference, since=r.since)
            for r in found
        ],
    )
