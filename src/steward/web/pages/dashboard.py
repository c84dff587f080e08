"""The dashboard: counts and charts across the sections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from steward.web.auth import Principal, require
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/admin/", response_class=HTMLResponse)
def dashboard(
    request: Request, who: Annotated[Principal, Depends(require("dashboard.read"))]
) -> Response:
    return templates.TemplateResponse(request, "admin/dashboard.html", {"panels": []})
