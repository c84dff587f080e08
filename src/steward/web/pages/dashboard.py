"""The dashboard: one panel per registered provider (``web/charts.py``), chart plus table."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from steward.lib import i18n
from steward.lib.i18n import N_
from steward.web.auth import Principal, require
from steward.web.charts import PANELS, PanelData, label_text, render_svg
from steward.web.errors import ApiError
from steward.web.pages.common import admin_lang, store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require("dashboard.read"))]
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _rows(data: PanelData) -> list[list[Any]]:
    """The chart's numbers as table rows (label, one value per series); empty rows left out."""
    values = list(data.series.values())
    rows = [[label, *(v[i] for v in values)] for i, label in enumerate(data.labels)]
    return [row for row in rows if any(row[1:])]


@router.get("/admin/", response_class=HTMLResponse)
def dashboard(request: Request, who: Reader) -> Response:
    panels = []
    lang = admin_lang(request)
    _ = i18n.translator(lang).gettext
    with store(request) as session:
        for panel in PANELS:
            if not who.can(panel.permission):
                continue
            data = panel.provide(session)
            panels.append(
                {
                    "title": _(panel.title),
                    "chart": f"/admin/charts/{panel.slug}.svg" if data.has_data else None,
                    "alt": _("Chart: %(title)s; the numbers are in the table below.")
                    % {"title": _(panel.title)},
                    "columns": [_(data.label_title), *(_(name) for name in data.series)],
                    "rows": [[label_text(row[0], lang), *row[1:]] for row in _rows(data)],
                    "empty": _(data.empty) if data.empty else "",
                    "link": data.link,
                    "link_label": _(data.link_label) if data.link_label else "",
                }
            )
    return templates.TemplateResponse(request, "admin/dashboard.html", {"panels": panels})


@router.get("/admin/charts/{slug}.svg")
def chart(request: Request, slug: str, who: Reader) -> Response:
    panel = next((p for p in PANELS if p.slug == slug), None)
    if panel is None or not who.can(panel.permission):
        raise ApiError(404, "not_found", N_("No chart %(slug)r."), slug=slug[:40])
    with store(request) as session:
        data = panel.provide(session)
    return Response(
        render_svg(panel.title, data, admin_lang(request)),
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": CHART_CSP, "Cache-Control": "no-store"},
    )
