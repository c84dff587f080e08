"""Approval and completion that cannot lie: a destructive request completes only after its run
succeeded or an approver recorded why no run was needed, whatever the face or the order of steps."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.notify.outbox import OutboxMessage
from steward.requests import service
from steward.requests.tables import SubjectRequest
from steward.store.db import transaction as store_transaction

from ...jobs_app import drain, embedded_app
from ...personas import api_token, sign_in_as


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    app = embedded_app(tmp_path, monkeypatch)
    with TestClient(app, follow_redirects=False) as client:
        yield client
    drain()


def _verified(client: TestClient, kind: str) -> int:
    app = client.app
    with store_transaction(app.state.sessions) as session:  # type: ignore[attr-defined]
        found = service.file_request(
            session,
            app.state.register,  # type: ignore[attr-defined]
            service.Intake(kind=kind, email="nobody-here@example.com"),
        )
        service.mark_verified(
            session,
            found,
            how="code",
            actor="subject",
            register=app.state.register,  # type: ignore[attr-defined]
        )
        return found.id


def _state_and_mails(client: TestClient, request_id: int) -> tuple[str, list[str]]:
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        found = session.get(SubjectRequest, request_id)
        assert found is not None
        kinds = list(
            session.scalars(
                select(OutboxMessage.kind).where(OutboxMessage.related == f"request:{found.id}")
            )
        )
        return found.state, kinds


def _post(client: TestClient, request_id: int, csrf: str, action: str, text: str = "") -> int:
    return client.post(
        f"/admin/requests/{request_id}",
        data={"csrf_token": csrf, "action": action, "text": text},
    ).status_code


@pytest.mark.parametrize("kind", ["erasure", "restriction"])
def test_an_agent_whose_execute_was_refused_cannot_complete(client: TestClient, kind: str) -> None:
    request_id = _verified(client, kind)
    csrf = sign_in_as(client, "agent")
    _post(client, request_id, csrf, "in-progress")
    _post(client, request_id, csrf, "execute")
    _post(client, request_id, csrf, "complete", "Erased.")
    state, mails = _state_and_mails(client, request_id)
    assert state != "completed"
    assert "request.completed" not in mails


def test_awaiting_approval_cannot_be_stepped_around_through_in_progress(
    client: TestClient,
) -> None:
    request_id = _verified(client, "erasure")
    csrf = sign_in_as(client, "agent")
    for action in ("in-progress", "awaiting-approval", "in-progress"):
        _post(client, request_id, csrf, action)
    _post(client, request_id, csrf, "complete", "Erased.")
    state, mails = _state_and_mails(client, request_id)
    assert state != "completed"
    assert "request.completed" not in mails


def test_an_approver_cannot_complete_an_erasure_without_a_run_or_a_reason(
    client: TestClient,
) -> None:
    request_id = _verified(client, "erasure")
    csrf = sign_in_as(client, "dpo")
    _post(client, request_id, csrf, "in-progress")
    _post(client, request_id, csrf, "complete", "")
    assert _state_and_mails(client, request_id)[0] != "completed"


def test_the_api_execute_of_an_erasure_asks_for_approval_with_a_preview(
    client: TestClient,
) -> None:
    token = api_token(client.app, {"requests:write"})
    headers = {"Authorization": f"Bearer {token}"}
    request_id = _verified(client, "erasure")
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        found = session.get(SubjectRequest, request_id)
        assert found is not None
        reference = found.reference
    answer = client.post(f"/api/v1/requests/{reference}/execute", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["state"] == "awaiting-approval" and body["run"]["dry_run"] is True
    drain()
    shown = client.get(f"/api/v1/requests/{reference}", headers=headers).json()
    # this app has no demo database: the preview stops, and says why
    assert shown["run"]["status"] == "failed"
    assert shown["run"]["progress"].startswith("preview stopped: datastore 'app'")
    assert "DEMO_APP_DATABASE_URL is not set" in shown["run"]["progress"]
    # a stopped preview can be run again for the same ask
    again = client.post(f"/api/v1/requests/{reference}/execute", headers=headers)
    assert again.status_code == 200 and again.json()["run"]["id"] != shown["run"]["id"]
    assert _state_and_mails(client, request_id)[0] == "awaiting-approval"
