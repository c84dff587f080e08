"""A subject files an access request in a real browser, reads the code from a real SMTP server,
verifies; an agent completes it; the subject downloads the result. The link fails after expiry
and for another person. The product sends every e-mail by itself; the test only reads the
SMTP server."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from playwright.sync_api import Browser, Page

from steward.accounts.people import create_person
from steward.accounts.sessions import start_session
from steward.config import Settings, get_settings
from steward.store.db import make_engine, transaction, upgrade
from steward.web.app import create_app
from steward.web.security import CSRF_COOKIE, SESSION_COOKIE

from ..conftest import EXAMPLES
from ..smtp_server import Inbox

pytestmark = pytest.mark.browser


def test_subject_files_verifies_and_downloads_an_access_result(
    serve,
    browser: Browser,
    page: Page,
    smtp_inbox: Inbox,
    tmp_path: Path,
    screenshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox, smtp_url = smtp_inbox, smtp_inbox.url
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    # The delivery job reads the process's settings, as in `steward serve`.
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_SMTP_URL", smtp_url)
    get_settings.cache_clear()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url,
        register_path=EXAMPLES / "demo" / "register.yaml",
        smtp_url=smtp_url,
        dev=True,
    )
    app = create_app(settings)
    base = serve(app)
    app.state.settings = settings.model_copy(update={"base_url": base})

    # The subject files an access request in Russian.
    page.goto(base + "/privacy/requests/new?lang=ru")
    page.select_option("#kind", "access")
    page.fill("#email", "Subject@Example.com")
    page.get_by_role("button", name="Отправить запрос").click()
    reference = page.locator("#reference").inner_text()
    assert reference.startswith("R-")
    assert "152-FZ" in page.content()

    mailbox.wait(2)  # receipt and code, both in Russian, sent by the product itself
    assert mailbox.messages[0]["To"] == "subject@example.com"
    assert "получен" in mailbox.messages[0]["Subject"]
    code = re.search(r"\b(\d{6})\b", mailbox.body(1))
    assert code is not None

    page.fill("#code", "000000" if code.group(1) != "000000" else "111111")
    page.get_by_role("button", name="Подтвердить").click()
    assert "Осталось попыток: 4" in page.locator("#message").inner_text()
    page.fill("#code", code.group(1))
    page.get_by_role("button", name="Подтвердить").click()
    assert page.locator("#state").inner_text() == "verified"
    screenshot(page, "request-verified")

    # An agent works the request in the admin frame and completes it with a result file.
    with transaction(app.state.sessions) as session:
        agent = create_person(
            session,
            "agent@example.com",
            role="agent",
            password="a long test passphrase 42",
            name="Agent",
        )
        raw, _ = start_session(session, agent, ip="127.0.0.1", user_agent="e2e")
    agent_context = browser.new_context()
    host = base.removeprefix("http://").split(":")[0]
    agent_context.add_cookies(
        [
            {"name": SESSION_COOKIE, "value": raw, "domain": host, "path": "/"},
            {"name": CSRF_COOKIE, "value": "e2e-seed", "domain": host, "path": "/"},
        ]
    )
    agent_page = agent_context.new_page()
    agent_page.goto(base + "/admin/requests")
    agent_page.get_by_role("link", name=reference).click()
    assert "152-FZ Art. 14 p.3" in agent_page.locator("#rule").inner_text()
    agent_page.get_by_role("button", name="Start work").click()
    assert agent_page.locator("#state").inner_text() == "in-progress"
    assert agent_page.locator("#done").inner_text() == "Work started."
    complete = agent_page.locator("#step-complete")
    complete.get_by_label("Outcome, as the subject will read it").fill("Your data is attached.")
    complete.locator("input[type=file]").set_input_files(
        {"name": "export.json", "mimeType": "application/json", "buffer": b'{"orders": 3}'},
    )
    complete.get_by_role("button", name="Complete").click()
    assert agent_page.locator("#state").inner_text() == "completed"
    timeline = agent_page.locator("#timeline").inner_text()
    assert "Request: completed" in timeline and "Request: identity confirmed" in timeline, timeline
    agent_context.close()

    mailbox.wait(4)  # "verified" and "completed"
    completed = mailbox.body(3)
    link = re.search(r"(http://\S+/privacy/requests/result/\S+)", completed)
    assert link is not None

    # The subject downloads in the browser that verified.
    response = page.context.request.get(link.group(1))
    assert response.status == 200 and response.body() == b'{"orders": 3}'

    # Another person (another browser) with the same link is refused.
    stranger = browser.new_context()
    refused = stranger.request.get(link.group(1))
    assert refused.status == 403
    stranger.close()

    # An expired link is refused, even in the subject's browser.
    token = link.group(1).rsplit("/", 1)[1]
    request_id, nonce = URLSafeTimedSerializer(
        settings.secret_key.get_secret_value(), salt="steward-requests-result"
    ).loads(token)

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 8 * 86400

    old = URLSafeTimedSerializer(
        settings.secret_key.get_secret_value(), salt="steward-requests-result", signer=PastSigner
    ).dumps([request_id, nonce])
    expired = page.context.request.get(f"{base}/privacy/requests/result/{old}")
    assert expired.status == 410 and "expired" in expired.text()
