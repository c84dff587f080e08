"""JSON API of the restriction list: may the operator's systems process this person's data?

    POST /api/v1/restrictions/check  {"identifiers": {"email": "anna@example.com"},
                                      "purpose": "mailings"}              restrictions:read
    GET /api/v1/restrictions?email=anna@example.com&purpose=mailings     restrictions:read

Both ask the same question. Prefer ``POST``: an identifier in a URL ends up in the access logs
of every proxy on the way (Steward's own server writes none); the SDK uses ``POST``.

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
from pydantic import BaseModel, ConfigDict, Field

from steward.lib.i18n import N_
from steward.requests import restrictions
from steward.web.auth import require_scope
from steward.web.consent_runtime import consent_service
from steward.web.errors import API_ERRORS, ApiError

router = APIRouter(prefix="/api/v1/restrictions", tags=["restrictions"], responses=API_ERRORS)
IDENTIFIERS = {"email": 320, "phone": 40, "account-id": 200}  # name -> longest value accepted
NAMES = ", ".join(IDENTIFIERS)


class RestrictionOut(BaseModel):
    purpose: str | None
    reason: str
    reference: str
    since: datetime


class RestrictionsOut(BaseModel):
    restricted: bool
    restrictions: list[RestrictionOut]


class RestrictionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifiers: dict[str, str] = Field(
        description="the subject's identifiers: email, phone, account-id (any of them matches)",
        max_length=3,
    )
    purpose: str | None = Field(None, max_length=64)


@router.post(
    "/check",
    response_model=RestrictionsOut,
    dependencies=[Depends(require_scope("restrictions:read"))],
)
def check_restrictions(request: Request, query: RestrictionQuery) -> RestrictionsOut:
    """Whether the subject's processing (for ``purpose``, or at all) is restricted."""
    unknown = sorted(set(query.identifiers) - set(IDENTIFIERS))
    if unknown:
        raise ApiError(
            400,
            "invalid",
            N_("'%(name)s' is not an identifier; use %(names)s."),
            name=unknown[0][:40],
            names=NAMES,
        )
    return _answer(request, query.identifiers, query.purpose)


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
    """The same question as ``POST /check``, the identifier in the query string."""
    given = {"email": email, "phone": phone, "account-id": account_id}
    return _answer(request, {k: v for k, v in given.items() if v is not None}, purpose)


def _answer(request: Request, given: dict[str, str], purpose: str | None) -> RestrictionsOut:
    identifiers = {k: v for k, v in given.items() if v and v.strip()}
    if not identifiers:
        raise ApiError(400, "invalid", N_("Name the subject: %(names)s."), names=NAMES)
    too_long = [k for k, v in identifiers.items() if len(v) > IDENTIFIERS[k]]
    if too_long:
        raise ApiError(
            400, "invalid", N_("The %(identifier)s is too long."), identifier=too_long[0]
        )
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
