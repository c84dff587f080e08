"""Privacy Center: anyone may report a security problem (an account no longer safe, a leak).

    GET  /privacy/security/report     the form (en/ru)
    POST /privacy/security/report     CSRF, rate-limited, small body; the same answer whatever
                                      was reported, so the form reveals nothing about accounts

A report becomes an incident in the breach register with the status "reported", detected at the
moment it arrived, for the DPO to triage (confirm it as a breach, or close it with a reason).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from steward.breaches import service
from steward.breaches.service import BreachInputError
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.web.auth import csrf_protect
from steward.web.pages.common import pick_lang, store
from steward.web.pages.requests_public import small_body
from steward.web.security import rate_limit
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)

WORDS: dict[str, str] = {
    "title": N_("Report a security problem"),
    "intro": N_(
        "Tell us if you believe your account is no longer secure, or that personal data leaked. We"
        " look at every report."
    ),
    "what": N_("What did you notice?"),
    "email": N_("Your e-mail address, if you want an answer (optional)"),
    "send": N_("Send the report"),
    "thanks": N_("Thank you. Your report was received and will be looked at."),
    "empty": N_("Describe what you noticed."),
}


def _lang(request: Request, given: str | None = None) -> str:
    return pick_lang(request, given, steward_text=True)


def _page(request: Request, lang: str, **context: object) -> HTMLResponse:
    register = request.app.state.register
    return templates.TemplateResponse(
        request,
        "privacy/security_report.html",
        {
            "lang": lang,
            "w": i18n.words(WORDS, lang),
            "operator_name": register.operator.legal_name if register else None,
            **context,
        },
        status_code=400 if context.get("error") else 200,
    )


@router.get("/privacy/security/report", response_class=HTMLResponse)
def report_form(request: Request) -> HTMLResponse:
    return _page(request, _lang(request))


@router.post(
    "/privacy/security/report",
    response_class=HTMLResponse,
    dependencies=[
        Depends(rate_limit("security-report", 5, 3600)),
        Depends(small_body),
        Depends(csrf_protect),
    ],
)
async def report(request: Request) -> Response:
    form = await request.form()
    lang = _lang(request, str(form.get("lang", "")))
    description = str(form.get("description", ""))[:5000]
    email = str(form.get("email", ""))[:320]
    try:
        with store(request) as session:
            service.report_problem(session, description=description, email=email or None)
    except BreachInputError:
        return _page(request, lang, error=i18n.words(WORDS, lang)["empty"], values={"email": email})
    return _page(request, lang, thanks=True)
