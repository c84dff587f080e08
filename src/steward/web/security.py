"""Security by default for every response: headers, the CSRF cookie, rate limits.

``SecurityMiddleware`` (installed by ``create_app``) adds CSP, X-Frame-Options, Referrer-Policy,
X-Content-Type-Options, Permissions-Policy, HSTS when served over HTTPS, ``Cache-Control:
no-store`` on admin pages and the API, and gives each browser a random ``steward_csrf`` cookie
(HttpOnly, SameSite=Strict) that CSRF tokens are derived from. It also limits requests that
carry no credentials to ``STEWARD_RATE_LIMIT_PER_MINUTE`` per client address, and those that
carry a session cookie or an API token to ten times that (so a made-up cookie buys little).
Every limit goes through the one limiter (``steward.lib.ratelimit``), kept where
``STEWARD_RATE_LIMIT_STORE`` says (memory, the store or Redis).

Endpoints anyone can reach add a tighter limit of their own:

    @router.post("/privacy/requests", dependencies=[Depends(rate_limit("dsr", 10, 3600))])

A response that sets its own ``Content-Security-Policy`` keeps it (the SVG charts do).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from fastapi import Request
from starlette.requests import cookie_parser

from steward.lib.i18n import N_
from steward.lib.ratelimit import Limiter
from steward.web.errors import ApiError

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
CSRF_COOKIE = "steward_csrf"
SESSION_COOKIE = "steward_session"


def over_limit(request: Request, bucket: str, limit: int, per_seconds: float) -> float | None:
    """Count one request of this client address in ``bucket``; the wait when over the limit."""
    limiter: Limiter = request.app.state.rate_limiter
    ip = request.client.host if request.client else "unknown"
    return limiter.hit(f"{bucket}:{ip}", limit, per_seconds)


def rate_limit(bucket: str, limit: int, per_seconds: float) -> Callable[[Request], None]:
    """A dependency allowing ``limit`` requests per ``per_seconds`` per client address."""

    def dependency(request: Request) -> None:
        wait = over_limit(request, bucket, limit, per_seconds)
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                N_("Too many attempts; try again in %(seconds)s seconds."),
                {"Retry-After": str(int(wait) + 1)},
                seconds=int(wait) + 1,
            )

    dependency.__name__ = f"rate_limit_{bucket}"
    return dependency


def _cookie(name: str, value: str, *, secure: bool, max_age: int | None, same_site: str) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = same_site
    if secure:
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age
    return morsel.OutputString()


def set_cookie_header(name: str, value: str, *, secure: bool, max_age: int | None) -> str:
    return _cookie(name, value, secure=secure, max_age=max_age, same_site="Lax")


class SecurityMiddleware:
    def __init__(self, app: Any, *, https: bool, per_minute: int, limiter: Limiter) -> None:
        self.app, self.https, self.per_minute, self.limiter = app, https, per_minute, limiter

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = cookie_parser(headers.get("cookie", ""))
        path: str = scope["path"]
        credentials = _looks_like_credentials(cookies.get(SESSION_COOKIE), headers)
        if not path.startswith("/static/") and path != "/healthz":
            client = scope.get("client") or ("unknown", 0)
            bucket, limit = ("signed", self.per_minute * 10) if credentials else ("anon", 0)
            wait = self.limiter.hit(f"{bucket}:{client[0]}", limit or self.per_minute, 60)
            if wait is not None:
                await _too_many(send, wait)
                return
        seed = cookies.get(CSRF_COOKIE)
        new_seed = None
        if not seed or len(seed) > 100:
            new_seed = seed = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_seed"] = seed
        https = self.https or scope.get("scheme") == "https"
        private = path.startswith(("/admin", "/api/"))

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                out = list(message.get("headers", []))
                present = {k.lower() for k, _ in out}
                extra = {
                    b"x-frame-options": b"DENY",
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                    b"cross-origin-opener-policy": b"same-origin",
                }
                if b"content-security-policy" not in present:
                    extra[b"content-security-policy"] = CSP.encode()
                if https:
                    extra[b"strict-transport-security"] = b"max-age=63072000; includeSubDomains"
                if private and b"cache-control" not in present:
                    extra[b"cache-control"] = b"no-store"
                out.extend((k, v) for k, v in extra.items() if k not in present)
                if new_seed:
                    value = _cookie(
                        CSRF_COOKIE, new_seed, secure=https, max_age=None, same_site="Strict"
                    )
                    out.append((b"set-cookie", value.encode("latin-1")))
                message["headers"] = out
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _looks_like_credentials(cookie: str | None, headers: dict[str, str]) -> bool:
    """A session cookie or bearer token of the right shape (checked for real later)."""
    if cookie and cookie.startswith("sts_") and 20 < len(cookie) < 200:
        return True
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and value.startswith("stw_") and 20 < len(value) < 200


async def _too_many(send: Any, wait: float) -> None:
    body = b'{"error":{"code":"rate_limited","message":"Too many requests; slow down."}}'
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(int(wait) + 1).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
