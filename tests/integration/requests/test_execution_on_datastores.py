"""A verified request, executed from the agent's page on the demo operator's real database: the
page queues the run, the embedded worker runs it, the request carries the typed result."""

from __future__ import annotations

import html
import io
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from steward.datastores.executor import forget_connections
from steward.datastores.tables import ExecutionRun
from steward.notify.outbox import OutboxMessage
from steward.requests import service, verification
from steward.requests.tables import SubjectRequest
from steward.store.db import transaction as store_transaction

from ...conftest import EXAMPLES
from ...jobs_app import drain, embedded_app
from ...personas import sign_in_as


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "app.db"
    subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "demo" / "make_demo_db.py"),
            str(path),
            "--customers",
            "60",
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def setup(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    app_db = tmp_path / "app.db"
    app_db.write_bytes(demo_template.read_bytes())
    monkeypatch.setenv("DEMO_APP_DATABASE_URL", f"sqlite:///{app_db}")
    app = embedded_app(tmp_path, monkeypatch)
    with TestClient(app, follow_redirects=False) as client:
        yield client, app_db
    drain()
    forget_connections()


def _verified_request(client: TestClient, kind: str, email: str) -> int:
    app = client.app
    with store_transaction(app.state.sessions) as session:
        found = service.file_request(
            session, app.state.register, service.Intake(kind=kind, email=email)
        )
        verification.prove(
            session,
            found,
            ["email"],
            how="email-code",
            actor="subject",
            register=app.state.register,
        )
        return found.id


def _customer(app_db: Path) -> tuple[int, str]:
    db = sqlite3.connect(app_db)
    row = db.execute(
        "SELECT id, email FROM customers WHERE id IN (SELECT customer_id FROM orders) LIMIT 1"
    ).fetchone()
    db.close()
    return row


def test_access_runs_on_the_databases_and_attaches_the_zip(setup) -> None:
    client, app_db = setup
    _, email = _customer(app_db)
    request_id = _verified_request(client, "access", email)
    csrf = sign_in_as(client, "agent")
    answer = client.post(
        f"/admin/requests/{request_id}", data={"csrf_token": csrf, "action": "execute"}
    )
    assert answer.status_code == 303, answer.text
    drain()
    with client.app.state.sessions() as session:
        found = session.get(SubjectRequest, request_id)
        assert found.state == "completed" and "access: found" in found.outcome
        assert email not in found.outcome  # the timeline carries counts, never the data
        archive = zipfile.ZipFile(io.BytesIO(found.result))
    assert {"data.json", "report.html"} <= set(archive.namelist())
    assert email in archive.read("data.json").decode()


def test_erasure_is_previewed_then_needs_approval_rights_then_erases(setup) -> None:
    client, app_db = setup
    customer_id, email = _customer(app_db)
    request_id = _verified_request(client, "erasure", email)
    db = sqlite3.connect(app_db)
    held_before = _held_invoices(db, customer_id)

    csrf = sign_in_as(client, "agent")
    url = f"/admin/requests/{request_id}"
    assert client.post(url, data={"csrf_token": csrf, "action": "preview"}).status_code == 303
    drain()
    assert _rows_with_email(db, email) == 1  # a preview changes nothing
    # the agent's execute becomes an ask for approval, with the preview attached
    assert client.post(url, data={"csrf_token": csrf, "action": "execute"}).status_code == 303
    drain()
    assert _rows_with_email(db, email) == 1
    page = client.get(url).text
    assert "Awaiting approval" in page and "preview done: erasure (dry run)" in page
    # an agent cannot approve
    assert client.post(url, data={"csrf_token": csrf, "action": "approve"}).status_code == 403

    client.cookies.clear()
    csrf = sign_in_as(client, "dpo")
    done = client.post(url, data={"csrf_token": csrf, "action": "approve", "text": "checked"})
    assert done.status_code == 303, done.text
    drain()
    # Nothing identifies the subject any more; invoices kept for tax law stay, held.
    assert _rows_with_email(db, email) == 0
    assert _held_invoices(db, customer_id) == held_before
    db.close()
    with client.app.state.sessions() as session:
        found = session.get(SubjectRequest, request_id)
        notes = [e.note or "" for e in service.timeline(session, found)]
        mail = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "request.completed")
        ).one()
    assert any(": erasure (dry run)" in n for n in notes)
    assert found.state == "completed"
    assert "erasure: found" in found.outcome and "re-search found 0" in found.outcome
    if held_before:
        assert "held: invoices until" in found.outcome
        assert "Kept because the law still requires it" in mail.body_text
        assert re.search(r"records? in invoices: .*, until \d{4}-\d\d-\d\d", mail.body_text)
    # the e-mail says what the run did, from the same typed result
    masked = re.search(r"masked (\d+)", found.outcome)
    deleted = re.search(r"erased (\d+)", found.outcome)
    assert masked or deleted
    if masked:
        n = masked.group(1)
        assert f"the record kept): {n} record{'' if n == '1' else 's'}." in mail.body_text
    if deleted:
        n = deleted.group(1)
        assert f"Erased: {n} record{'' if n == '1' else 's'}." in mail.body_text


def _rows_with_email(db: sqlite3.Connection, email: str) -> int:
    return db.execute("SELECT count(*) FROM customers WHERE email = ?", (email,)).fetchone()[0]


def _held_invoices(db: sqlite3.Connection, customer_id: int) -> int:
    query = (
        "SELECT count(*) FROM invoices JOIN orders ON orders.id = invoices.order_id "
        "WHERE orders.customer_id = ?"
    )
    return db.execute(query, (customer_id,)).fetchone()[0]


def test_kinds_without_database_work_say_so(setup) -> None:
    client, app_db = setup
    _, email = _customer(app_db)
    request_id = _verified_request(client, "complaint", email)
    csrf = sign_in_as(client, "dpo")
    answer = client.post(
        f"/admin/requests/{request_id}", data={"csrf_token": csrf, "action": "execute"}
    )
    assert answer.status_code == 400 and "answered by an agent" in answer.text
    with client.app.state.sessions() as session:
        assert session.scalar(select(func.count(ExecutionRun.id))) == 0


def test_an_objection_is_done_in_the_store_and_runs_nothing_on_the_databases(setup) -> None:
    """Without ``erase_on_objection`` an objection is the ledger and the restriction list."""
    client, app_db = setup
    _, email = _customer(app_db)
    request_id = _verified_request(client, "objection", email)
    csrf = sign_in_as(client, "dpo")
    answer = client.post(
        f"/admin/requests/{request_id}", data={"csrf_token": csrf, "action": "execute"}
    )
    assert answer.status_code == 303, answer.text[:500]
    with client.app.state.sessions() as session:
        assert session.scalar(select(func.count(ExecutionRun.id))) == 0
        found = service.get(session, request_id)
        assert found.state == "completed" and (found.outcome or "").startswith("objection:")


def test_dashboard_charts_open_requests_by_days_to_deadline(setup) -> None:
    client, app_db = setup
    _, email = _customer(app_db)
    _verified_request(client, "access", email)
    sign_in_as(client, "dpo")
    page = client.get("/admin/")
    assert page.status_code == 200 and "Open requests by days to deadline" in page.text
    assert "/admin/charts/requests-deadline.svg" in page.text
    chart = client.get("/admin/charts/requests-deadline.svg")
    assert chart.status_code == 200 and chart.text.lstrip().startswith("<?xml")
    assert "verified" in chart.text


def _timeline(page: str) -> list[str]:
    found = re.search(r'<ol id="timeline">(.*?)</ol>', page, re.S)
    assert found, "the request page shows no timeline"
    items = re.findall(r"<li>(.*?)</li>", found[1], re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in items]


def test_the_timeline_speaks_the_readers_language_and_keeps_typed_text(setup) -> None:
    """Steward's own lines (transitions, runs, results) follow the viewer's language; what a
    person typed stays as typed, and a line stored before phrases were kept shows as stored.
    The API keeps the English."""
    client, app_db = setup
    _, email = _customer(app_db)
    request_id = _verified_request(client, "erasure", email)
    csrf = sign_in_as(client, "agent")
    url = f"/admin/requests/{request_id}"
    # typed by the agent: an English text that is also one of Steward's message ids
    client.post(url, data={"csrf_token": csrf, "action": "in-progress", "text": "working"})
    client.post(url, data={"csrf_token": csrf, "action": "note", "text": "called back, fine"})
    assert client.post(url, data={"csrf_token": csrf, "action": "execute"}).status_code == 303
    drain()
    client.cookies.clear()
    csrf = sign_in_as(client, "dpo")
    assert client.post(url, data={"csrf_token": csrf, "action": "approve"}).status_code == 303
    drain()
    with store_transaction(client.app.state.sessions) as session:
        found = session.get(SubjectRequest, request_id)
        assert found.state == "completed", found.outcome
        old = service.RequestEvent(
            request_id=request_id, actor="steward", action="reminded", note="2 reminder(s)"
        )
        session.add(old)

    english = _timeline(client.get(url, headers={"Accept-Language": "en"}).text)
    russian = _timeline(client.get(url, headers={"Accept-Language": "ru"}).text)
    assert len(english) == len(russian)
    joined = "\n".join(russian)
    for line in (
        "changes the operator's data; preview run",
        "(dry run)",
        "identity confirmed by",
        "approved: as previewed",
        "re-search found",
    ):
        assert any(line in e for e in english), (line, english)
        assert line not in joined, (line, joined)
    assert "(пробный запуск)" in joined and "повторный поиск нашёл 0" in joined, joined
    assert "одобрено: как в предпросмотре" in joined, joined
    assert "— working" in joined and "— called back, fine" in joined  # as typed
    assert russian[-1].endswith("— 2 reminder(s)")  # stored before phrases: as stored
    # each step by its label in the reader's language, not its code ("to-completed")
    assert any("Запрос: выполнен" in line for line in russian), joined
    assert not any(re.search(r": (to-[a-z-]+|executed|previewed|reminded)\b", e) for e in russian)
    assert any("Request: completed" in line for line in english), english
    api = client.app.state.sessions
    with api() as session:
        notes = [e.note for e in service.timeline(session, session.get(SubjectRequest, request_id))]
    assert any("re-search found 0" in n for n in notes)  # the API's and the CLI's English


def _field(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|p|span)>', page, re.S)
    assert found, f"the request page shows no #{element_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", found[1])).strip()


def test_the_outcome_and_the_run_progress_speak_the_readers_language(setup) -> None:
    """The request page's *Outcome* and its run and preview lines are Steward's own text: a
    Russian reader reads them in Russian, an English one in English; the API keeps English."""
    client, app_db = setup
    _, email = _customer(app_db)
    request_id = _verified_request(client, "erasure", email)
    csrf = sign_in_as(client, "agent")
    url = f"/admin/requests/{request_id}"
    ru, en = {"Accept-Language": "ru"}, {"Accept-Language": "en"}
    assert client.post(url, data={"csrf_token": csrf, "action": "execute"}).status_code == 303
    drain()
    waiting = client.get(url, headers=ru).text
    preview = _field(waiting, "preview")
    assert preview.startswith("предпросмотр завершён: erasure (пробный запуск): "), preview
    assert "found" not in preview and "dry run" not in preview, preview
    assert _field(client.get(url, headers=en).text, "preview").startswith("preview done: ")
    client.cookies.clear()
    csrf = sign_in_as(client, "dpo")
    assert client.post(url, data={"csrf_token": csrf, "action": "approve"}).status_code == 303
    drain()
    russian, english = client.get(url, headers=ru).text, client.get(url, headers=en).text
    outcome, progress = _field(russian, "outcome"), _field(russian, "run-progress")
    assert "повторный поиск нашёл 0" in outcome and "re-search" not in outcome, outcome
    assert "найдено" in outcome and "found" not in outcome, outcome
    assert progress.startswith("запуск завершён: erasure: "), progress
    assert "run done" not in progress and "re-search" not in progress, progress
    assert "re-search found 0" in _field(english, "outcome")
    assert _field(english, "run-progress").startswith("run done: erasure: ")
    api = client.app.state.sessions
    with api() as session:
        assert "re-search found 0" in (session.get(SubjectRequest, request_id).outcome or "")
