"""Privacy Center: download a request's result, in the verified browser or, after a code sent
to the e-mail the request proved, in another one.

GET  /privacy/requests/result/{token}          the file, in a browser that confirmed the request;
                                               elsewhere a page offering a code (403); a forged,
                                               expired or replaced link gets a page saying so (410)
POST /privacy/requests/result/{token}/code     e-mail a download code to the proven address
POST /privacy/requests/result/{token}/verify   the code: this browser may then download

The link is signed, names the request's current result and expires after
``STEWARD_REQUESTS_RESULT_LINK_DAYS``; the code is single use, 15 minutes, 5 tries.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from steward.lib import i18n
from steward.requests import links, service, verification
from steward.requests.states import RequestError
from steward.web.auth import client_ip, csrf_protect
from steward.web.pages.common import pick_lang, store
from steward.web.pages.requests_public import (
    WORDS,
    remember,
    render,
    secret_of,
    small_body,
    verified_ids,
)
from steward.web.security import rate_limit

router = APIRouter(include_in_schema=False)


class _Refused(Exception):
    """The link names no downloadable result; ``reason`` is a key of ``WORDS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def result_url(request: Request, request_id: int, nonce: str) -> str:
    """A fresh signed link to the request's current result (relative)."""
    return f"/privacy/requests/result/{links.result_token(secret_of(request), request_id, nonce)}"


def _claims(request: Request, token: str) -> tuple[int, str]:
    days = request.app.state.settings.requests_result_link_days
    try:
        return links.result_claims(secret_of(request), token, days * 86400)
    except RequestError as exc:
        raise _Refused("link_expired" if "expired" in str(exc) else "link_invalid") from None


def _expired_reason(request: Request, token: str) -> str:
    """An expired link's page: whether the result it pointed to was purged since (the
    signature still proves which request it names)."""
    try:
        request_id, _ = links.result_claims(secret_of(request), token, 100 * 365 * 86400)
        with store(request) as session:
            found = service.get(session, request_id)
            purged = found.result is None and found.result_type is not None
    except RequestError:
        return "link_expired"
    return "link_purged" if purged else "link_expired"


def _current(session: Any, request_id: int, nonce: str) -> Any:
    try:
        found = service.get(session, request_id)
    except RequestError:
        raise _Refused("link_invalid") from None
    if found.result is None and found.result_type is not None:
        raise _Refused("link_purged")  # the own-data retention purged it after the link expired
    if not verification.has_result(found) or found.result_nonce != nonce:
        raise _Refused("link_replaced")
    return found


def _lang(request: Request, found: Any | None = None) -> str:
    return pick_lang(request, found.lang if found is not None else None)


def _page(
    request: Request,
    token: str,
    found: Any,
    *,
    step: str,
    message: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """``step``: ``offer`` (send a code), ``code`` (enter it) or ``ready`` (download)."""
    lang = _lang(request, found)
    context = {"token": token, "reference": found.reference, "step": step, "message": message}
    return render(request, "result.html", lang, context, status)


def _refusal(request: Request, reason: str, found: Any | None = None) -> HTMLResponse:
    lang = _lang(request, found)
    w = i18n.words(WORDS, lang)
    context = {"reason": w[reason], "help": w["link_help"]}
    return render(request, "link.html", lang, context, 410)


@router.get("/privacy/requests/result/{token}")
def download_result(request: Request, token: str) -> Response:
    try:
        request_id, nonce = _claims(request, token)
        with store(request) as session:
            found = _current(session, request_id, nonce)
            if request_id not in verified_ids(request):
                words = i18n.words(WORDS, _lang(request, found))
                return _page(
                    request, token, found, step="offer", message=words["other_browser"], status=403
                )
            service.record_event(
                session, found, "subject", "result-downloaded", ip=client_ip(request)
            )
            data, content_type, ref = found.result, found.result_type, found.reference
    except _Refused as refused:
        reason = refused.reason
        if reason == "link_expired":
            reason = _expired_reason(request, token)
        return _refusal(request, reason)
    extension = {"application/json": "json", "text/csv": "csv", "application/zip": "zip"}.get(
        content_type or "", "bin"
    )
    return Response(
        data,
        media_type=content_type or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{ref}.{extension}"'},
    )


@router.post(
    "/privacy/requests/result/{token}/code",
    response_class=HTMLResponse,
    dependencies=[
        Depends(rate_limit("dsr-result-code", 10, 3600)),
        Depends(small_body),
        Depends(csrf_protect),
    ],
)
def send_code(request: Request, token: str) -> Response:
    base = request.app.state.settings.base_url.rstrip("/")
    try:
        request_id, nonce = _claims(request, token)
        with store(request) as session:
            found = _current(session, request_id, nonce)
            words = i18n.words(WORDS, _lang(request, found))
            try:
                verification.issue_result_code(
                    session,
                    found,
                    secret_of(request),
                    link=f"{base}/privacy/requests/result/{token}",
                )
            except RequestError as exc:
                status = 429 if isinstance(exc, verification.TooManyCodes) else 400
                told = i18n.told(exc, _lang(request, found))
                return _page(request, token, found, step="offer", message=told, status=status)
            return _page(request, token, found, step="code", message=words["result_code_sent"])
    except _Refused as refused:
        return _refusal(request, refused.reason)


@router.post(
    "/privacy/requests/result/{token}/verify",
    response_class=HTMLResponse,
    dependencies=[
        Depends(rate_limit("dsr-result-verify", 30, 600)),
        Depends(small_body),
        Depends(csrf_protect),
    ],
)
async def verify(request: Request, token: str) -> Response:
    form = await request.form()
    code = str(form.get("code", ""))[:20]
    try:
        request_id, nonce = _claims(request, token)
        with store(request) as session:
            found = _current(session, request_id, nonce)
            words = i18n.words(WORDS, _lang(request, found))
            outcome = verification.verify_result_code(
                session, found, code, secret_of(request), ip=client_ip(request)
            )
            if outcome != verification.Outcome.OK:
                left = verification.MAX_ATTEMPTS
                if outcome == verification.Outcome.WRONG:
                    latest = verification.latest_code(session, found.id, verification.RESULT)
                    left = verification.MAX_ATTEMPTS - (latest.attempts if latest else 0)
                message = words[str(outcome)].format(left=left)
                step = "code" if outcome == verification.Outcome.WRONG else "offer"
                return _page(request, token, found, step=step, message=message, status=400)
            response = _page(request, token, found, step="ready", message=words["may_download"])
    except _Refused as refused:
        return _refusal(request, refused.reason)
    remember(request, response, request_id)
    return response
