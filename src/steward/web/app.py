"""The FastAPI application: ``create_app(settings)`` wires the store and the register."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from swagger_ui_bundle import swagger_ui_path

from steward import __version__
from steward.config import Settings, get_settings
from steward.ledger import audit as audit_log
from steward.lib.ratelimit import make_limiter
from steward.register import Register, load_register
from steward.store.db import make_engine, session_factory, transaction
from steward.store.registers import record_register, register_in_force
from steward.web.api import breaches as breaches_api
from steward.web.api import disclosures as disclosures_api
from steward.web.api import requests as requests_api
from steward.web.api import restrictions as restrictions_api
from steward.web.consent_runtime import install_consents
from steward.web.errors import install_error_handlers
from steward.web.limits import BodyLimits
from steward.web.pages import (
    account,
    audit,
    breaches,
    consents_admin,
    dashboard,
    discovery,
    notices_admin,
    outbox,
    password_reset,
    people,
    placeholders,
    privacy_home,
    requests_public,
    requests_results,
    retention,
    security_report,
    signin,
)
from steward.web.pages import filings as filings_pages
from steward.web.pages import notices as notices_pages
from steward.web.pages import register as register_pages
from steward.web.pages import requests as requests_pages
from steward.web.pages import settings as settings_pages
from steward.web.security import SecurityMiddleware
from steward.web.templating import templates

HERE = Path(__file__).parent
# The API documentation page and its assets (Swagger UI from the swagger-ui-bundle package,
# served here rather than from a CDN, so the page works offline and under the strict CSP).
API_DOCS_ASSETS = "/api/docs/assets"
API_DOCS_PATHS = frozenset({"/api/docs", API_DOCS_ASSETS})
log = logging.getLogger("steward.web")


def _register_at_start(settings: Settings, sessions: sessionmaker[Session]) -> Register | None:
    """The register in force (``store/registers.py``): the configured file, recorded in the
    store so that jobs and the CLI read the same version, else the newest one loaded there."""
    try:
        with transaction(sessions) as session:
            if settings.register_path is not None:
                before = register_in_force(session)
                register, row = record_register(session, settings.register_path)
                if before is None or before[1].id != row.id:
                    audit_log.record(
                        session,
                        actor="steward serve",
                        action="register.load",
                        object_type="register",
                        object_id=row.id,
                        details={"sha256": row.sha256},
                    )
                return register
            found = register_in_force(session)
            return found[0] if found else None
    except SQLAlchemyError:  # a store not migrated yet: `steward doctor` says so
        log.warning("the store cannot record the register; run: steward db upgrade")
        return load_register(settings.register_path) if settings.register_path else None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    app = FastAPI(title="Steward", version=__version__, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.register = _register_at_start(settings, app.state.sessions)
    app.state.rate_limiter = make_limiter(
        settings.rate_limit_store, app.state.sessions, prefix=settings.rate_limit_prefix
    )
    app.add_middleware(
        BodyLimits,
        body_max=settings.body_max_bytes,
        upload_max=max(
            settings.upload_max_bytes,
            settings.requests_attachment_max_bytes + requests_public.FORM_SLACK_BYTES,
        ),
        timeout_seconds=settings.body_timeout_seconds,
    )
    app.add_middleware(  # outermost: rate limits count before anything reads the store
        SecurityMiddleware,
        https=settings.base_url.startswith("https://"),
        per_minute=settings.rate_limit_per_minute,
        limiter=app.state.rate_limiter,
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount(API_DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="api-docs-assets")
    app.include_router(signin.router)
    app.include_router(dashboard.router)
    app.include_router(placeholders.router)
    app.include_router(consents_admin.router)
    app.include_router(account.router)
    app.include_router(people.router)
    app.include_router(audit.router)
    app.include_router(discovery.router)
    app.include_router(outbox.router)
    app.include_router(settings_pages.router)
    app.include_router(password_reset.router)
    app.include_router(notices_pages.router)
    app.include_router(notices_admin.router)
    app.include_router(register_pages.router)
    app.include_router(filings_pages.router)
    app.include_router(requests_pages.router)
    app.include_router(requests_public.router)
    app.include_router(requests_results.router)
    app.include_router(privacy_home.router)
    app.include_router(requests_api.router)
    app.include_router(breaches.router)
    app.include_router(retention.router)
    app.include_router(breaches_api.router)
    app.include_router(disclosures_api.router)
    app.include_router(restrictions_api.router)
    app.include_router(security_report.router)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, Any]:
        """Liveness and store reachability."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        """Swagger UI over the OpenAPI document, its assets served from the package."""
        return templates.TemplateResponse(
            request, "api_docs.html", {"assets": API_DOCS_ASSETS, "openapi_url": app.openapi_url}
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        register: Register | None = app.state.register
        name = register.operator.legal_name if register else None
        return templates.TemplateResponse(request, "home.html", {"operator_name": name})

    install_consents(app)
    return app
