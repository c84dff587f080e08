"""The Privacy Center's home: what a person can do about their data here, in their language.

    GET /privacy/     the operator's name, the notice, consents, requests, a security report

The language comes from ``?lang=``, else the browser's Accept-Language, among the languages the
register declares; the page shows a link to each of the others.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from steward.lib import i18n
from steward.lib.i18n import N_
from steward.web.pages.common import offered_languages, pick_lang
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)

WORDS: dict[str, str] = {
    "title": N_("Privacy Center"),
    "intro": N_("How {operator} handles your personal data, and what you can do about it."),
    "notice": N_("Privacy notice"),
    "notice_text": N_(
        "What we collect, why, on which legal basis, for how long, and who receives it."
    ),
    "consents": N_("Your consents"),
    "consents_text": N_("See and change what you agreed to; we e-mail you a link."),
    "request": N_("Make a request"),
    "request_text": N_(
        "Get a copy of your data, correct it, have it erased or restricted, or object."
    ),
    "check": N_("Check a request"),
    "check_text": N_(
        "Follow the link in the e-mail we sent when you made it: it shows where your request "
        "stands and, when it is answered, your download."
    ),
    "report": N_("Report a security problem"),
    "report_text": N_(
        "Your account no longer feels safe, or you saw data that should not be visible."
    ),
    "contact": N_("Contact"),
    "dpo": N_("Data protection officer"),
    "language": N_("Language"),
}


@router.get("/privacy", response_class=HTMLResponse)
def privacy_without_slash() -> Response:
    return RedirectResponse("/privacy/", status_code=308)


@router.get("/privacy/", response_class=HTMLResponse)
def privacy_home(request: Request) -> HTMLResponse:
    register = request.app.state.register
    offered = offered_languages(request)
    lang = pick_lang(request)
    operator = register.operator.legal_name if register else None
    contacts = register.operator.contacts if register else None
    return templates.TemplateResponse(
        request,
        "privacy/home.html",
        {
            "lang": lang,
            "w": i18n.words(WORDS, lang),
            "operator_name": operator,
            "intro": i18n.words(WORDS, lang)["intro"].format(
                operator=operator or i18n.translator(lang).gettext("this operator")
            ),
            "contacts": contacts,
            "languages": [(code, i18n.language_name(code)) for code in offered],
        },
        headers={"Vary": "Accept-Language", "Content-Language": lang},
    )
