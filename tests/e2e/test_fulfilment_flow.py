"""The whole life of requests as its users live it, against real `steward` processes.

A subject files in the Privacy Center and verifies with the code that reaches a real SMTP server;
the agent's "execute" runs the access request in a worker and the subject downloads the ZIP from
the link in the completion e-mail; for an erasure the agent's execute asks for approval with a
preview, the DPO approves, a worker erases and completes, and the completion e-mail (again
through SMTP) says what was kept. Staff sign in through the sign-in page with accounts made by
`steward admin create`. Three deployments:

- ``embedded``: `steward serve` alone (`make run`): jobs and the scheduler in its threads;
- ``celery``: `steward serve --no-scheduler`, a Celery `steward worker` and `steward scheduler`,
  each its own process, on Redis and PostgreSQL;
- ``celery-killed``: the same, with the worker SIGKILLed while it holds the erasure (the
  operator's database is locked, so the run is claimed and cannot have written); a second
  worker takes the run over once its lease ends, and the request completes.

Nothing here calls a job, a delivery function or a service: the test only uses the browser,
the CLI, the SMTP server's inbox and, to watch a run's state, a read of the store.
"""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from ..conftest import EXAMPLES, REDIS
from ..smtp_server import Inbox, free_port
from .test_admin import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "a long test passphrase 42"


@dataclass
class Deployment:
    """The processes of one deployment and what the test needs to reach them."""

    base: str
    store_url: str
    app_db: Path
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    files: list[io.BufferedWriter] = field(default_factory=list)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        self.files.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "steward", *args],
            env=self.env,
            cwd=self.logs,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes[name] = process
        return process

    def steward(self, *args: str, stdin: str = "") -> None:
        done = subprocess.run(
            [sys.executable, "-m", "steward", *args],
            env=self.env,
            cwd=self.logs,
            input=stdin.encode(),
            capture_output=True,
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
            for p in sorted(self.logs.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.files:
            log.close()


def _wait(predicate: Callable[[], object], seconds: float, what: str, site: Deployment) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n{site.log_tail()}", pytrace=False)


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@pytest.fixture(params=["embedded", "celery", "celery-killed"])
def deployment(
    request: pytest.FixtureRequest, tmp_path: Path, smtp_inbox: Inbox
) -> Iterator[Deployment]:
    mode = request.param
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
    if mode == "embedded":
        store_url = f"sqlite:///{tmp_path / 'steward.db'}"
    else:
        store_url = request.getfixturevalue("postgres_database")()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    env.update(
        STEWARD_DEV="1",
        STEWARD_DATABASE_URL=store_url,
        STEWARD_REGISTER_PATH=str(EXAMPLES / "demo" / "register.yaml"),
        DEMO_APP_DATABASE_URL=f"sqlite:///{app_db}",
        STEWARD_SMTP_URL=smtp_inbox.url,
        STEWARD_MAIL_FROM="privacy@demo.example",
        STEWARD_BASE_URL=base,
        STEWARD_TOTP_ROLES="",  # sign-in with a second factor has its own tests
        STEWARD_JOB_LEASE_SECONDS="5",
    )
    if mode != "embedded":
        queue = f"steward-e2e-{uuid.uuid4().hex[:8]}"
        env.update(STEWARD_BROKER_URL=REDIS, STEWARD_JOB_QUEUE=queue)
    site = Deployment(base, store_url, app_db, env, tmp_path)
    site.steward("db", "upgrade")
    site.steward("register", "load", env["STEWARD_REGISTER_PATH"])
    for role in ("agent", "dpo"):
        site.steward(
            "admin", "create", f"{role}@example.com", "--role", role, "--password-stdin",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
    try:
        if mode == "embedded":
            site.start("serve", "serve", "--port", str(port))
        else:
            site.start("serve", "serve", "--port", str(port), "--no-scheduler")
            site.start("scheduler", "scheduler")
            site.start("worker", "worker", "--loglevel", "WARNING")
        _wait(lambda: _healthy(base), 120, "steward serve", site)
        site.env["MODE"] = mode
        yield site
    finally:
        site.stop()


def _mail(inbox: Inbox, to: str, reference: str, needle: str, site: Deployment) -> str:
    """The first e-mail to ``to`` about ``reference`` that says ``needle``: subject and text."""
    found: list[str] = []

    def arrived() -> bool:
        for index, message in enumerate(list(inbox.messages)):
            text = f"{message['Subject']}\n{inbox.body(index)}"
            if message["To"] == to and reference in text and needle in text:
                found.append(text)
                return True
        return False

    _wait(arrived, 150, f"an e-mail to {to} about {reference} saying {needle!r}", site)
    return found[0]


def _file_and_verify(page: Page, inbox: Inbox, site: Deployment, kind: str, email: str) -> str:
    page.goto(site.base + "/privacy/requests/new?lang=en")
    page.select_option("#kind", kind)
    page.fill("#email", email)
    page.get_by_role("button", name="Send the request").click()
    reference = page.locator("#reference").inner_text()
    code = re.search(r"\b(\d{6})\b", _mail(inbox, email, reference, "code", site))
    assert code is not None
    page.fill("#code", code.group(1))
    page.get_by_role("button", name="Confirm").click()
    assert page.locator("#state").inner_text() == "verified"
    return reference


def _act(page: Page, site: Deployment, reference: str, action: str, text: str = "") -> None:
    page.goto(site.base + "/admin/requests?closed=1")
    page.get_by_role("link", name=reference).click()
    step = page.locator(f"#step-{action}")  # the page offers one button per next step
    if text:
        step.locator("textarea").fill(text)
    step.get_by_role("button").click()
    assert page.locator("#error").count() == 0, page.locator("#error").inner_text()
    expect(page.locator("#done")).to_be_visible()  # every action says what it did


def _shows(page: Page, what: str, site: Deployment) -> str:
    shown: list[str] = []

    def visible() -> bool:
        page.reload()
        text = page.locator("main").inner_text()
        shown[:] = [text]
        return what in text

    _wait(visible, 150, f"the request page to show {what!r}", site)
    return shown[0]


def _state(page: Page) -> str:
    page.reload()
    return page.locator("#state").inner_text()


def _run_status(site: Deployment, reference: str) -> str | None:
    """The erasure run's status, read from the store (to know when to kill the worker)."""
    engine = sa.create_engine(site.store_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text(
                    "SELECT status FROM execution_runs WHERE reference = :r AND NOT dry_run "
                    "ORDER BY id DESC LIMIT 1"
                ),
                {"r": reference},
            ).scalar()
    finally:
        engine.dispose()


def test_a_request_lives_from_filing_to_the_completion_e_mail(
    deployment: Deployment, smtp_inbox: Inbox, browser: Browser, page: Page
) -> None:
    site = deployment
    app = sqlite3.connect(site.app_db, isolation_level=None)
    (email,) = app.execute(
        "SELECT email FROM customers WHERE id IN (SELECT customer_id FROM orders) LIMIT 1"
    ).fetchone()
    agent_context, dpo_context = browser.new_context(), browser.new_context()
    agent, dpo = agent_context.new_page(), dpo_context.new_page()
    try:
        sign_in(agent, site.base, "agent@example.com", PASSWORD)
        sign_in(dpo, site.base, "dpo@example.com", PASSWORD)

        # access: the agent executes, a worker builds the ZIP and completes the request
        reference = _file_and_verify(page, smtp_inbox, site, "access", email)
        _act(agent, site, reference, "execute")
        _shows(agent, "run done", site)
        _wait(lambda: _state(agent) == "completed", 120, "the access to complete", site)
        completed = _mail(smtp_inbox, email, reference, "is complete", site)
        assert "Records found:" in completed
        link = re.search(r"(http://\S+/privacy/requests/result/\S+)", completed)
        assert link is not None, completed
        download = page.context.request.get(link.group(1))
        assert download.status == 200
        archive = zipfile.ZipFile(io.BytesIO(download.body()))
        assert email in archive.read("data.json").decode()
        report = archive.read("report.html").decode()  # the page a person reads, in English
        assert "3 years after the contract ends" in report and "P3Y" not in report
        assert "Your account (1 record)" in report and ">E-mail<" in report
        assert archive.read("app.customers.csv").startswith("\ufeff".encode())  # Excel: UTF-8

        # erasure: execute asks for approval with a preview; the DPO approves; a worker erases
        reference = _file_and_verify(page, smtp_inbox, site, "erasure", email)
        _act(agent, site, reference, "execute")
        assert agent.locator("#state").inner_text() == "awaiting-approval"
        _shows(agent, "preview done: erasure (dry run)", site)
        assert app.execute("SELECT count(*) FROM customers WHERE email = ?", (email,)).fetchone()[0]
        killed = site.env["MODE"] == "celery-killed"
        if killed:  # the run will be claimed, then wait on the operator's database
            app.execute("BEGIN EXCLUSIVE")
        _act(dpo, site, reference, "approve", "checked the preview")
        if killed:
            _wait(lambda: _run_status(site, reference) == "running", 120, "the claim", site)
            site.processes["worker"].send_signal(signal.SIGKILL)
            site.processes["worker"].wait()
            app.execute("ROLLBACK")
            assert _run_status(site, reference) == "running"  # the dead worker's, until its lease
            assert app.execute(
                "SELECT count(*) FROM customers WHERE email = ?", (email,)
            ).fetchone()[0], "the killed worker wrote to the operator's database"
            site.start("worker-2", "worker", "--loglevel", "WARNING")
        text = _shows(dpo, "run done: erasure", site)
        _wait(lambda: _state(dpo) == "completed", 120, "the erasure to complete", site)
        assert "approved" in dpo.locator("#decisions").inner_text()
        assert "re-search found 0" in text
        mail = _mail(smtp_inbox, email, reference, "is complete", site)
        assert "Your request" in mail
        if "held:" in text:
            assert "Kept because the law still requires it" in mail
        assert not app.execute(
            "SELECT count(*) FROM customers WHERE email = ?", (email,)
        ).fetchone()[0]
        if killed:
            assert _run_status(site, reference) == "done"
    finally:
        agent_context.close()
        dpo_context.close()
        app.close()
