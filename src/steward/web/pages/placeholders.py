"""Admin sections whose feature has not landed yet, each at its final address.

When you build one of these sections, include your router (``web/pages/<domain>.py``) in
``web/app.py`` at the same address and delete its entry here; the navigation stays the same.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from steward.store.registers import latest_register
from steward.web.auth import require
from steward.web.nav import SECTIONS
from steward.web.pages.common import store
from steward.web.templating import templates

PLACEHOLDERS: dict[str, str] = {}
"""Section slug -> what the page says until the section is built (none today)."""

router = APIRouter(include_in_schema=False)


def _page(slug: str):  # type: ignore[no-untyped-def]
    section = next(s for s in SECTIONS if s.slug == slug)

    def page(request: Request) -> Response:
        facts: list[tuple[str, str]] = []
        with store(request) as session:
            loaded = latest_register(session)
            if loaded is not None:
                facts.append(("Register in force", loaded.operator_name))
                facts.append(("Loaded", loaded.loaded_at.strftime("%Y-%m-%d %H:%M UTC")))
                facts.append(("SHA-256", loaded.sha256[:16]))
        return templates.TemplateResponse(
            request,
            "admin/placeholder.html",
            {"section": section, "text": PLACEHOLDERS[slug], "facts": facts},
        )

    page.__name__ = f"{slug}_placeholder"
    return page


for _section in SECTIONS:
    if _section.slug in PLACEHOLDERS:
        router.add_api_route(
            _section.href,
            _page(_section.slug),
            methods=["GET"],
            response_class=HTMLResponse,
            dependencies=[Depends(require(_section.permission))],
        )
