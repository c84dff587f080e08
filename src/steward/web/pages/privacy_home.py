"""The Privacy Center's home: what a person can do about their data here, in their language.

    GET /privacy/     the operator's name, the notice, consents, requests, a security report

The language comes from ``?lang=``, else the browser's Accept-Language, among the languages the
register declares; the page shows a link to each of the others.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from steward.lib import i18n
from steward.web.pages.common import offered_languages, pick_lang
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)

WORDS = {
    "en": {
        "title": "Privacy Center",
        "intro": "How {operator} handles your personal data, and what you can do about it.",
        "notice": "Privacy notice",
        "notice_text": "What we collect, why, on which legal basis, for how long, and who "
        "receives it.",
        "consents": "Your consents",
        "consents_text": "See and change what you agreed to; we e-mail you a link.",
        "request": "Make a request",
        "request_text": "Get a copy of your data, correct it, have it erased or restricted, "
        "or object.",
        "check": "Check a request",
        "check_text": "Follow the link in the e-mail we sent when you made it: it shows where your "
        "request stands and, when it is answered, your download.",
        "report": "Report a security problem",
        "report_text": "Your account no longer feels safe, or you saw data that should not be "
        "visible.",
        "contact": "Contact",
        "dpo": "Data protection officer",
        "language": "Language",
    },
    "ru": {
        "title": "Центр конфиденциальности",
        "intro": "Как {operator} обрабатывает ваши персональные данные и что вы можете сделать.",
        "notice": "Политика обработки персональных данных",
        "notice_text": "Какие данные мы собираем, зачем, на каком основании, как долго храним и "
        "кому передаём.",
        "consents": "Ваши согласия",
        "consents_text": "Посмотреть и изменить данные вами согласия; мы пришлём ссылку по почте.",
        "request": "Подать запрос",
        "request_text": "Получить копию данных, уточнить их, потребовать уничтожения или "
        "ограничения обработки, возразить.",
        "check": "Узнать о ходе запроса",
        "check_text": "Перейдите по ссылке из письма, которое мы прислали после подачи запроса: "
        "там видно, на каком он этапе, и, когда ответ готов, его можно скачать.",
        "report": "Сообщить о проблеме безопасности",
        "report_text": "Учётная запись больше не кажется защищённой или вы увидели чужие данные.",
        "contact": "Контакты",
        "dpo": "Ответственный за организацию обработки персональных данных",
        "language": "Язык",
    },
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
            "w": WORDS[lang],
            "operator_name": operator,
            "intro": WORDS[lang]["intro"].format(operator=operator or "this operator"),
            "contacts": contacts,
            "languages": [(code, i18n.language_name(code)) for code in offered],
        },
        headers={"Vary": "Accept-Language", "Content-Language": lang},
    )
