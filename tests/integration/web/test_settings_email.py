"""Settings' "send a test e-mail" button, against a real SMTP server and one that is down."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.config import Settings
from steward.ledger.audit import AuditEntry
from steward.notify.outbox import OutboxMessage
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ...personas import sign_in_as
from ...smtp_server import Inbox, free_port


def _app(tmp_path: Path, smtp_url: str | None):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return create_app(Settings(database_url=url, smtp_url=smtp_url, dev=True))


def _csrf(page: str) -> str:
    found = re.search(r'action="/admin/settings/test-email">\s*<input[^>]*value="([^"]+)"', page)
    assert found, "the Settings page shows no test e-mail button"
    return found.group(1)


def test_the_test_e_mail_button_sends_to_the_signed_in_person_at_once(
    tmp_path: Path, smtp_inbox: Inbox
) -> None:
    app = _app(tmp_path, smtp_inbox.url)
    with TestClient(app) as client:
        sign_in_as(client, "dpo")
        page = client.get("/admin/settings").text
        answer = client.post("/admin/settings/test-email", data={"csrf_token": _csrf(page)})
    assert answer.status_code == 200 and "A test e-mail left for" in answer.text
    (message,) = smtp_inbox.wait(1, timeout=5)
    assert message["Subject"] == "Steward test e-mail" and "@" in message["To"]
    with app.state.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "settings.test_email")
        ).one()
    assert row.status == "sent" and row.kind == "settings.test"
    assert json.loads(audit.details)["sent"] is True


def test_the_test_e_mail_button_says_why_mail_does_not_leave(tmp_path: Path) -> None:
    app = _app(tmp_path, f"smtp://127.0.0.1:{free_port()}")
    with TestClient(app) as client:
        sign_in_as(client, "owner")
        page = client.get("/admin/settings").text
        answer = client.post("/admin/settings/test-email", data={"csrf_token": _csrf(page)})
    assert answer.status_code == 200
    assert "did not leave" in answer.text and "cannot reach the SMTP server" in answer.text
