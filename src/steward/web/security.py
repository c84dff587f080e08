"""Security by default for every response: headers, the CSRF cookie, rate limits.

``SecurityMiddleware`` (installed by ``create_app``) adds CSP, X-Frame-Options, Referrer-Policy,
X-Content-Type-Options, Permissions-Policy, HSTS when served over HTTPS, ``Cache-Control:
no-store`` on admin pages and the API, and gives each browser a random ``steward_csrf`` cookie
(HttpOnly, SameSite=Strict) that CSRF tokens are derived from. It also limits requests that
carry no credentials to ``STEWARD_RATE_LIMIT_PER_MINUTE`` per client address.

Endpoints anyone can reach add a tighter limit of their own:

    @router.post("/privacy/requests", dependencies=[Depends(rate_limit("dsr", 10, 3600))])

A response that sets its own ``Content-Security-Policy`` keeps it (the SVG charts do).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from fastapi import Request
from starlette.requests import cookie_parser

from steward.web.errors import ApiError

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
CSRF_COOKIE = "steward_csrf"
SESSION_COOKIE = "steward_session"


class RateLimiter:
    """Sliding-window counters kept in memory, per process. Enough for one server; behind a
    load balancer each process limits on its own (the limits still bound abuse)."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, per_seconds: float) -> float | None:
        """Count one hit; None when allowed, else the seconds until the next is allowed."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - per_seconds:
                hits.popleft()
            if len(hits) >= limit:
                return max(hits[0] + per_seconds - now, 0.0)
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
                self._hits = {k: v for k, v in self._hits.items() if v}
            return None


def rate_limit(bucket: str, limit: int, per_seconds: float) -> Callable[[Request], None]:
    """A dependency allowing ``limit`` requests per ``per_seconds`` per client address."""

    def dependency(request: Request) -> None:
        limiter: RateLimiter = request.app.state.rate_limiter
        ip = request.client.host if request.client else "unknown"
        wait = limiter.hit(f"{bucket}:{ip}", limit, per_seconds)
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                f"Too many attempts; try again in {int(wait) + 1} seconds.",
                {"Retry-After": str(int(wait) + 1)},
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
    def __init__(self, app: Any, *, https: bool, per_minute: int, limiter: RateLimiter) -> None:
        self.app, self.https, self.per_minute, self.limiter = app, https, per_minute, limiter

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = cookie_parser(headers.get("cookie", ""))
        path: str = scope["path"]
        anonymous = SESSION_COOKIE not in cookies and "authorization" not in headers
        if anonymous and not path.startswith("/static/") and path != "/healthz":
            client = scope.get("client") or ("unknown", 0)
            wait = self.limiter.hit(f"anon:{client[0]}", self.per_minute, 60)
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
