"""Privacy Center: file a request, verify it with the e-mailed code, download the result.

GET  /privacy/requests/new                 the form (en/ru), no JavaScript needed
POST /privacy/requests/new                 multipart; body capped before parsing; CSRF;
                                           rate-limited; attachment checked by content
GET  /privacy/requests/s/{token}           the request's status page (signed, no identifiers)
POST /privacy/requests/s/{token}/verify    the code; wrong tries counted, locked after N
POST /privacy/requests/s/{token}/resend    a fresh code (rate-limited per request)
The status page of a completed request has the result's download button; the download
itself and the re-verification of another browser are ``requests_results``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from steward.law import KIND_NAMES, LAWS
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.requests import clock, links, service, verification
from steward.requests.attachments import check_attachment
from steward.requests.service import Intake
from steward.requests.states import RequestError
from steward.web.auth import client_ip, csrf_protect
from steward.web.errors import TOO_LARGE, ApiError
from steward.web.pages.common import https, pick_lang, store
from steward.web.security import rate_limit
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
SUBJECT_COOKIE = "steward_dsr"
STATUS_MAX_AGE = 90 * 86400
# Room for the form's text fields (details is capped at 10,000 characters) and multipart framing.
FORM_SLACK_BYTES = 256 * 1024
SMALL_FORM_BYTES = 16 * 1024

WORDS: dict[str, str] = {
    "title": N_("Make a request about your personal data"),
    "kind": N_("What do you ask for?"),
    "subject_kind": N_("Who are you to us?"),
    "email": N_("E-mail address"),
    "phone": N_("Telephone (optional)"),
    "account": N_("Account id (optional)"),
    "jurisdiction": N_("Law that protects you (optional)"),
    "as_operator": N_("As the operator declares"),
    "details": N_("Details (optional)"),
    "attachment": N_("Signed request (scan: PDF, JPEG or PNG)"),
    "attachment_required": N_(
        "The operator requires a scan of the request bearing your signature."
    ),
    "send": N_("Send the request"),
    "status": N_("Your request"),
    "reference": N_("Reference"),
    "state": N_("State"),
    "due": N_("We answer by"),
    "rule": N_("Rule"),
    "code": N_("Code from the e-mail"),
    "verify": N_("Confirm"),
    "resend": N_("Send a new code"),
    "code_sent": N_("We sent a code to the e-mail address you gave. Enter it here."),
    "verified": N_("Your identity is confirmed. We will e-mail you when the request is done."),
    "wrong": N_("The code is not right. Tries left: {left}."),
    "locked": N_("Too many wrong codes. Ask for a new code."),
    "expired": N_("The code has expired or was already used. Ask for a new code."),
    "resent": N_("A new code is on its way."),
    "no_email": N_("We will contact you to confirm your identity."),
    "identifiers": N_("What we search for"),
    "id_proven": N_("proven, searched"),
    "id_unproven": N_("not proven, not searched"),
    "unproven_note": N_(
        "We search only what you proved: the code proves your e-mail address. Other identifiers "
        "you gave are searched only after we confirm them with you."
    ),
    "result": N_("Result"),
    "download": N_("Download the result"),
    "other_browser": N_(
        "The result downloads only in a browser where the request was confirmed. To download "
        "it here, we send a code to the e-mail address your request proved."
    ),
    "send_code": N_("Send me a code"),
    "result_code_sent": N_(
        "We sent a code to the e-mail address your request proved. Enter it here."
    ),
    "confirm": N_("Confirm and download"),
    "may_download": N_("Confirmed: this browser may download the result."),
    "result_title": N_("The result of your request"),
    "link_title": N_("This link does not work"),
    "link_invalid": N_("This link is not valid: it is damaged or was not made by us."),
    "link_expired": N_("This link has expired."),
    "link_replaced": N_("This link was replaced by a newer result, or the result was withdrawn."),
    "link_purged": N_(
        "This result was deleted: we keep a result only for a set number of days after the "
        "request is completed. Ask us for it again, quoting your request's reference."
    ),
    "link_help": N_(
        "Open the status page of your request (the link in our e-mails) to download the "
        "current result, or ask us for a new link quoting your request's reference."
    ),
}


def _lang(request: Request, given: str | None = None) -> str:
    return pick_lang(request, given, steward_text=True)


def secret_of(request: Request) -> str:
    return str(request.app.state.settings.secret_key.get_secret_value())


def render(
    request: Request, name: str, lang: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    register = request.app.state.register
    return templates.TemplateResponse(
        request,
        f"privacy/requests/{name}",
        {
            "lang": lang,
            "w": i18n.words(WORDS, lang),
            "operator_name": register.operator.legal_name if register else None,
            **context,
        },
        status_code=status,
    )


def _form_context(request: Request, lang: str) -> dict[str, Any]:
    register = request.app.state.register
    kinds = clock.kinds_allowed(register, clock.applicable(register, None))
    policy = register.policy.requests if register and register.policy else None
    subjects = register.subjects if register else []
    return {
        "kinds": [(k.value, KIND_NAMES[k].get(lang, KIND_NAMES[k]["en"])) for k in kinds],
        # offered only where the register has more than one kind; the default is preselected
        "subject_kinds": [(s.id, i18n.localized(s.names, lang)) for s in subjects]
        if len(subjects) > 1
        else [],
        "default_subject_kind": register.default_subject() if subjects else None,
        "laws": [(j, law.names.get(lang, law.names["en"])) for j, law in LAWS.items()],
        "signed_document": bool(policy and policy.signed_document),
    }


async def read_capped(request: Request, limit: int, refusal: ApiError) -> None:
    """Read the body, raising ``refusal`` once it exceeds ``limit`` bytes.

    Runs before anything parses the form, so an oversized body is never spooled whole to
    memory or disk, whether it declares its length or streams it chunked. The bytes read are
    kept on the request, where ``request.form()`` finds them.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise refusal
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise refusal
        chunks.append(chunk)
    request._body = b"".join(chunks)  # Starlette's cache of the read body


async def capped_body(request: Request) -> None:
    """The request form: at most the attachment limit plus room for the text fields (413)."""
    max_bytes = request.app.state.settings.requests_attachment_max_bytes
    refusal = ApiError(
        413,
        "too_large",
        TOO_LARGE,
        kib=max_bytes // 1024,
    )
    await read_capped(request, max_bytes + FORM_SLACK_BYTES, refusal)


async def small_body(request: Request) -> None:
    """The code and resend forms carry a few short fields; anything bigger is refused (413)."""
    refusal = ApiError(413, "too_large", N_("This form is too large; send only the code."))
    await read_capped(request, SMALL_FORM_BYTES, refusal)


@router.get("/privacy/requests/new", response_class=HTMLResponse)
def new_request_form(request: Request) -> HTMLResponse:
    lang = _lang(request)
    return render(request, "new.html", lang, {**_form_context(request, lang), "values": {}})


@router.post(
    "/privacy/requests/new",
    response_class=HTMLResponse,
    dependencies=[
        Depends(rate_limit("dsr-new", 10, 3600)),
        Depends(capped_body),
        Depends(csrf_protect),
    ],
)
async def file_request(request: Request) -> Response:
    form = await request.form()
    try:
        return await _file_request(request, form)
    finally:
        await form.close()  # uploads are spooled to temporary files


async def _file_request(request: Request, form: Any) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    lang = _lang(request, values.get("lang"))
    settings = request.app.state.settings
    upload = form.get("attachment")
    try:
        attachment = None
        if isinstance(upload, StarletteUpload | UploadFile) and upload.filename:
            content = await upload.read(settings.requests_attachment_max_bytes + 1)
            attachment = check_attachment(
                upload.filename, content, settings.requests_attachment_max_bytes
            )
        intake = Intake(
            kind=values.get("kind", ""),
            subject_kind=values.get("subject_kind") or None,
            email=values.get("email"),
            phone=values.get("phone"),
            account_id=values.get("account_id"),
            jurisdiction=values.get("jurisdiction") or None,
            details=values.get("details", ""),
            lang=lang,
            attachment=attachment,
        )
        with store(request) as session:
            filed = service.file_request(
                session,
                request.app.state.register,
                intake,
                ip=client_ip(request),
                zone=settings.requests_timezone,
            )
            token = links.sign(secret_of(request), "status", filed.id)
            status_url = f"{settings.base_url.rstrip('/')}/privacy/requests/s/{token}?lang={lang}"
            if filed.verified_at is None and filed.verification_required:
                verification.issue_code(session, filed, secret_of(request), link=status_url)
    except RequestError as exc:
        context = {**_form_context(request, lang), "values": values, "error": i18n.told(exc, lang)}
        return render(request, "new.html", lang, context, status=400)
    return RedirectResponse(f"/privacy/requests/s/{token}?lang={lang}", status_code=303)


def _request_for(request: Request, token: str, session: Any) -> Any:
    try:
        request_id = links.load(secret_of(request), "status", token, STATUS_MAX_AGE)
        return service.get(session, int(request_id))  # type: ignore[call-overload]
    except (RequestError, TypeError, ValueError):
        raise ApiError(404, "not_found", N_("This request link is not valid.")) from None


def _status(
    request: Request,
    token: str,
    lang: str,
    message: str | None = None,
    status: int = 200,
    verified_now: int | None = None,
) -> HTMLResponse:
    with store(request) as session:
        found = _request_for(request, token, session)
        proven = verification.proven(found)
        result = None
        if verification.has_result(found) and found.result_nonce:
            # a fresh link each time, until the result is deleted (retention.own_data)
            signed = links.result_token(secret_of(request), found.id, found.result_nonce)
            here = found.id in verified_ids(request) or found.id == verified_now
            result = {"href": f"/privacy/requests/result/{signed}", "here": here}
        context = {
            "result": result,
            "r": found,
            "kind_name": KIND_NAMES[found.kind].get(lang, found.kind),  # type: ignore[index]
            "token": token,
            "message": message,
            "needs_code": found.verification_required and found.verified_at is None,
            # Names and states only: the status link shows no identifier's value.
            "identifiers": [
                (i18n.words(verification.LABELS, lang)[name], name in proven)
                for name in verification.identifiers_of(found)
            ],
        }
    return render(request, "status.html", lang, context, status)


@router.get("/privacy/requests/s/{token}", response_class=HTMLResponse)
def request_status(request: Request, token: str) -> HTMLResponse:
    return _status(request, token, _lang(request))


@router.post(
    "/privacy/requests/s/{token}/verify",
    response_class=HTMLResponse,
    dependencies=[
        Depends(rate_limit("dsr-code", 30, 600)),
        Depends(small_body),
        Depends(csrf_protect),
    ],
)
async def verify(request: Request, token: str) -> Response:
    form = await request.form()
    code = str(form.get("code", ""))[:20]
    lang = _lang(request, str(form.get("lang", "")))
    w = i18n.words(WORDS, lang)
    with store(request) as session:
        found = _request_for(request, token, session)
        outcome = verification.verify_code(
            session,
            found,
            code,
            secret_of(request),
            register=request.app.state.register,
            ip=client_ip(request),
        )
        request_id = found.id
    if outcome != verification.Outcome.OK:
        left = verification.MAX_ATTEMPTS
        if outcome == verification.Outcome.WRONG:
            with store(request) as session:
                latest = verification.latest_code(session, request_id)
                left = verification.MAX_ATTEMPTS - (latest.attempts if latest else 0)
        message = w[str(outcome)].format(left=left)
        return _status(request, token, lang, message, status=400)
    response = _status(request, token, lang, w["verified"], verified_now=request_id)
    remember(request, response, request_id)
    return response


def remember(request: Request, response: Response, request_id: int) -> None:
    """This browser has confirmed request ``request_id``: its results download here."""
    settings = request.app.state.settings
    verified = set(verified_ids(request)) | {request_id}
    response.set_cookie(
        SUBJECT_COOKIE,
        links.sign(secret_of(request), "subject", sorted(verified)[-20:]),
        max_age=settings.requests_result_link_days * 86400 + 86400,
        httponly=True,
        secure=https(request),
        samesite="lax",
    )


@router.post(
    "/privacy/requests/s/{token}/resend",
    response_class=HTMLResponse,
    dependencies=[
        Depends(rate_limit("dsr-resend", 10, 3600)),
        Depends(small_body),
        Depends(csrf_protect),
    ],
)
async def resend(request: Request, token: str) -> Response:
    form = await request.form()
    lang = _lang(request, str(form.get("lang", "")))
    try:
        with store(request) as session:
            found = _request_for(request, token, session)
            link = f"{request.app.state.settings.base_url.rstrip('/')}/privacy/requests/s/{token}"
            verification.issue_code(session, found, secret_of(request), link=link)
    except RequestError as exc:
        return _status(request, token, lang, i18n.told(exc, lang), status=429)
    return _status(request, token, lang, i18n.words(WORDS, lang)["resent"])


def verified_ids(request: Request) -> list[int]:
    cookie = request.cookies.get(SUBJECT_COOKIE)
    if not cookie:
        return []
    max_age = request.app.state.settings.requests_result_link_days * 86400 + 86400
    try:
        value = links.load(secret_of(request), "subject", cookie, max_age)
    except RequestError:
        return []
    return [int(v) for v in value] if isinstance(value, list) else []
