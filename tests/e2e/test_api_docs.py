"""The API documentation page in a real browser: Swagger UI loads from Steward itself (no CDN),
renders every operation of the OpenAPI document, and the strict CSP blocks nothing on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ..conftest import EXAMPLES

pytestmark = pytest.mark.browser


def test_the_api_docs_render_every_operation_under_the_strict_csp(
    serve, page: Page, tmp_path: Path, screenshot
) -> None:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(Settings(database_url=url, register_path=EXAMPLES / "demo" / "register.yaml"))
    base = serve(app)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if not r.url.startswith((base, "data:")) else None,
    )
    answer = page.goto(base + "/api/docs")
    assert answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
    operations = page.locator(".opblock-summary")
    operations.first.wait_for(timeout=15_000)
    # an operation with two tags is shown under each of them
    shown = {tuple(text.split()[:2]) for text in operations.all_inner_texts()}
    published = {
        (method.upper(), path)
        for path, methods in app.openapi()["paths"].items()
        for method in methods
    }
    assert shown == published
    assert page.locator(".opblock-summary-path", has_text="/api/v1/consents/check").count() == 1
    screenshot(page, "api-docs")
    assert not problems, problems
    assert not elsewhere, f"the docs page fetched from elsewhere: {elsewhere}"
