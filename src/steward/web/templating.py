"""The one Jinja2 environment: every page template lives under ``web/templates``.

    from steward.web.templating import templates
    return templates.TemplateResponse(request, "requests/list.html", {"items": items})

Globals every template can call: ``csrf_field()`` (inside each POST form), ``principal()``
(the signed-in person or None), ``nav()`` (the admin sections this principal may open).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


@pass_context
def _csrf_field(context: Any) -> Markup:
    from steward.web.auth import csrf_field

    return csrf_field(context["request"])


@pass_context
def _principal(context: Any) -> Any:
    return context["request"].scope.get("state", {}).get("principal")


@pass_context
def _nav(context: Any) -> list[Any]:
    from steward.web.nav import visible_sections

    request = context["request"]
    return visible_sections(request.scope.get("state", {}).get("principal"), request.url.path)


templates.env.globals.update(csrf_field=_csrf_field, principal=_principal, nav=_nav)
