"""Discovery: the findings of the latest scan, accepted as declared or dismissed with a reason."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from steward.discovery.store import DecisionRefused, current_findings, decide
from steward.lib import i18n
from steward.web.auth import Principal, require
from steward.web.pages.common import admin_lang, see_other, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)


def _page(request: Request, **extra: object) -> Response:
    with store(request) as session:
        scan, rows = current_findings(session)
        summary = json.loads(scan.summary) if scan else {}
        findings = [
            {
                "id": r.id,
                "kind": r.kind,
                "level": r.level,
                "where": ".".join(p for p in (r.datastore, r.location, r.column) if p),
                "category": r.category,
                "message": r.message,
                "said": r.said,
                "evidence": json.loads(r.evidence),
                "status": r.status,
                "decided_by": r.decided_by,
                "decided_at": r.decided_at,
                "reason": r.reason,
            }
            for r in rows
        ]
    context = {"scan": scan, "summary": summary, "findings": findings, **extra}
    status = 400 if extra.get("error") else 200
    return templates.TemplateResponse(request, "admin/discovery.html", context, status_code=status)


@router.get("/admin/discovery", response_class=HTMLResponse)
def discovery_page(
    request: Request, who: Annotated[Principal, Depends(require("discovery.read"))]
) -> Response:
    return _page(request)


@router.post("/admin/discovery/{finding_id}/decide", response_class=HTMLResponse)
def decide_finding(
    request: Request,
    finding_id: int,
    who: Annotated[Principal, Depends(require("discovery.decide"))],
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    try:
        with store(request) as session:
            decide(session, finding_id, decision, actor=who.actor, reason=reason, ip=who.ip)
    except DecisionRefused as exc:
        return _page(request, error=i18n.told(exc, admin_lang(request)))
    return see_other("/admin/discovery")
