"""Request bodies: capped before they are read, unread when an API call is not authenticated,
cut off when they trickle. ``BodyLimits`` (installed by ``create_app``) runs before routing:

- a body may have at most ``STEWARD_BODY_MAX_BYTES`` (JSON, forms, multipart alike), or
  ``STEWARD_UPLOAD_MAX_BYTES`` on the routes that take a file (``UPLOAD_PATHS``); a declared
  ``Content-Length`` over the cap is refused (413) before one byte is read, a chunked body as
  soon as it passes the cap, so no body is ever held whole;
- a POST, PUT, PATCH or DELETE under ``/api/`` is refused (401) before its body is read when it
  carries neither a valid API token nor a signed-in session, and one under ``/admin/`` is sent
  to the sign-in page (303) unread when no one is signed in, but for the forms of people who
  are not signed in yet (``ANONYMOUS_ADMIN_WRITES``: sign-in, password reset, invitations);
- a body that has not arrived in full ``STEWARD_BODY_TIMEOUT_SECONDS`` after the request began
  is cut off (408) and the connection closed, so a client trickling a byte at a time holds a
  connection for that long at most.

The refusal replaces whatever the application would have answered once it saw the body end
early; it uses the one error envelope (JSON on the API, the error page elsewhere).
"""

from __future__ import annotations

import re
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from steward.web.auth import API_PREFIX, SAFE_METHODS, current_principal
from steward.web.errors import error_response

# Routes whose bodies carry a file: the Privacy Center's request form and the API's filing (a
# signed scan, base64 in the JSON; the route caps it to the attachment limit itself), and an
# agent's completion of a request (the result file).
UPLOAD_PATHS = (
    re.compile(r"/privacy/requests/new"),
    re.compile(r"/api/v1/requests"),
    re.compile(r"/admin/requests/\d+"),
)


# The staff pages' forms that a person fills before they have a session.
ANONYMOUS_ADMIN_WRITES = (
    re.compile(r"/admin/sign-in(/totp)?"),
    re.compile(r"/admin/password-reset(/[^/]+)?"),
    re.compile(r"/admin/invitations/[^/]+"),
)
ADMIN_PREFIX = "/admin/"


def needs_principal(method: str, path: str) -> bool:
    """A write whose body is read only for someone authenticated (an API token, a session)."""
    if method in SAFE_METHODS:
        return False
    if path.startswith(API_PREFIX):
        return True
    return path.startswith(ADMIN_PREFIX) and not any(
        pattern.fullmatch(path) for pattern in ANONYMOUS_ADMIN_WRITES
    )


class _Refused(Exception):
    pass


class BodyLimits:
    def __init__(self, app: Any, *, body_max: int, upload_max: int, timeout_seconds: float) -> None:
        self.app, self.body_max, self.upload_max = app, body_max, upload_max
        self.timeout = timeout_seconds

    def limit_for(self, path: str) -> int:
        if any(pattern.fullmatch(path) for pattern in UPLOAD_PATHS):
            return self.upload_max
        return self.body_max

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, 413, "too_large", _too_large(limit))
            return
        if needs_principal(scope["method"], scope["path"]):
            principal = await run_in_threadpool(current_principal, Request(scope))
            if principal is None:  # the API answers 401, a page the sign-in redirect
                message = "Send a valid API token: Authorization: Bearer stw_..."
                await _refuse(scope, send, 401, "unauthenticated", message)
                return

        deadline = anyio.current_time() + self.timeout
        received = 0
        done = False
        refusal: tuple[int, str, str] | None = None
        answered = False

        async def limited_receive() -> Any:
            nonlocal received, done, refusal
            if done or refusal is not None:
                return await receive()
            message = None
            with anyio.move_on_after(max(deadline - anyio.current_time(), 0)):
                message = await receive()
            if message is None:
                refusal = (408, "timeout", _too_slow(self.timeout))
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refusal = (413, "too_large", _too_large(limit))
                    return {"type": "http.disconnect"}
                done = not message.get("more_body", False)
            return message

        async def guarded_send(message: Any) -> None:
            nonlocal answered
            if refusal is not None and message["type"].startswith("http.response"):
                if not answered:  # the application's answer to a cut-off body is replaced
                    answered = True
                    await _refuse(scope, send, *refusal)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if refusal is None:
                raise
        if refusal is not None and not answered:
            await _refuse(scope, send, *refusal)


def _content_length(scope: Any) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def _too_large(limit: int) -> str:
    return (
        f"The request body is too large: at most {limit // 1024} KiB is accepted here. "
        "Nothing was read or changed."
    )


def _too_slow(seconds: float) -> str:
    return (
        f"The request body did not arrive within {seconds:g} seconds; "
        "nothing was changed. Send it again on a faster connection."
    )


async def _refuse(scope: Any, send: Any, status: int, code: str, message: str) -> None:
    """Answer with the error envelope and close the connection: the body stays unread."""
    response = error_response(Request(scope), status, code, message, {"Connection": "close"})

    async def no_body() -> Any:
        return {"type": "http.disconnect"}

    await response(scope, no_body, send)
