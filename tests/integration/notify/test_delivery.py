"""Outbox delivery against a real SMTP server (aiosmtpd) and real stores (SQLite, PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from steward.lib.signing import derive
from steward.notify.delivery import MAX_ATTEMPTS, deliver, purge_delivered, recipient_digest
from steward.notify.outbox import OutboxMessage, queue
from steward.store.db import session_factory, transaction
from steward.store.tables import utcnow

from ...smtp_server import Inbox, free_port

KEY = derive("test-secret", "identifiers")


def _queue(sessions, count: int, *, to: str = "subject{}@example.com") -> None:
    with transaction(sessions) as session:
        for n in range(count):
            queue(
                session,
                to=to.format(n),
                subject=f"Message {n}",
                text=f"Your code is {n:06d}",
                kind="request.code",
            )


def _statuses(sessions) -> dict[str, int]:
    with sessions() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return {status: int(count) for status, count in rows}


def test_a_batch_goes_out_on_one_connection_and_each_message_once(
    store_engine: sa.Engine, smtp_inbox: Inbox
) -> None:
    sessions = session_factory(store_engine)
    _queue(sessions, 30)
    report = deliver(sessions, smtp_inbox.url, sender="dpo@example.com", batch=50)
    assert report.sent == 30 and report.failed == report.retrying == 0
    smtp_inbox.wait(30)
    assert smtp_inbox.connections == 1
    assert sorted(m["Subject"] for m in smtp_inbox.messages) == sorted(
        f"Message {n}" for n in range(30)
    )
    assert {m["From"] for m in smtp_inbox.messages} == {"dpo@example.com"}
    assert deliver(sessions, smtp_inbox.url).sent == 0  # idempotent: nothing is sent twice
    assert _statuses(sessions) == {"sent": 30}


def test_two_deliverers_at_once_never_send_a_message_twice(
    store_engine: sa.Engine, smtp_inbox: Inbox
) -> None:
    sessions = session_factory(store_engine)
    _queue(sessions, 120)
    reports = []

    def run() -> None:
        reports.append(deliver(sessions, smtp_inbox.url, batch=10))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.sent for r in reports) == 120
    smtp_inbox.wait(120)
    subjects = [m["Subject"] for m in smtp_inbox.messages]
    assert len(subjects) == len(set(subjects)) == 120


def test_a_refused_recipient_fails_for_good_and_the_others_still_leave(
    store_engine: sa.Engine, smtp_inbox: Inbox
) -> None:
    sessions = session_factory(store_engine)
    smtp_inbox.refuse.add("subject1@example.com")
    _queue(sessions, 3)
    report = deliver(sessions, smtp_inbox.url)
    assert (report.sent, report.failed) == (2, 1)
    with sessions() as session:
        failed = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        row = failed.one()
    assert row.to_address == "subject1@example.com" and "550" in (row.error or "")
    assert deliver(sessions, smtp_inbox.url).sent == 0  # a refused message is not retried


def test_a_deferred_recipient_is_retried_later_with_growing_waits(
    store_engine: sa.Engine, smtp_inbox: Inbox
) -> None:
    sessions = session_factory(store_engine)
    smtp_inbox.defer.add("subject0@example.com")
    _queue(sessions, 1)
    before = utcnow()
    assert deliver(sessions, smtp_inbox.url).retrying == 1
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.status == "queued" and row.attempts == 1 and "451" in (row.error or "")
    assert row.next_attempt_at is not None and row.next_attempt_at >= before + timedelta(seconds=29)
    assert deliver(sessions, smtp_inbox.url).retrying == 0  # not due yet: nothing is tried
    smtp_inbox.defer.clear()
    with transaction(sessions) as session:
        session.get(OutboxMessage, row.id).next_attempt_at = utcnow()  # type: ignore[union-attr]
    assert deliver(sessions, smtp_inbox.url).sent == 1
    smtp_inbox.wait(1)


def test_an_unreachable_server_keeps_mail_queued_until_attempts_run_out(
    store_engine: sa.Engine,
) -> None:
    sessions = session_factory(store_engine)
    _queue(sessions, 2)
    url = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    report = deliver(sessions, url)
    assert report.retrying == 2 and report.error and "cannot reach" in report.error
    for _ in range(MAX_ATTEMPTS - 1):
        with transaction(sessions) as session:
            session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        deliver(sessions, url)
    assert _statuses(sessions) == {"failed": 2}


def test_a_sent_message_keeps_only_its_evidence(store_engine: sa.Engine, smtp_inbox: Inbox) -> None:
    sessions = session_factory(store_engine)
    _queue(sessions, 1, to="Anna.Smith@Example.COM")
    deliver(sessions, smtp_inbox.url, recipient_key=KEY, keep_sent=timedelta(0))
    assert "000000" in smtp_inbox.body(0)
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.status == "sent" and row.sent_at is not None and row.purged_at is not None
    assert row.body_text == "" and row.body_html is None and row.to_address == ""
    assert row.subject == "Message 0"
    assert row.to_digest == recipient_digest(KEY, " anna.smith@example.com")


def test_sent_bodies_are_kept_as_long_as_the_setting_says(
    store_engine: sa.Engine, smtp_inbox: Inbox
) -> None:
    sessions = session_factory(store_engine)
    _queue(sessions, 1)
    deliver(sessions, smtp_inbox.url, recipient_key=KEY, keep_sent=timedelta(days=7))
    with transaction(sessions) as session:
        assert purge_delivered(session, KEY, older_than=timedelta(days=7)) == 0
        row = session.scalars(select(OutboxMessage)).one()
        assert row.body_text and row.purged_at is None
        row.sent_at = utcnow() - timedelta(days=8)
    with transaction(sessions) as session:
        assert purge_delivered(session, KEY, older_than=timedelta(days=7)) == 1
    with sessions() as session:
        assert session.scalars(select(OutboxMessage)).one().body_text == ""


@pytest.mark.parametrize("scheme", ["smtp", "smtp+starttls", "smtps"])
def test_every_scheme_either_sends_or_says_why(
    store_engine: sa.Engine, smtp_inbox: Inbox, scheme: str
) -> None:
    """aiosmtpd here speaks plain SMTP: starttls and smtps must fail clearly, never silently."""
    sessions = session_factory(store_engine)
    _queue(sessions, 1)
    url = smtp_inbox.url.replace("smtp://", f"{scheme}://")
    report = deliver(sessions, url)
    if scheme == "smtp":
        assert report.sent == 1
    else:
        assert report.sent == 0 and report.retrying == 1 and report.error


class _Accounts:
    """aiosmtpd authenticator accepting one user."""

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login,
            auth_data.password,
        ) == (b"mailer", b"s3cret pass")
        return AuthResult(success=ok, handled=False)


def test_the_password_comes_from_a_secret_file_and_a_wrong_one_is_reported(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.controller import Controller

    from steward.config import Settings
    from steward.notify.jobs import deliver_with
    from steward.store.db import make_engine, upgrade

    from ...smtp_server import Inbox

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_Accounts(),
        auth_require_tls=False,
    )
    controller.start()
    try:
        url = f"sqlite:///{tmp_path / 'steward.db'}"
        engine = make_engine(url)
        upgrade(engine)
        _queue(session_factory(engine), 1)
        secret = tmp_path / "smtp-password"
        secret.write_text("wrong\n", encoding="utf-8")
        monkeypatch.setenv("STEWARD_SMTP_PASSWORD_FILE", str(secret))
        smtp_url = f"smtp://mailer@127.0.0.1:{controller.port}"
        refused = deliver_with(
            Settings(dev=True, database_url=url, smtp_url=smtp_url), session_factory(engine)
        )
        assert refused.sent == 0 and "refused the credentials (535)" in (refused.error or "")
        assert "wrong" not in (refused.error or "")
        secret.write_text("s3cret pass\n", encoding="utf-8")
        with transaction(session_factory(engine)) as session:
            session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        sent = deliver_with(
            Settings(dev=True, database_url=url, smtp_url=smtp_url), session_factory(engine)
        )
        assert sent.sent == 1
        inbox.wait(1)
        engine.dispose()
    finally:
        controller.stop()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subject=st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")),
        min_size=1,
        max_size=120,
    ).map(lambda s: " ".join(s.split()) or "x")
)
def test_a_subject_in_any_script_arrives_as_it_was_written(
    store_engine: sa.Engine, smtp_inbox: Inbox, subject: str
) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        queue(session, to="anna@example.com", subject=subject, text="x", kind="test")
    before = len(smtp_inbox.messages)
    assert deliver(sessions, smtp_inbox.url, sender="dpo@example.com").sent == 1
    smtp_inbox.wait(before + 1)
    assert smtp_inbox.messages[before]["Subject"] == subject
