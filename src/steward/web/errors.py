"""One JSON error envelope for the API, one HTML error page for people.

    raise ApiError(404, "not_found", N_("No request %(reference)s."), reference="R-42")
    # /api/...  -> 404 {"error": {"code": "not_found", "message": "No request R-42."}}
    # pages     -> 404 error.html with the message

The ``message`` is English in the source and translated into the reader's language
(``error_lang``: the signed-in person's choice, else Accept-Language; a Privacy Center page's
own picker) from the catalogue (``lib/i18n``); the ``code`` is for machines and never changes.
A message the catalogue lacks (a service's own text) is sent as it was raised.

Exceptions:
    ApiError(status, code, message)     any 4xx a handler decides on
    SignInRequired                      401 on the API; pages redirect to /admin/sign-in?next=...
    TotpEnrolmentRequired               an owner made TOTP mandatory; pages go to enrolment
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from steward.lib import i18n
from steward.lib.i18n import N_, Told

logger = logging.getLogger("steward.web")

STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


TOO_LARGE = N_(
    "The request is too large: an attachment may have at most %(kib)s KiB. Attach a smaller "
    "scan (PDF, JPEG or PNG); nothing was filed."
)


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorOut(BaseModel):
    """The one error envelope: ``{"error": {"code": ..., "message": ...}}``."""

    error: ErrorDetail


# The errors any API route may answer, published on every route of the API's routers.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in {
        400: "The request is malformed (e.g. a body that is not JSON).",
        401: "No API token, or an unknown or revoked one.",
        403: "The token's scopes do not allow this.",
        404: "Nothing by that name or number.",
        408: "The request body did not arrive in time.",
        409: "The request conflicts with the current state.",
        413: "The request body is too large.",
        422: "The request is not valid; the message says which field and why.",
        429: "Too many requests; see Retry-After.",
        503: "Steward cannot answer now (no register loaded).",
    }.items()
}


class ApiError(Told):
    """An error answer: ``message`` is an English message id (``N_``), ``params`` its values."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message, **params)
        self.status, self.code, self.headers = status, code, headers
        self.message = str(self)  # the English, as raised

    @classmethod
    def of(cls, status: int, code: str, exc: Exception) -> ApiError:
        """The answer telling a service's error: its text translatable if it is ``Told``."""
        if isinstance(exc, Told):
            return cls(status, code, exc.text, **exc.params)
        return cls(status, code, str(exc))


class SignInRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            401, "unauthenticated", N_("Sign in first."), {"WWW-Authenticate": "Bearer"}
        )


class TotpEnrolmentRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            403, "totp_required", N_("Set up a second factor (TOTP) before continuing.")
        )


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _validation_message(exc: RequestValidationError, lang: str) -> str:
    """The first five problems, each as ``where: what`` (``where`` is pydantic's ``loc``, for
    machines; ``what`` its ``msg`` told in ``lang``, ``web/validation.py``)."""
    from steward.web import validation

    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body")
        what = validation.told(problem, lang)
        parts.append(f"{where}: {what}" if where else what)
    return "; ".join(parts) or N_("The request is not valid.")


def error_lang(request: Request) -> str:
    """The language an error is told in: a Privacy Center page's (its form field aside: the
    page's picker), else the admin's (the signed-in person's choice, else Accept-Language)."""
    from steward.web.pages.common import admin_lang, pick_lang

    if request.url.path.startswith("/privacy"):
        try:
            return pick_lang(request, steward_text=True)
        except (AttributeError, KeyError):  # refused before the app's state was reachable
            pass
    return admin_lang(request)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: Any = None,
    params: dict[str, Any] | None = None,
) -> Response:
    """The one error answer: the JSON envelope on the API, the error page (or the sign-in
    redirect) for people, ``message`` (an English message id, ``params`` its values) in the
    reader's language. Middleware that refuses a request before routing uses it too."""
    from steward.web.templating import templates

    lang = error_lang(request)
    message = i18n.say(message, lang, params)
    if wants_json(request):
        return JSONResponse(error_body(code, message), status_code=status, headers=headers)
    if code == "unauthenticated":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            f"/admin/sign-in?next={quote(target, safe='')}", 303, headers=headers
        )
    if code == "totp_required":
        return RedirectResponse("/admin/account/totp", 303, headers=headers)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "code": code, "message": message, "lang": lang},
        status_code=status,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    respond = error_response

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.status, exc.code, exc.text, exc.headers, exc.params)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        # A number in the path or query beyond what the store can hold names nothing there.
        message = N_("No such item: the number is out of range.")
        return respond(request, 404, "not_found", message, None)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else N_("The request failed.")
        if exc.status_code == 404 and message == "Not Found":
            message = N_("There is nothing at this address.")
        return respond(request, exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # The traceback goes to the server log (uvicorn logs it); the client learns nothing
        # about internals, and the API still answers in the envelope.
        # Log the route's template, never the concrete path: paths can carry secret tokens.
        route = getattr(request.scope.get("route"), "path", "?")
        logger.exception("unhandled error on %s %s", request.method, route)
        return respond(
            request, 500, "internal", N_("Steward failed to answer; see the server log."), None
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, "invalid", _validation_message(exc, error_lang(request)), None)
