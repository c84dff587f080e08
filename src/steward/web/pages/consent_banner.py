"""Public consent endpoints: the banner script, its choices, GPC, keys, one-click unsubscribe.

GET  /consent/banner.js            the one script the operator embeds (config inlined)
GET  /consent/banner.css           its stylesheet (a file, so a strict CSP allows it; ?v=hash)
POST /consent/choice               the banner's choice -> ledger events + consent cookie
GET  /.well-known/gpc.json         Global Privacy Control support
GET  /.well-known/steward-consent-key.json   the receipts' public key (JWK and PEM)
GET  /consent/unsubscribe/{token}  a page with one button; POST withdraws (RFC 8058 too)
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from steward.consent import banner, ledger
from steward.consent.rules import ConsentRuleError
from steward.consent.service import ConsentService
from steward.consent.state import fold
from steward.consent.tokens import TokenError, unsubscribe_claims
from steward.lib import i18n
from steward.store.db import transaction
from steward.web.consent_runtime import allowed, consent_service, deliver_webhooks_later
from steward.web.security import CSP

router = APIRouter(tags=["consent banner"])
STARTED = date.today().isoformat()


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def read_cookie(request: Request) -> dict[str, Any]:
    """The consent cookie's content ({"v": visitor id, "c": {purpose: bool}}), or {}."""
    raw = request.cookies.get(request.app.state.settings.consent_cookie_name, "")
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
    except ValueError:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("v"), str):
        return {}
    choices = data.get("c")
    if not isinstance(choices, dict):
        data["c"] = {}
    return data


def _set_cookie(
    request: Request, response: Response, visitor: str, choices: dict[str, bool]
) -> None:
    settings = request.app.state.settings
    value = (
        base64.urlsafe_b64encode(
            json.dumps({"v": visitor, "c": choices}, separators=(",", ":")).encode()
        )
        .decode()
        .rstrip("=")
    )
    response.set_cookie(
        settings.consent_cookie_name,
        value,
        max_age=settings.consent_cookie_days * 86400,
        path="/",
        domain=settings.consent_cookie_domain,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def _cors(request: Request, response: Response) -> None:
    origin = request.headers.get("origin")
    if origin and origin in request.app.state.settings.consent_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"


def _origin_allowed(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin == own or origin in request.app.state.settings.consent_origins


def _gpc(request: Request) -> bool:
    return request.headers.get("sec-gpc", "").strip() == "1"


@router.get("/consent/banner.css", name="banner_css", include_in_schema=False)
def banner_css(v: str | None = None) -> Response:
    """The banner's stylesheet: a file, so a strict CSP allows it; cached for good per version."""
    css, version = banner.stylesheet()
    cache = "public, max-age=31536000, immutable" if v == version else "public, max-age=300"
    return Response(
        css,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": cache, "Access-Control-Allow-Origin": "*"},
    )


@router.get("/consent/banner.js", include_in_schema=False)
def banner_script(request: Request, lang: str | None = None) -> Response:
    service = consent_service(request)
    register = service.register
    chosen = banner.pick_lang(register, lang, request.headers.get("accept-language"))
    cookie = read_cookie(request)
    with request.app.state.sessions() as session:
        version = service.notice_version(session)
    offered = {p.id for p in banner.banner_purposes(register)}
    choices = {k: bool(v) for k, v in cookie.get("c", {}).items() if k in offered} or None
    config = banner.banner_config(
        register,
        lang=chosen,
        endpoint=str(request.url_for("banner_choice")),
        notice_version=version,
        policy_url=request.app.state.settings.consent_policy_url,
        choices=choices if choices and set(choices) == offered else None,
        gpc_header=_gpc(request),
    )
    _css, version = banner.stylesheet()
    style_url = f"{request.url_for('banner_css')}?v={version}"
    return Response(
        banner.script(config, style_url),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "private, no-cache", "Vary": "Cookie, Sec-GPC, Accept-Language"},
    )


@router.options("/consent/choice", include_in_schema=False)
def banner_choice_preflight(request: Request) -> Response:
    response = Response(status_code=204)
    _cors(request, response)
    if "Access-Control-Allow-Origin" in response.headers:
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


@router.post("/consent/choice", name="banner_choice", include_in_schema=False)
async def banner_choice(request: Request, tasks: BackgroundTasks) -> Response:
    """Record a banner choice; the server, not the script, sets the consent cookie."""
    if not allowed(request, "choice", 60):
        return _error(429, "too-many-requests", "too many choices from this address; wait a minute")
    if not _origin_allowed(request):
        return _error(403, "origin-not-allowed", "this origin is not in STEWARD_CONSENT_ORIGINS")
    if not request.headers.get("content-type", "").startswith("application/json"):
        return _error(415, "json-required", "send the choice as application/json")
    try:
        body = json.loads(await request.body())
    except ValueError:
        return _error(400, "bad-json", "the body is not valid JSON")
    service = consent_service(request)
    try:
        visitor, choices, events = _record_choice(request, service, body)
    except (ConsentRuleError, ledger.LedgerError, ValueError) as exc:
        return _error(422, getattr(exc, "code", "bad-choice"), str(exc))
    deliver_webhooks_later(request, service, tasks)
    response = JSONResponse({"choices": choices, "receipts": events})
    _set_cookie(request, response, visitor, choices)
    _cors(request, response)
    return response


def _record_choice(
    request: Request, service: ConsentService, body: Any
) -> tuple[str, dict[str, bool], list[str]]:
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    register = service.register
    method = body.get("method", "banner")
    lang = banner.pick_lang(register, body.get("lang"), None)
    offered = [p.id for p in banner.banner_purposes(register)]
    raw = body.get("choices") or {}
    if not isinstance(raw, dict) or not all(isinstance(v, bool) for v in raw.values()):
        raise ValueError("'choices' must map purpose ids to true or false")
    unknown = sorted(set(raw) - set(offered))
    if unknown:
        raise ValueError(f"unknown purpose(s) {', '.join(unknown)}; offered: {', '.join(offered)}")
    cookie = read_cookie(request)
    visitor = cookie.get("v") or str(uuid.uuid4())
    evidence = {
        "user_agent": request.headers.get("user-agent"),
        "ip": request.client.host if request.client else None,
        "origin": request.headers.get("origin"),
        "tcf": body.get("tcf") if isinstance(body.get("tcf"), str) else None,
    }
    receipts: list[str] = []
    with transaction(request.app.state.sessions) as session:
        subject = ledger.resolve_subject(session, service.keys, {"visitor": visitor})
        assert subject is not None
        if method == "gpc":
            if not (_gpc(request) or body.get("gpc") is True):
                raise ValueError("method 'gpc' needs the Sec-GPC: 1 header or gpc: true")
            service.apply_gpc(session, subject, evidence)
        elif method == "banner":
            version = service.notice_version(session)
            if body.get("copy") != banner.copy_sha256(register, lang):
                raise ValueError("the banner copy does not match this register; reload the page")
            sha = ledger.store_artefact(
                session,
                kind="banner",
                text=banner.copy_text(register, lang),
                lang=lang,
                notice_version=version,
            )
            service.record_choices(
                session,
                subject_id=subject,
                choices=raw,
                method="banner",
                lang=lang,
                notice_version=version,
                artefact_sha256=sha,
                evidence=evidence,
            )
        else:
            raise ValueError("method must be 'banner' or 'gpc'")
        # Folded afresh, not through the cache: this transaction has not committed yet.
        state = fold(service.history(session, subject))
        choices = {p: state[(p, "web")].action == "given" for p in offered if (p, "web") in state}
        receipts = [state[(p, "web")].receipt_id for p in offered if (p, "web") in state]
    return visitor, choices, receipts


@router.get("/consent/preview", response_class=HTMLResponse, include_in_schema=False)
def banner_preview(request: Request, lang: str | None = None) -> HTMLResponse:
    """A page embedding the banner as a site would, to try it out (``make run``)."""
    from steward.web.pages.consents import render

    consent_service(request)  # 503 with a clear message when no register is loaded
    base = str(request.base_url).rstrip("/")
    response = render(
        request,
        "privacy/banner_preview.html",
        {
            "base": base,
            "banner_lang": lang if lang in banner.LANGS else None,
            "analytics_script": PREVIEW_ANALYTICS_SCRIPT,
        },
    )
    # The demo "analytics" tag is inline, as on operators' sites; allow exactly that script
    # by its hash rather than loosening the policy to 'unsafe-inline'.
    digest = base64.b64encode(hashlib.sha256(PREVIEW_ANALYTICS_SCRIPT.encode()).digest()).decode()
    response.headers["Content-Security-Policy"] = CSP.replace(
        "script-src 'self'", f"script-src 'self' 'sha256-{digest}'"
    )
    return response


PREVIEW_ANALYTICS_SCRIPT = 'document.getElementById("analytics-state").textContent = "running";'


@router.get("/.well-known/gpc.json", include_in_schema=False)
def gpc_json() -> dict[str, Any]:
    return {"gpc": True, "lastUpdate": STARTED}


@router.get("/.well-known/steward-consent-key.json", tags=["consents"])
def public_key(request: Request) -> dict[str, Any]:
    """The Ed25519 public key that verifies consent receipts (JWK, RFC 8037) and its PEM."""
    from steward.consent.receipts import public_jwk

    keys = consent_service(request).keys
    return {"keys": [public_jwk(keys)], "pem": keys.public_key_pem()}


@router.get("/consent/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    from steward.web.pages.consents import lang_of, render

    service = consent_service(request)
    try:
        _, purpose_id, channel = unsubscribe_claims(service.keys, token)
    except TokenError as exc:
        error = i18n.told(exc, lang_of(request))
        return render(request, "privacy/unsubscribe.html", {"error": error}, status=400)
    purpose = next((p for p in service.register.purposes if p.id == purpose_id), None)
    return render(
        request,
        "privacy/unsubscribe.html",
        {"purpose": purpose, "channel": channel, "token": token, "done": False},
    )


@router.post("/consent/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe(request: Request, token: str, tasks: BackgroundTasks) -> HTMLResponse:
    """One click withdraws exactly the consent the token names; repeating it is harmless."""
    from steward.web.pages.consents import lang_of, render

    service = consent_service(request)
    try:
        subject_id, purpose_id, channel = unsubscribe_claims(service.keys, token)
    except TokenError as exc:
        error = i18n.told(exc, lang_of(request))
        return render(request, "privacy/unsubscribe.html", {"error": error}, status=400)
    with transaction(request.app.state.sessions) as session:
        current = service.decide(
            session, subject_id=subject_id, purpose=purpose_id, channel=channel
        )
        if current.allowed:
            service.record(
                session,
                subject_id=subject_id,
                purpose=purpose_id,
                channel=channel,
                action="withdrawn",
                method="unsubscribe",
                evidence={"user_agent": request.headers.get("user-agent")},
            )
    deliver_webhooks_later(request, service, tasks)
    purpose = next((p for p in service.register.purposes if p.id == purpose_id), None)
    return render(
        request, "privacy/unsubscribe.html", {"purpose": purpose, "channel": channel, "done": True}
    )
