"""E-mail leaves by itself: a subject files a request in a real browser against a real
``steward serve`` process, and the verification code arrives at a real SMTP server (aiosmtpd).
Nothing in this test calls a delivery function: the product sends the mail on its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from steward.accounts.people import create_person
from steward.notify.outbox import OutboxMessage
from steward.store.db import make_engine, session_factory, transaction, upgrade

from ..conftest import EXAMPLES
from ..smtp_server import Inbox, free_port

pytestmark = pytest.mark.browser
PASSWORD = "tea kettle lantern 7"


@pytest.fixture
def steward_serve(tmp_path: Path, smtp_inbox: Inbox) -> Iterator[tuple[str, str]]:
    """``steward serve`` in its own process, with e-mail pointed at the test's SMTP server."""
    database = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    env.update(
        STEWARD_DEV="1",
        STEWARD_DATABASE_URL=database,
        STEWARD_REGISTER_PATH=str(EXAMPLES / "demo" / "register.yaml"),
        STEWARD_SMTP_URL=smtp_inbox.url,
        STEWARD_MAIL_FROM="privacy@demo.example",
        STEWARD_BASE_URL=base,
        STEWARD_TOTP_ROLES="",  # the owner who invites signs in with a password alone here
    )
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "steward", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120  # a loaded machine takes long to import everything
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            log.close()
            pytest.fail(
                "steward serve did not start: " + (tmp_path / "serve.log").read_text()[-2000:],
                pytrace=False,
            )
        time.sleep(0.1)
    try:
        yield base, database
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_a_filed_request_e_mails_its_code_by_itself_and_the_code_verifies(
    steward_serve: tuple[str, str], smtp_inbox: Inbox, page: Page
) -> None:
    base, database = steward_serve
    page.goto(base + "/privacy/requests/new?lang=en")
    page.select_option("#kind", "access")
    page.fill("#email", " Subject@Example.com ")
    page.get_by_role("button", name="Send the request").click()
    assert page.locator("#reference").inner_text().startswith("R-")

    smtp_inbox.wait(2, timeout=20)  # the receipt and the code, sent within seconds
    assert {m["To"] for m in smtp_inbox.messages} == {"subject@example.com"}
    assert {m["From"] for m in smtp_inbox.messages} == {"privacy@demo.example"}
    codes = [re.search(r"\b(\d{6})\b", smtp_inbox.body(i)) for i in range(2)]
    code = next(found.group(1) for found in codes if found)

    page.fill("#code", code)
    page.get_by_role("button", name="Confirm").click()
    assert page.locator("#state").inner_text() == "verified"

    # What was sent keeps only its evidence in the store (STEWARD_OUTBOX_KEEP_SENT_DAYS=0).
    engine = make_engine(database)
    deadline = time.monotonic() + 10
    while True:
        with session_factory(engine)() as session:
            rows = list(session.scalars(select(OutboxMessage)))
        sent = [r for r in rows if r.status == "sent"]
        if len(sent) == len(rows) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    engine.dispose()
    assert sent and len(sent) == len(rows), [(r.kind, r.status, r.error) for r in rows]
    assert all(r.body_text == "" and r.to_address == "" and r.to_digest for r in sent)
    assert not any(code in r.body_text for r in rows)


def test_an_owner_reading_the_admin_in_russian_invites_a_colleague_in_russian(
    steward_serve: tuple[str, str], smtp_inbox: Inbox, page: Page
) -> None:
    """The invitation is written in the inviter's admin language (the invited person has no
    account, so no language of their own yet): the owner reads the admin in Russian, the
    colleague gets the e-mail in Russian, at a real SMTP server, sent by ``steward serve``."""
    base, database = steward_serve
    engine = make_engine(database)
    with transaction(session_factory(engine)) as session:
        owner = create_person(
            session, "olga@demo.example", role="owner", password=PASSWORD, name="Ольга"
        )
        owner.language = "ru"
    engine.dispose()
    page.goto(base + "/admin/sign-in")
    page.locator("#email").fill("olga@demo.example")
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(base + "/admin/people")
    page.locator("#invite-email").fill("ivan@demo.example")
    page.locator("#invite-role").select_option("agent")
    page.get_by_role("button", name="Отправить приглашение").click()
    link = page.locator("#invite-link").inner_text()

    (message,) = smtp_inbox.wait(1, timeout=20)
    assert message["To"] == "ivan@demo.example"
    assert message["Subject"] == "Приглашение в Steward"
    body = smtp_inbox.body(0)
    assert "Ольга приглашает вас в Steward" in body and "«агент»" in body, body
    assert link in body and "72 часов" in body
    assert "invited you" not in body and "within 72 hours" not in body
