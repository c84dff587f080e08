"""The Outbox and the dashboard after real deliveries: failures counted, purged mail shows none
of its text."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.config import Settings
from steward.lib.signing import derive
from steward.notify.delivery import deliver
from steward.notify.outbox import OutboxMessage, queue
from steward.store.db import make_engine, transaction, upgrade
from steward.web.app import create_app

from ...personas import sign_in_as
from ...smtp_server import Inbox


def test_failures_are_counted_and_sent_mail_shows_only_its_evidence(
    tmp_path: Path, smtp_inbox: Inbox
) -> None:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(Settings(database_url=url, smtp_url=smtp_inbox.url, dev=True))
    smtp_inbox.refuse.add("gone@example.com")
    with transaction(app.state.sessions) as session:
        for to in ("gone@example.com", "anna@example.com"):
            queue(session, to=to, subject="Your code", text="code 424242", kind="request.code")
    deliver(
        app.state.sessions,
        smtp_inbox.url,
        recipient_key=derive("k", "identifiers"),
        keep_sent=timedelta(0),
    )
    with app.state.sessions() as session:
        sent = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "sent")).one()
    with TestClient(app) as client:
        sign_in_as(client, "owner")
        dashboard = client.get("/admin/").text
        outbox = client.get("/admin/outbox").text
        message = client.get(f"/admin/outbox/{sent.id}").text
    assert re.search(r'<th scope="row">failed</th><td>1</td>', dashboard), "no failed count"
    assert 'id="failed-count">1 message failed for good' in outbox
    assert "anna@example.com" not in outbox and "anna@example.com" not in message
    assert "424242" not in message and sent.to_digest and sent.to_digest in message
