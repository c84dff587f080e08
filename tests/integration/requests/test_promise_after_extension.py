"""softvendor promises an answer within 10 working days; 152-FZ allows 10 plus an extension of
5. Through the admin page: an extension never moves the date past the promise, and the page
says which rule sets the date."""

from __future__ import annotations

import base64
import re
from datetime import date
from html import unescape
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from steward.config import Settings
from steward.law import calendar_for
from steward.notify.outbox import OutboxMessage
from steward.requests import verification
from steward.store.db import make_engine, upgrade
from steward.store.tables import utcnow
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...personas import api_token, sign_in_as

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RU = calendar_for("RU")


def _app(tmp_path: Path, register: Path):
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url, register_path=register, dev=True, requests_operator_secret="shared"
    )
    return create_app(settings)


def _file_verified(app, email: str) -> str:
    client = TestClient(app)
    token = api_token(app, {"requests:write"})
    assertion = verification.assertion_token("shared", email=email, account_id=None)
    made = client.post(
        "/api/v1/requests",
        json={
            "kind": "access",
            "email": email,
            "channel": "in-app",
            "assertion": assertion,
            "attachment": {"filename": "s.pdf", "content_base64": base64.b64encode(PDF).decode()},
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["reference"])


def _page(agent: TestClient, reference: str) -> tuple[int, str]:
    queue = agent.get("/admin/requests")
    found = re.search(rf'href="/admin/requests/(\d+)"[^>]*>\s*{reference}', queue.text)
    assert found is not None
    request_id = int(found.group(1))
    return request_id, unescape(agent.get(f"/admin/requests/{request_id}").text)


def _extension_mails(app) -> int:
    with app.state.sessions() as session:
        return (
            session.scalar(
                sa.select(sa.func.count(OutboxMessage.id)).where(
                    OutboxMessage.kind == "request.extended"
                )
            )
            or 0
        )


def test_softvendors_ten_working_days_hold_when_an_agent_extends(tmp_path: Path) -> None:
    app = _app(tmp_path, EXAMPLES / "softvendor" / "register.yaml")
    reference = _file_verified(app, "anna@example.com")
    agent = TestClient(app)
    csrf = sign_in_as(agent, "agent")
    request_id, before = _page(agent, reference)
    promised = RU.nth_working_day_after(utcnow().date(), 10).isoformat()
    # the admin writes dates in the reader's language; the ISO date is the <time> element's
    assert f'<dd id="due"><time datetime="{promised}' in before
    answer = agent.post(
        f"/admin/requests/{request_id}",
        data={"csrf_token": csrf, "action": "extend", "text": "the archive is offline"},
        follow_redirects=False,
    )
    assert answer.status_code == 400
    text = unescape(answer.text)
    assert "no extension is available" in text and "operator's promise" in text
    _, after = _page(agent, reference)
    assert promised in after and "operator's promise" in after
    assert "15 working days" not in after
    assert _extension_mails(app) == 0  # the subject is not told of an extension that is not


def test_a_promise_between_the_law_and_its_extension_caps_the_extended_date(
    tmp_path: Path,
) -> None:
    text = (EXAMPLES / "softvendor" / "register.yaml").read_text(encoding="utf-8")
    assert "answer_within: {days: 10, working_days: true}" in text
    register = tmp_path / "register.yaml"
    register.write_text(
        text.replace(
            "answer_within: {days: 10, working_days: true}",
            "answer_within: {days: 12, working_days: true}",
        ),
        encoding="utf-8",
    )
    app = _app(tmp_path, register)
    reference = _file_verified(app, "boris@example.com")
    agent = TestClient(app)
    csrf = sign_in_as(agent, "agent")
    request_id, before = _page(agent, reference)
    today = utcnow().date()
    law_due = RU.nth_working_day_after(today, 10).isoformat()
    assert law_due in before and "under ru-152fz" in before
    answer = agent.post(
        f"/admin/requests/{request_id}",
        data={"csrf_token": csrf, "action": "extend", "text": "the archive is offline"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:2000]
    _, after = _page(agent, reference)
    capped = RU.nth_working_day_after(today, 12).isoformat()
    assert f"{capped}: 12 working days" in after
    assert "a law's extension does not move it" in after
    assert RU.nth_working_day_after(today, 15).isoformat() not in after
    assert _extension_mails(app) == 1
    assert date.fromisoformat(capped) > date.fromisoformat(law_due)
