"""One JSON error envelope for the API, one HTML error page for people.

    raise ApiError(404, "not_found", "No request 42.")
    # /api/...  -> 404 {"error": {"code": "not_found", "message": "No request 42."}}
    # pages     -> 404 error.html with the message

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


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class SignInRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(401, "unauthenticated", "Sign in first.", {"WWW-Authenticate": "Bearer"})


class TotpEnrolmentRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(403, "totp_required", "Set up a second factor (TOTP) before continuing.")


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body")
        parts.append(f"{where}: {problem.get('msg', 'invalid')}" if where else problem["msg"])
    return "; ".join(parts) or "The request is not valid."


def error_response(
    request: Request, status: int, code: str, message: str, headers: Any = None
) -> Response:
    """The one error answer: the JSON envelope on the API, the error page (or the sign-in
    redirect) for people. Middleware that refuses a request before routing uses it too."""
    from steward.web.templating import templates

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
        {"status": status, "code": code, "message": message},
        status_code=status,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    respond = error_response

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        # A number in the path or query beyond what the store can hold names nothing there.
        message = "No such item: the number is out of range."
        return respond(request, 404, "not_found", message, None)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "The request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        return respond(request, exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # The traceback goes to the server log (uvicorn logs it); the client learns nothing
        # about internals, and the API still answers in the envelope.
        # Log the route's template, never the concrete path: paths can carry secret tokens.
        route = getattr(request.scope.get("route"), "path", "?")
        logger.exception("unhandled error on %s %s", request.method, route)
        return respond(
            request, 500, "internal", "Steward failed to answer; see the server log.", None
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, "invalid", _validation_message(exc), None)
