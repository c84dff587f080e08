"""The whole life of requests in real browsers, with the embedded worker and scheduler of
`make run`: the subject files and verifies by code, the worker runs the access request and the
subject downloads the ZIP; for an erasure the agent's execute asks for approval with a preview,
the DPO approves, the worker erases and completes, and the completion e-mail says what was kept.
The e-mails are read through the product (the owner's Outbox page); nothing here calls a job."""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from steward.accounts.people import create_person
from steward.accounts.sessions import start_session
from steward.config import get_settings
from steward.jobs.scheduler import start_scheduler
from steward.store.db import transaction
from steward.web.security import CSRF_COOKIE, SESSION_COOKIE

from ..conftest import EXAMPLES
from ..jobs_app import drain, embedded_app

pytestmark = pytest.mark.browser


def _staff(browser: Browser, app, base: str, role: str) -> BrowserContext:  # type: ignore[no-untyped-def]
    with transaction(app.state.sessions) as session:
        person = create_person(
            session, f"{role}@example.com", role=role, password="a long test passphrase 42"
        )
        raw, _ = start_session(session, person, ip="127.0.0.1", user_agent="e2e")
    context = browser.new_context()
    host = base.removeprefix("http://").split(":")[0]
    context.add_cookies(
        [
            {"name": SESSION_COOKIE, "value": raw, "domain": host, "path": "/"},
            {"name": CSRF_COOKIE, "value": "e2e-seed", "domain": host, "path": "/"},
        ]
    )
    return context


def _mail(owner: Page, base: str, kind: str, reference: str) -> str:
    """The newest e-mail of ``kind`` about ``reference``, read on the Outbox page."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        owner.goto(base + "/admin/outbox")
        rows = owner.locator("tbody tr").filter(has_text=kind).filter(has_text=reference)
        if rows.count():
            rows.first.get_by_role("link").click()
            return owner.locator("main").inner_text()
        time.sleep(0.5)
    pytest.fail(f"no {kind} e-mail for {reference} in the outbox")


def _file_and_verify(page: Page, owner: Page, base: str, kind: str, email: str) -> str:
    page.goto(base + "/privacy/requests/new?lang=en")
    page.select_option("#kind", kind)
    page.fill("#email", email)
    page.locator("form button[type=submit]").first.click()
    reference = page.locator("#reference").inner_text()
    status_url = page.url
    code = re.search(r"\b(\d{6})\b", _mail(owner, base, "request.code", reference))
    assert code is not None
    page.goto(status_url)
    page.fill("#code", code.group(1))
    page.locator("form button[type=submit]").first.click()
    assert page.locator("#state").inner_text() == "verified"
    return reference


def _act(page: Page, base: str, reference: str, action: str, text: str = "") -> None:
    page.goto(base + "/admin/requests?closed=1")
    page.get_by_role("link", name=reference).click()
    page.select_option("#action", action)
    if text:
        page.fill("#text", text)
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#error").count() == 0, page.locator("#error").inner_text()


def _wait_for(page: Page, what: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.reload()
        text = page.locator("main").inner_text()
        if what in text:
            return text
        time.sleep(0.5)
    pytest.fail(f"the request page never showed {what!r}")


def _wait_for_state(page: Page, state: str, seconds: float = 30) -> None:
    """The run's result and the request's completion are two steps of the worker."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.reload()
        if page.locator("#state").inner_text() == state:
            return
        time.sleep(0.5)
    pytest.fail(
        f"the request stayed {page.locator('#state').inner_text()!r}: "
        f"{page.locator('main').inner_text()[:1500]}"
    )


def test_access_and_approved_erasure_run_by_the_embedded_worker(
    serve, browser: Browser, page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_db = tmp_path / "app.db"
    subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "demo" / "make_demo_db.py"),
            str(app_db),
            "--customers",
            "30",
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("DEMO_APP_DATABASE_URL", f"sqlite:///{app_db}")
    db = sqlite3.connect(app_db)
    (email,) = db.execute(
        "SELECT email FROM customers WHERE id IN (SELECT customer_id FROM orders) LIMIT 1"
    ).fetchone()
    app = embedded_app(tmp_path, monkeypatch, totp_roles="")  # sign-in has its own tests
    base = serve(app)
    monkeypatch.setenv("STEWARD_BASE_URL", base)  # the worker writes the links with it
    get_settings.cache_clear()
    app.state.settings = get_settings()
    stop = start_scheduler()
    owner_context = _staff(browser, app, base, "owner")
    agent_context = _staff(browser, app, base, "agent")
    dpo_context = _staff(browser, app, base, "dpo")
    owner, agent, dpo = (c.new_page() for c in (owner_context, agent_context, dpo_context))
    try:
        # access: the agent executes, the worker builds the ZIP and completes the request
        reference = _file_and_verify(page, owner, base, "access", email)
        _act(agent, base, reference, "execute")
        _wait_for(agent, "run done")
        _wait_for_state(agent, "completed")
        completed = _mail(owner, base, "request.completed", reference)
        link = re.search(r"(http://\S+/privacy/requests/result/\S+)", completed)
        assert link is not None and "Records found:" in completed
        download = page.context.request.get(link.group(1))
        assert download.status == 200
        archive = zipfile.ZipFile(io.BytesIO(download.body()))
        assert email in archive.read("data.json").decode()
        report = archive.read("report.html").decode()  # the page a person reads, in English
        assert "3 years after the contract ends" in report and "P3Y" not in report
        assert "Your account (1 record)" in report and ">E-mail<" in report
        assert archive.read("app.customers.csv").startswith("\ufeff".encode())  # Excel: UTF-8

        # erasure: execute asks for approval; the DPO approves; the worker erases and completes
        reference = _file_and_verify(page, owner, base, "erasure", email)
        _act(agent, base, reference, "execute")
        assert agent.locator("#state").inner_text() == "awaiting-approval"
        _wait_for(agent, "preview done: erasure (dry run)")
        assert db.execute("SELECT count(*) FROM customers WHERE email = ?", (email,)).fetchone()[0]
        _act(dpo, base, reference, "approve", "checked the preview")
        text = _wait_for(dpo, "run done: erasure")
        _wait_for_state(dpo, "completed")
        assert "approved" in dpo.locator("#decisions").inner_text()
        assert "re-search found 0" in text
        mail = _mail(owner, base, "request.completed", reference)
        assert "Your request" in mail and "is complete" in mail
        if "held:" in text:
            assert "Kept because the law still requires it" in mail
        assert not db.execute(
            "SELECT count(*) FROM customers WHERE email = ?", (email,)
        ).fetchone()[0]
    finally:
        stop.set()
        for context in (owner_context, agent_context, dpo_context):
            context.close()
        db.close()
        drain()
