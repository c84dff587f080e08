"""The Register section: the processing register in force, its lint findings, and reloading it.

Reloading re-reads ``STEWARD_REGISTER_PATH``; a register with errors is refused and the one in
force stays. Every reload, accepted or refused, is written to the audit log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from steward.lib import i18n
from steward.notices import phrases
from steward.register import CheckResult, Register, RegisterError, check_file
from steward.store.registers import latest_register, record_register
from steward.web.auth import Principal, require
from steward.web.pages.common import admin_lang, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require("register.read"))]
Reloader = Annotated[Principal, Depends(require("register.reload"))]


def _source(request: Request) -> Path | None:
    path: Path | None = request.app.state.settings.register_path
    return path


def _render(
    request: Request, who: Principal, result: CheckResult | None, flash: str | None
) -> Response:
    register: Register | None = request.app.state.register
    with store(request) as session:
        loaded = latest_register(session, register.operator.id if register else None)
        loaded_facts = (
            {"sha256": loaded.sha256, "at": loaded.loaded_at, "source": loaded.source}
            if loaded
            else None
        )
    if result is None and register is not None and _source(request) is not None:
        result = check_file(_source(request))  # type: ignore[arg-type]
    return templates.TemplateResponse(
        request,
        "admin/register.html",
        {
            "register": register,
            "purposes": _purposes(register, admin_lang(request)) if register else [],
            "loaded": loaded_facts,
            "problems": result.problems if result else [],
            "source": _source(request),
            "can_reload": who.can("register.reload"),
            "flash": flash,
        },
        status_code=422 if result is not None and not result.ok and flash else 200,
    )


def _purposes(register: Register, lang: str) -> list[dict[str, Any]]:
    """Each purpose as the reader reads it: its name, legal basis, categories and retention in
    their language (the notice's own phrases), the register's ids beside them."""
    names = {
        r.id: i18n.localized(r.names, lang) if r.names else r.name for r in register.recipients
    }
    return [
        {
            "id": p.id,
            "name": i18n.localized(p.names, lang),
            "basis": phrases.BASIS[lang][p.basis],
            "basis_code": str(p.basis),
            "categories": [register.category_name(c, lang) for c in p.categories],
            "retention": phrases.retention_phrase(p.retention.duration, p.retention.from_, lang)
            if p.retention
            else None,
            "recipients": [names.get(r, r) for r in p.recipients],
        }
        for p in register.purposes
    ]


@router.get("/admin/register", response_class=HTMLResponse)
def register_page(request: Request, who: Reader) -> Response:
    return _render(request, who, None, None)


@router.post("/admin/register/reload", response_class=HTMLResponse)
def reload_register(request: Request, who: Reloader) -> Response:
    source = _source(request)
    if source is None:
        return _render(
            request, who, None, "No register file is configured (STEWARD_REGISTER_PATH)."
        )
    refused: CheckResult | None = None
    with store(request) as session:
        try:
            register, row = record_register(session, source)
        except RegisterError as exc:
            refused = CheckResult(str(source), None, exc.problems)
            who.record(
                session,
                "register.reload_refused",
                object_type="register",
                details={"errors": len(exc.problems)},
            )
        else:
            who.record(
                session,
                "register.reload",
                object_type="register",
                object_id=row.id,
                details={"sha256": row.sha256},
            )
    if refused is not None:  # rendered after the transaction: the page reads the store too
        flash = f"Not loaded: {len(refused.errors)} error(s). The register in force is unchanged."
        return _render(request, who, refused, flash)
    request.app.state.register = register
    request.app.state.consent_service = None  # rebuilt from the new register on next use
    return _render(
        request, who, None, f"Loaded {register.operator.legal_name} (sha256 {row.sha256[:12]})."
    )
