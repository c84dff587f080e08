"""Only proven identifiers are searched: a code proves the e-mail, not what was typed beside it.

A stranger files through the Privacy Center with their own address and someone else's account
id or telephone, proves their address with the e-mailed code, and an agent executes the request
on the demo operator's real database. Nothing of the other customer may come back or go away.
"""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.datastores.executor import forget_connections
from steward.notify.outbox import OutboxMessage
from steward.requests import service, verification
from steward.requests.tables import SubjectRequest
from steward.store.db import transaction as store_transaction
from steward.web.auth import csrf_token_for
from steward.web.security import CSRF_COOKIE

from ...conftest import EXAMPLES
from ...jobs_app import drain, embedded_app
from ...personas import api_token, sign_in_as

STRANGER = "stranger@example.org"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "app.db"
    subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "demo" / "make_demo_db.py"),
            str(path),
            "--customers",
            "30",
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    app_db = tmp_path / "app.db"
    app_db.write_bytes(demo_template.read_bytes())
    monkeypatch.setenv("DEMO_APP_DATABASE_URL", f"sqlite:///{app_db}")
    app = embedded_app(tmp_path, monkeypatch, requests_operator_secret="shared operator secret")
    with TestClient(app, follow_redirects=False) as client:
        yield client, app_db
    drain()
    forget_connections()


def _customer(app_db: Path, customer_id: int) -> tuple[str, str | None]:
    db = sqlite3.connect(app_db)
    row = db.execute("SELECT email, phone FROM customers WHERE id = ?", (customer_id,)).fetchone()
    db.close()
    return row


def _file_and_prove_by_code(client: TestClient, kind: str, **typed: str) -> int:
    """The stranger files through the Privacy Center and enters the code from their mailbox."""
    subject = TestClient(client.app, follow_redirects=False)
    subject.cookies.set(CSRF_COOKIE, "seed")
    csrf = csrf_token_for(client.app.state.settings.secret_key.get_secret_value(), "seed")
    data = {"csrf_token": csrf, "kind": kind, "lang": "en", "email": STRANGER, **typed}
    filed = subject.post("/privacy/requests/new", data=data)
    assert filed.status_code == 303, filed.text
    status_url = filed.headers["location"].split("?")[0]
    with client.app.state.sessions() as session:
        mail = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "request.code")
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert mail is not None
        request_id = session.scalars(
            select(SubjectRequest.id).order_by(SubjectRequest.id.desc())
        ).first()
    code = re.search(r"\b(\d{6})\b", mail.body_text).group(1)  # type: ignore[union-attr]
    proved = subject.post(status_url + "/verify", data={"csrf_token": csrf, "code": code})
    assert proved.status_code == 200, proved.text
    assert request_id is not None
    return request_id


def _execute(client: TestClient, request_id: int, role: str = "dpo") -> None:
    """Execute as the admin does (an erasure: asked, then approved), and let the worker run."""
    client.cookies.clear()
    csrf = sign_in_as(client, role)
    url = f"/admin/requests/{request_id}"
    client.post(url, data={"csrf_token": csrf, "action": "execute"})
    drain()
    client.post(url, data={"csrf_token": csrf, "action": "approve", "text": "checked"})
    drain()


@pytest.mark.parametrize("typed", ["account_id", "phone"])
def test_a_strangers_access_with_a_typed_identifier_returns_nothing_of_that_customer(
    demo, typed: str
) -> None:
    client, app_db = demo
    email, phone = _customer(app_db, 5)
    value = "5" if typed == "account_id" else phone
    assert value, "customer 5 of the demo has a telephone"
    request_id = _file_and_prove_by_code(client, "access", **{typed: value})
    _execute(client, request_id)
    with client.app.state.sessions() as session:
        found = session.get(SubjectRequest, request_id)
        assert found is not None
        archive = found.result
        outcome = found.outcome or ""
    if archive is not None:
        data = zipfile.ZipFile(io.BytesIO(archive)).read("data.json").decode()
        assert email not in data
    assert "not searched" in outcome
    page = client.get(f"/admin/requests/{request_id}")
    assert re.search(r"not proven.{0,80}not searched", page.text, re.S), page.text


def test_a_strangers_erasure_with_an_account_id_leaves_that_customer_alone(demo) -> None:
    client, app_db = demo
    email, _ = _customer(app_db, 3)
    request_id = _file_and_prove_by_code(client, "erasure", account_id="3")
    _execute(client, request_id)
    db = sqlite3.connect(app_db)
    left = db.execute("SELECT count(*) FROM customers WHERE id = 3").fetchone()[0]
    db.close()
    assert left == 1, "customer 3 was erased by a stranger's request"
    assert _customer(app_db, 3)[0] == email


def test_the_subjects_own_status_page_says_which_identifiers_are_not_searched(demo) -> None:
    client, _ = demo
    subject = TestClient(client.app, follow_redirects=False)
    subject.cookies.set(CSRF_COOKIE, "seed")
    csrf = csrf_token_for(client.app.state.settings.secret_key.get_secret_value(), "seed")
    filed = subject.post(
        "/privacy/requests/new",
        data={"csrf_token": csrf, "kind": "access", "email": STRANGER, "account_id": "7"},
    )
    page = subject.get(filed.headers["location"])
    assert page.status_code == 200
    assert "Account id" in page.text and "not searched" in page.text


def test_an_operator_assertion_proves_only_the_identifiers_it_names(demo) -> None:
    client, app_db = demo
    email, _ = _customer(app_db, 4)
    token = api_token(client.app, {"requests:write"})
    assertion = verification.assertion_token(
        "shared operator secret", email=STRANGER, account_id=None
    )
    made = client.post(
        "/api/v1/requests",
        json={"kind": "access", "email": STRANGER, "account_id": "4", "assertion": assertion},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.text
    with client.app.state.sessions() as session:
        request_id = session.scalars(
            select(SubjectRequest.id).where(SubjectRequest.reference == made.json()["reference"])
        ).one()
    _execute(client, request_id)
    with client.app.state.sessions() as session:
        found = session.get(SubjectRequest, request_id)
        assert found is not None and found.result is not None
        data = zipfile.ZipFile(io.BytesIO(found.result)).read("data.json").decode()
    assert email not in data


def test_an_agent_proves_the_identifiers_they_checked_and_those_are_searched(demo) -> None:
    client, app_db = demo
    email, _ = _customer(app_db, 6)
    with store_transaction(client.app.state.sessions) as session:
        filed = service.file_request(
            session,
            client.app.state.register,
            service.Intake(kind="access", email=STRANGER, account_id="6", channel="phone"),
        )
        request_id = filed.id
    csrf = sign_in_as(client, "dpo")
    url = f"/admin/requests/{request_id}"
    unsaid = client.post(url, data={"csrf_token": csrf, "action": "verify", "text": "called"})
    assert unsaid.status_code == 400 and "which identifiers" in unsaid.text
    checked = client.post(
        url,
        data={
            "csrf_token": csrf,
            "action": "verify",
            "text": "called back the number on file, asked the order number",
            "proven": "account-id",
        },
    )
    assert checked.status_code == 303, checked.text
    _execute(client, request_id)
    with client.app.state.sessions() as session:
        found = session.get(SubjectRequest, request_id)
        assert found is not None and found.result is not None
        data = zipfile.ZipFile(io.BytesIO(found.result)).read("data.json").decode()
        events = [(e.action, e.note) for e in service.timeline(session, found)]
    assert email in data  # the account id the agent checked was searched
    assert STRANGER not in data or "e-mail" in (found.outcome or "")
    assert ("proven", "account-id by agent") in events
