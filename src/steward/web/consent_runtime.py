"""Wiring of the consent ledger into the web app: one ``ConsentService`` per app.

    install_consents(app)                 # in create_app: routers for banner, center, API
    service = consent_service(request)    # the app's service (its state cache is shared)

The service is built on first use from ``app.state.register`` and the settings, so the
in-memory state cache lives as long as the process.
"""

from __future__ import annotations

import threading

from fastapi import BackgroundTasks, FastAPI, HTTPException, Request

from steward.consent import webhooks
from steward.consent.identity import ConsentKeys
from steward.consent.service import ConsentService
from steward.store.db import transaction
from steward.web.security import over_limit

_lock = threading.Lock()


def consent_service(request: Request) -> ConsentService:
    state = request.app.state
    service: ConsentService | None = getattr(state, "consent_service", None)
    if service is not None:
        return service
    with _lock:
        service = getattr(state, "consent_service", None)
        if service is None:
            if state.register is None:
                raise HTTPException(
                    503, "no register is loaded; set STEWARD_REGISTER_PATH and restart"
                )
            service = ConsentService(
                state.register,
                ConsentKeys.from_settings(state.settings),
                webhook_url=state.settings.consent_webhook_url,
            )
            state.consent_service = service
    return service


def install_consents(app: FastAPI) -> None:
    from steward.web.api import consents as api
    from steward.web.pages import consent_banner, consents

    app.include_router(consent_banner.router)
    app.include_router(consents.router)
    app.include_router(api.router)


def deliver_webhooks_later(
    request: Request, service: ConsentService, tasks: BackgroundTasks
) -> None:
    """Send pending webhooks after the response, best effort; failures stay queued and are
    retried by the next request or by ``steward ledger expire``."""
    if not service.webhook_url:
        return
    sessions = request.app.state.sessions

    def deliver() -> None:
        assert service.webhook_url is not None
        with transaction(sessions) as session:
            webhooks.deliver_pending(session, service.webhook_url, service.keys.webhook_secret)

    tasks.add_task(deliver)


def allowed(request: Request, name: str, per_minute: int) -> bool:
    """Count one request in the app's one limiter (bucket ``name``); False when over."""
    return over_limit(request, name, per_minute, 60) is None
