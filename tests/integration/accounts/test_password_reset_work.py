"""A password reset does the same work whether or not the account exists: the answer, and
everything the request does in the store before it answers, are the same; the e-mail to a
real account is written afterwards, by a job, where no timing of the answer can see it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from steward.ledger.audit import AuditEntry
from steward.notify.outbox import OutboxMessage

from ...jobs_app import drain, embedded_app
from ...personas import ensure_person


def _statements_of_one_reset(app, client: TestClient, csrf: str, email: str) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(re.sub(r"\s+", " ", statement))

    event.listen(app.state.engine, "before_cursor_execute", before)
    try:
        answer = client.post("/admin/password-reset", data={"csrf_token": csrf, "email": email})
    finally:
        event.remove(app.state.engine, "before_cursor_execute", before)
    assert answer.status_code == 200, answer.text[:300]
    assert "If an account exists for that address" in answer.text
    return seen


def test_a_reset_for_a_real_and_an_unknown_account_does_the_same_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = embedded_app(tmp_path, monkeypatch)
    ensure_person(app, "agent")
    with TestClient(app) as client:
        page = client.get("/admin/password-reset").text
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
        client.post("/admin/password-reset", data={"csrf_token": csrf, "email": "warm@example.com"})
        drain()
        known = _statements_of_one_reset(app, client, csrf, "agent@example.com")
        unknown = _statements_of_one_reset(app, client, csrf, "ghost@example.com")
        assert known == unknown, {"known": known, "unknown": unknown}
        drain()
    with app.state.sessions() as session:
        mail = session.scalars(select(OutboxMessage)).all()
        actions = session.scalars(select(AuditEntry.action)).all()
    assert [m.to_address for m in mail] == ["agent@example.com"]  # the real account only
    assert actions.count("auth.password_reset_request") == 1
    link = re.search(r"https?://\S+", mail[0].body_text).group(0)  # type: ignore[union-attr]
    assert "/admin/password-reset/" in link
