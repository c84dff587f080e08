"""In a real browser: the subject confirms an access request and gets its result; in a second
browser (another Chromium context: no cookie) the e-mailed link offers a code, the code arrives
on a real SMTP server at the proven address, and after it the download works there too. The
product sends every e-mail by itself; the test only reads the SMTP server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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
RESULT = b'{"orders": 3}'


def _code(mailbox: Inbox, count: int) -> str:
    mailbox.wait(count)
    found = re.search(r"\b(\d{6})\b", mailbox.body(count - 1))
    assert found is not None, mailbox.body(count - 1)
    return found.group(1)


def test_a_second_browser_reverifies_by_code_and_downloads(
    serve,
    browser: Browser,
    page: Page,
    smtp_inbox: Inbox,
    tmp_path: Path,
    screenshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox = smtp_inbox
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_SMTP_URL", mailbox.url)
    get_settings.cache_clear()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url,
        register_path=EXAMPLES / "demo" / "register.yaml",
        smtp_url=mailbox.url,
        dev=True,
    )
    app = create_app(settings)
    base = serve(app)
    app.state.settings = settings.model_copy(update={"base_url": base})

    page.goto(base + "/privacy/requests/new?lang=en")
    page.select_option("#kind", "access")
    page.fill("#email", "subject@example.com")
    page.get_by_role("button", name="Send the request").click()
    reference = page.locator("#reference").inner_text()
    status_url = page.url
    page.fill("#code", _code(mailbox, 2))
    page.get_by_role("button", name="Confirm").click()
    assert page.locator("#state").inner_text() == "verified"

    with transaction(app.state.sessions) as session:
        agent = create_person(
            session, "agent@example.com", role="agent", password="a long test passphrase 42"
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
    agent_page.locator("#step-in-progress").get_by_role("button").click()  # one button a step
    complete = agent_page.locator("#step-complete")
    complete.locator("textarea").fill("Your data is attached.")
    complete.locator("input[type=file]").set_input_files(
        {"name": "export.json", "mimeType": "application/json", "buffer": RESULT}
    )
    complete.locator("button[type=submit]").click()
    assert agent_page.locator("#state").inner_text() == "completed"
    agent_context.close()

    mailbox.wait(4)  # receipt, code, verified, completed
    link = re.search(r"(http://\S+/privacy/requests/result/\S+)", mailbox.body(3))
    assert link is not None

    # the verified browser: the status page's button downloads the result
    page.goto(status_url)
    with page.expect_download() as first:
        page.locator("#download").click()
    assert Path(first.value.path()).read_bytes() == RESULT

    # a second browser opens the e-mailed link: no file, an offer of a code
    other = browser.new_context()
    second = other.new_page()
    second.goto(link.group(1))
    assert "send a code" in second.content().lower()
    assert second.locator("#download").count() == 0
    second.get_by_role("button", name="Send me a code").click()
    assert "We sent a code" in second.locator("#message").inner_text()
    code = _code(mailbox, 5)
    assert mailbox.messages[4]["To"] == "subject@example.com"
    assert "download the result" in mailbox.messages[4]["Subject"]
    second.fill("#code", "000000" if code != "000000" else "111111")
    second.get_by_role("button", name="Confirm and download").click()
    assert "Tries left: 4" in second.locator("#message").inner_text()
    second.fill("#code", code)
    second.get_by_role("button", name="Confirm and download").click()
    screenshot(second, "result-reverified")
    with second.expect_download() as downloaded:
        second.locator("#download").click()
    assert Path(downloaded.value.path()).read_bytes() == RESULT
    other.close()

    # a forged link: a page that says so, in the subject's words
    page.goto(link.group(1)[:-4] + "AAAA")
    assert "This link is not valid" in page.locator("#message").inner_text()
