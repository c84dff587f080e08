"""The admin Notices section: published versions, what publishing now would change, publishing.

Publishing reads the register file in force (``STEWARD_REGISTER_PATH``) and goes through
``notices.publish.publish``: a new immutable version, announcements for a material change,
consents marked for re-confirmation, and an audit entry naming who published.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from steward.notices.audience import AudienceError
from steward.notices.change import Change
from steward.notices.diff import describe, diff_registers
from steward.notices.publish import (
    latest_version,
    parse_register,
    publish,
    stored_changes,
    versions,
)
from steward.register import Register, RegisterError
from steward.retention.service import sweeps_running
from steward.web.auth import Principal, require
from steward.web.pages.common import store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require("notices.read"))]
Publisher = Annotated[Principal, Depends(require("notices.publish"))]


def _pending(session: object, register: Register | None) -> list[Change] | None:
    """Changes from the latest published version to the register in force.

    None when nothing has been published yet.
    """
    if register is None:
        return []
    latest = latest_version(session, register.operator.id)  # type: ignore[arg-type]
    if latest is None:
        return None
    return diff_registers(parse_register(latest.register_text, latest.register_source), register)


def _render(request: Request, who: Principal, flash: str | None, status: int = 200) -> Response:
    register: Register | None = request.app.state.register
    with store(request) as session:
        pending = _pending(session, register)
        rows = [
            {
                "number": v.number,
                "at": v.published_at,
                "by": v.published_by,
                "material": v.material,
                "changes": [describe(c, "en") for c in stored_changes(v)],
            }
            for v in (versions(session, register.operator.id) if register else [])
        ]
    return templates.TemplateResponse(
        request,
        "admin/notices.html",
        {
            "register": register,
            "rows": rows,
            "pending": None
            if pending is None
            else [(describe(c, "en"), c.material) for c in pending],
            "can_publish": who.can("notices.publish"),
            "flash": flash,
        },
        status_code=status,
    )


@router.get("/admin/notices", response_class=HTMLResponse)
def notices_page(request: Request, who: Reader) -> Response:
    return _render(request, who, None)


@router.post("/admin/notices/publish", response_class=HTMLResponse)
def publish_notice(request: Request, who: Publisher) -> Response:
    source: Path | None = request.app.state.settings.register_path
    if source is None:
        return _render(request, who, "No register file is configured (STEWARD_REGISTER_PATH).", 409)
    try:
        text = source.read_text(encoding="utf-8")
        with store(request) as session:
            register = request.app.state.register
            result = publish(
                session,
                text,
                source=str(source),
                actor=who.actor,
                base_url=request.app.state.settings.base_url,
                sweeps_running=register is not None and sweeps_running(session, register),
            )
            number, created, material = result.version.number, result.created, result.material
            announced = result.announced
    except (OSError, UnicodeDecodeError) as exc:
        return _render(request, who, f"Cannot read the register file: {exc}", 409)
    except RegisterError as exc:
        return _render(
            request, who, f"Not published: the register has {len(exc.problems)} error(s).", 422
        )
    except AudienceError as exc:
        return _render(request, who, f"Not published: {exc}. Nothing changed; try again.", 503)
    if not created:
        return _render(
            request, who, f"Unchanged: version {number} is already the published notice."
        )
    what = (
        f"a material change, {announced} announcement(s) queued"
        if material
        else "no material change"
    )
    return _render(request, who, f"Published version {number} ({what}).")
