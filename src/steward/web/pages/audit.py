"""The audit log: filter, page back, export as CSV or JSON Lines, see whether the chain holds.
Each entry's action is shown by its label in the reader's language beside its code
(``ledger/actions.py``); the filter and the exports match and hold the codes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from steward.consent.identity import ConsentKeys
from steward.ledger.actions import action_label
from steward.ledger.anchors import sign_head
from steward.ledger.audit import AuditEntry, verify
from steward.ledger.audit_query import AuditFilter, iter_filtered, search, to_csv, to_jsonl
from steward.ledger.chain import canonical_json
from steward.store.tables import utcnow
from steward.web.auth import Principal, require
from steward.web.pages.common import admin_lang, store
from steward.web.templating import templates

HEAD_HEADER = "Steward-Chain-Head"  # the signed head of the audit log at export time

router = APIRouter(include_in_schema=False)
PAGE = 50


def _filter(
    actor: Annotated[str, Query(max_length=320)] = "",
    action: Annotated[str, Query(max_length=100)] = "",
    object_type: Annotated[str, Query(max_length=50)] = "",
    object_id: Annotated[str, Query(max_length=100)] = "",
    since: date | None = None,
    until: date | None = None,
) -> AuditFilter:
    return AuditFilter(actor, action, object_type, object_id, since, until)


Filter = Annotated[AuditFilter, Depends(_filter)]


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    who: Annotated[Principal, Depends(require("audit.read"))],
    where: Filter,
    before: Annotated[int | None, Query(ge=1)] = None,
    check: bool = False,
) -> Response:
    with store(request) as session:
        rows = search(session, where, before=before, limit=PAGE + 1)
        broken = verify(session) if check else None
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    kept = [p for p in request.url.query.split("&") if not p.startswith(("before=", "check="))]
    lang = admin_lang(request)
    return templates.TemplateResponse(
        request,
        "admin/audit.html",
        {
            "rows": rows,
            "labels": {e.action: action_label(e.action, lang) for e in rows},
            "where": where,
            "next_before": rows[-1].id if more and rows else None,
            "checked": check,
            "broken": broken,
            "query": "&".join(p for p in kept if p),
        },
    )


def _export(request: Request, who: Principal, where: AuditFilter, kind: str) -> Response:
    keys = ConsentKeys.from_settings(request.app.state.settings)
    with store(request) as session:
        who.record(
            session,
            "audit.export",
            object_type="audit_log",
            details={"format": kind, "filter": _describe(where)},
        )
        # The head is signed with every export, its own entry included; the signed head
        # travels in a header so that the file and the head can be kept apart.
        signed = sign_head(session, "audit", AuditEntry, keys.signing_key)
    factory = request.app.state.sessions

    def lines() -> Iterator[str]:
        with factory() as session:
            rows = iter_filtered(session, where)
            yield from (to_csv(rows) if kind == "csv" else to_jsonl(rows))

    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    media = "text/csv; charset=utf-8" if kind == "csv" else "application/x-ndjson"
    filename = f"audit-log-{stamp}.{'csv' if kind == 'csv' else 'jsonl'}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if signed is not None:
        headers[HEAD_HEADER] = canonical_json(signed)
    return StreamingResponse(lines(), media_type=media, headers=headers)


def _describe(where: AuditFilter) -> dict[str, str]:
    fields = ("actor", "action", "object_type", "object_id", "since", "until")
    return {f: str(getattr(where, f)) for f in fields if getattr(where, f)}


@router.get("/admin/audit/export.csv")
def export_csv(
    request: Request, who: Annotated[Principal, Depends(require("audit.export"))], where: Filter
) -> Response:
    return _export(request, who, where, "csv")


@router.get("/admin/audit/export.jsonl")
def export_jsonl(
    request: Request, who: Annotated[Principal, Depends(require("audit.export"))], where: Filter
) -> Response:
    return _export(request, who, where, "jsonl")
