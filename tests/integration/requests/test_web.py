"""The request pages and API through the app: bad input gets a clear answer and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.config import Settings
from steward.notify.outbox import OutboxMessage
from steward.requests import verification
from steward.requests.tables import SubjectRequest
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app
from steward.web.auth import csrf_token_for
from steward.web.security import CSRF_COOKIE

from ...conftest import EXAMPLES
from ...personas import api_token, sign_in_as

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _app(tmp_path: Path, operator: str = "demo", **extra):
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url, register_path=EXAMPLES / operator / "register.yaml", dev=True, **extra
    )
    return create_app(settings)


def _client(app) -> tuple[TestClient, str]:
    client = TestClient(app)
    client.cookies.set(CSRF_COOKIE, "seed")
    return client, csrf_token_for(app.state.settings.secret_key.get_secret_value(), "seed")


def _count(app) -> int:
    with app.state.sessions() as session:
        return session.scalar(sa.select(sa.func.count(SubjectRequest.id))) or 0


def _file(client: TestClient, csrf: str, files=None, **fields):
    data = {"csrf_token": csrf, "kind": "access", "lang": "en", **fields}
    return client.post("/privacy/requests/new", data=data, files=files, follow_redirects=False)


def test_form_in_russian_lists_the_kinds_the_laws_grant(tmp_path: Path) -> None:
    client, _ = _client(_app(tmp_path))
    page = client.get("/privacy/requests/new?lang=ru")
    assert page.status_code == 200
    assert "Доступ к своим данным" in page.text and 'value="portability"' in page.text
    assert 'value="opt-out-sale"' not in page.text  # no CCPA for this operator


@pytest.mark.parametrize(
    ("files", "fields", "message"),
    [
        ({"attachment": ("scan.pdf", b"MZ\x90\x00binary", "application/pdf")}, {}, "not a PDF"),
        (
            {"attachment": ("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 4096, "image/png")},
            {},
            "limit",
        ),
        (None, {}, "signature"),
        ({"attachment": ("s.pdf", PDF, "application/pdf")}, {"email": "x@@y"}, "not valid"),
        ({"attachment": ("s.pdf", PDF, "application/pdf")}, {"phone": "call me"}, "telephone"),
    ],
)
def test_bad_intake_answers_400_and_stores_nothing(
    tmp_path: Path, files, fields, message: str
) -> None:
    app = _app(tmp_path, "softvendor", requests_attachment_max_bytes=2048)
    client, csrf = _client(app)
    response = _file(client, csrf, files=files, **{"email": "a@example.com", **fields})
    assert response.status_code == 400
    assert message in response.text
    assert _count(app) == 0


def test_an_oversized_upload_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    app = _app(tmp_path, "softvendor", requests_attachment_max_bytes=2048)
    client, csrf = _client(app)
    huge = b"%PDF-1.4\n" + b"0" * (512 * 1024) + b"\n%%EOF\n"
    files = {"attachment": ("scan.pdf", huge, "application/pdf")}
    response = _file(client, csrf, files=files, email="a@example.com")
    assert response.status_code == 413
    assert "at most 2 KiB" in response.text and "nothing was filed" in response.text
    assert _count(app) == 0


def test_an_oversized_chunked_body_without_a_length_is_refused_too(tmp_path: Path) -> None:
    app = _app(tmp_path, "softvendor", requests_attachment_max_bytes=2048)
    client, _ = _client(app)

    def chunks():
        for _ in range(64):
            yield b"x" * 8192

    response = client.post(
        "/privacy/requests/new",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413
    assert _count(app) == 0


def test_a_code_form_with_a_large_file_part_is_refused_and_counts_no_try(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client, csrf = _client(app)
    status_url = _file(client, csrf, email="a@example.com").headers["location"].split("?")[0]
    files = {"junk": ("junk.bin", b"0" * (64 * 1024), "application/octet-stream")}
    answer = client.post(
        status_url + "/verify", data={"csrf_token": csrf, "code": "123456"}, files=files
    )
    assert answer.status_code == 413 and "too large" in answer.text
    with app.state.sessions() as session:
        assert verification.latest_code(session, 1).attempts == 0  # type: ignore[union-attr]


def test_a_used_code_replayed_changes_nothing(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client, csrf = _client(app)
    status_url = _file(client, csrf, email="a@example.com").headers["location"].split("?")[0]
    with app.state.sessions() as session:
        mail = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "request.code")
        ).one()
    code = re.search(r"\b(\d{6})\b", mail.body_text).group(1)  # type: ignore[union-attr]
    first = client.post(status_url + "/verify", data={"csrf_token": csrf, "code": code})
    assert first.status_code == 200
    with app.state.sessions() as session:
        verified_at = session.scalars(select(SubjectRequest)).one().verified_at
        assert verified_at is not None
    replay = client.post(status_url + "/verify", data={"csrf_token": csrf, "code": code})
    assert replay.status_code == 400 and "expired or was already used" in replay.text
    with app.state.sessions() as session:
        assert session.scalars(select(SubjectRequest)).one().verified_at == verified_at


def test_form_without_csrf_is_refused(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client, _ = _client(app)
    assert _file(client, "forged", email="a@example.com").status_code == 403
    assert _count(app) == 0


def test_code_guessing_locks_out_and_the_right_code_then_fails_too(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client, csrf = _client(app)
    response = _file(client, csrf, email="a@example.com")
    assert response.status_code == 303
    status_url = response.headers["location"].split("?")[0]
    with app.state.sessions() as session:
        mail = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "request.code")
        ).one()
    code = re.search(r"\b(\d{6})\b", mail.body_text).group(1)  # type: ignore[union-attr]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(verification.MAX_ATTEMPTS):
        answer = client.post(status_url + "/verify", data={"csrf_token": csrf, "code": wrong})
        assert answer.status_code == 400
    assert "Too many wrong codes" in answer.text
    answer = client.post(status_url + "/verify", data={"csrf_token": csrf, "code": code})
    assert answer.status_code == 400 and "Too many wrong codes" in answer.text
    with app.state.sessions() as session:
        assert session.scalars(select(SubjectRequest)).one().verified_at is None


def test_a_forged_or_replayed_status_or_result_link_gets_a_clear_answer(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client, _ = _client(app)
    assert client.get("/privacy/requests/s/not-a-token").status_code == 404
    answer = client.get("/privacy/requests/result/not-a-token")
    assert answer.status_code == 410 and "not valid" in answer.text


def test_api_files_requests_for_agents_and_reports_the_queue(tmp_path: Path) -> None:
    app = _app(tmp_path, requests_operator_secret="shared")
    client = TestClient(app)
    token = api_token(app, {"requests:write"})
    headers = {"Authorization": f"Bearer {token}"}
    assertion = verification.assertion_token("shared", email="a@example.com", account_id=None)
    made = client.post(
        "/api/v1/requests",
        json={
            "kind": "erasure",
            "email": "a@example.com",
            "channel": "phone",
            "assertion": assertion,
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["verified"] is True and body["jurisdiction"] == "ru-152fz"
    bad = client.post("/api/v1/requests", json={"kind": "erasure"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("give at least one identifier")
    listed = client.get("/api/v1/requests?overdue=true", headers=headers)
    assert listed.status_code == 200 and listed.json() == []
    one = client.get(f"/api/v1/requests/{body['reference']}", headers=headers)
    assert [e["action"] for e in one.json()["timeline"]] == ["file", "proven", "verified"]
    assert client.get("/api/v1/requests", headers={}).status_code == 401
    reader = api_token(app, {"consents:read"}, name="other")
    assert (
        client.post(
            "/api/v1/requests",
            json={"kind": "access", "email": "b@example.com"},
            headers={"Authorization": f"Bearer {reader}"},
        ).status_code
        == 403
    )


def test_agent_queue_and_actions_in_the_admin_frame(tmp_path: Path) -> None:
    app = _app(tmp_path)
    subject, csrf = _client(app)
    _file(subject, csrf, email="a@example.com")
    agent = TestClient(app)
    agent_csrf = sign_in_as(agent, "agent")
    queue = agent.get("/admin/requests")
    assert queue.status_code == 200 and "R-" in queue.text
    with app.state.sessions() as session:
        request_id = session.scalars(select(SubjectRequest.id)).one()
    refused = agent.post(
        f"/admin/requests/{request_id}",
        data={"csrf_token": agent_csrf, "action": "rejected", "text": ""},
    )
    assert refused.status_code == 400 and "needs a reason" in refused.text
    taken = agent.post(
        f"/admin/requests/{request_id}", data={"csrf_token": agent_csrf, "action": "take"}
    )
    assert taken.status_code == 200 and "agent@example.com" in taken.text
    auditor = TestClient(app)
    auditor_csrf = sign_in_as(auditor, "auditor")
    assert auditor.get(f"/admin/requests/{request_id}").status_code == 200
    assert (
        auditor.post(
            f"/admin/requests/{request_id}", data={"csrf_token": auditor_csrf, "action": "take"}
        ).status_code
        == 403
    )


def test_outbox_readers_do_not_see_verification_codes(tmp_path: Path) -> None:
    app = _app(tmp_path)
    subject, csrf = _client(app)
    _file(subject, csrf, email="a@example.com")
    with app.state.sessions() as session:
        mail = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "request.code")
        ).one()
    code = re.search(r"\b(\d{6})\b", mail.body_text).group(1)  # type: ignore[union-attr]
    auditor = TestClient(app)
    sign_in_as(auditor, "auditor")
    page = auditor.get(f"/admin/outbox/{mail.id}")
    assert page.status_code == 200 and "[code hidden]" in page.text and code not in page.text


@pytest.mark.parametrize("role", ["dpo", "auditor"])
def test_outbox_readers_see_no_consent_link_or_code_in_clear(tmp_path: Path, role: str) -> None:
    from steward.notify import outbox

    app = _app(tmp_path)
    link = "http://127.0.0.1:8000/privacy/consents/ct_secret-token-of-the-subject?lang=en"
    with app.state.sessions() as session, session.begin():
        mail = outbox.queue(
            session,
            to="a@example.com",
            subject="Your consents",
            text=f"Your consents: {link}\nor enter 123456\n",
            kind="consents.center-link",
        )
        message_id = mail.id
    reader = TestClient(app)
    sign_in_as(reader, role)
    page = reader.get(f"/admin/outbox/{message_id}")
    assert page.status_code == 200
    assert "ct_secret-token-of-the-subject" not in page.text and "123456" not in page.text
    assert "[link hidden" in page.text
