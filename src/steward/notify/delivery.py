"""Delivering the outbox over SMTP: claimed in batches, one connection per batch, retried.

    report = deliver(sessions, smtp_url, sender="dpo@example.com", recipient_key=key)
    report.sent, report.retrying, report.failed
    purge_delivered(session, recipient_key, older_than=timedelta(0))

``deliver`` claims up to ``batch`` due messages with one conditional UPDATE (``status`` still
``queued`` and due, or ``sending`` under a claim older than ``CLAIM_SECONDS``: a deliverer that
died), so two processes never hold the same message; it sends the batch on one connection and
records the outcomes every ``COMMIT_EVERY`` messages. A refused message (a 5xx reply about it)
is ``failed`` at once; a transient failure (server down, 4xx) puts it back with an exponential
back-off until ``MAX_ATTEMPTS``. Delivery is at-least-once: a process killed between the
server's 250 and the commit of ``sent`` sends those messages again when their claim runs out.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward.lib.identifiers import normalise_email
from steward.lib.signing import identifier_digest
from steward.notify.outbox import SENDER_DEFAULT, OutboxMessage, to_email
from steward.notify.smtp import SmtpError, connect, describe, permanent
from steward.store.tables import utcnow

log = logging.getLogger("steward.notify")
BATCH = 200
MAX_ATTEMPTS = 10
CLAIM_SECONDS = 600
FIRST_RETRY_SECONDS = 30
LAST_RETRY_SECONDS = 3600
COMMIT_EVERY = 50  # outcomes per commit: a crash re-sends at most these when their claim ends


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    error: str | None = None  # why a batch could not be sent at all (server unreachable)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min ... at most an hour."""
    return timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LAST_RETRY_SECONDS)
    )


def recipient_digest(key: bytes, address: str) -> str:
    """The keyed digest kept as evidence of who a purged message went to."""
    return identifier_digest(key, "email", normalise_email(address) or "")


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            OutboxMessage.status == "queued",
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        ),
        and_(
            OutboxMessage.status == "sending",
            OutboxMessage.claimed_at < now - timedelta(seconds=CLAIM_SECONDS),
        ),
    )


def claim(
    session: Session, limit: int, now: datetime | None = None, *, only: int | None = None
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages (or just message ``only``) for this caller; commits,
    returns them oldest first."""
    now = now or utcnow()
    query = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
    if only is not None:
        query = query.where(OutboxMessage.id == only)
    ids = list(session.scalars(query))
    if not ids:
        return []
    token = uuid.uuid4().hex
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), _due(now))  # re-checked: another claimer may have won
        .values(status="sending", claim=token, claimed_at=now, attempts=OutboxMessage.attempts + 1),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.claim == token).order_by(OutboxMessage.id)
        )
    )


def _retry_or_fail(message: OutboxMessage, reason: str, now: datetime, report: Report) -> None:
    message.claim = None
    message.error = reason[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        report.failed += 1
    else:
        message.status = "queued"
        message.next_attempt_at = now + backoff(message.attempts)
        report.retrying += 1


def _mark_sent(message: OutboxMessage, key: bytes | None, keep: timedelta | None) -> None:
    message.status, message.sent_at, message.error, message.claim = "sent", utcnow(), None, None
    if key is not None and keep is not None and keep <= timedelta(0):
        purge(message, key)


def purge(message: OutboxMessage, key: bytes) -> None:
    """Cut ``message`` down to the evidence: the recipient becomes a keyed digest, no body."""
    if message.purged_at is not None:
        return
    message.to_digest = recipient_digest(key, message.to_address)
    message.to_address = ""
    message.body_text = ""
    message.body_html = None
    message.purged_at = utcnow()


def deliver(
    sessions: sessionmaker[Session],
    smtp_url: str,
    *,
    sender: str = SENDER_DEFAULT,
    password: str | None = None,
    recipient_key: bytes | None = None,
    keep_sent: timedelta | None = None,
    batch: int = BATCH,
    only: int | None = None,
) -> Report:
    """Send every due message; returns what happened. Safe to run in several processes at once.

    With ``recipient_key`` and ``keep_sent`` of zero, each message is purged as it is sent.
    """
    report = Report()
    with sessions() as session:
        while messages := claim(session, batch, only=only):
            try:
                client = connect(smtp_url, password=password)
            except SmtpError as exc:
                now = utcnow()
                for message in messages:
                    _retry_or_fail(message, str(exc), now, report)
                session.commit()
                report.error = str(exc)
                log.warning("e-mail not sent: %s; %d message(s) wait", exc, len(messages))
                return report
            try:
                for done, message in enumerate(messages):
                    if not _send_one(client, message, sender, recipient_key, keep_sent, report):
                        # the connection broke: the rest of the batch waits for the next try
                        now = utcnow()
                        for rest in messages[done + 1 :]:
                            _retry_or_fail(rest, "the SMTP connection was lost", now, report)
                        session.commit()
                        report.error = "the SMTP connection was lost"
                        return report
                    if done % COMMIT_EVERY == COMMIT_EVERY - 1:
                        session.commit()
                session.commit()
            finally:
                try:
                    client.quit()
                except (OSError, smtplib.SMTPException):
                    client.close()
            if len(messages) < batch:
                break
    return report


def _send_one(
    client: smtplib.SMTP,
    message: OutboxMessage,
    sender: str,
    key: bytes | None,
    keep: timedelta | None,
    report: Report,
) -> bool:
    """Send one claimed message and record its outcome (the caller commits); False when the
    connection broke."""
    try:
        client.send_message(to_email(message, sender))
    except (OSError, smtplib.SMTPException) as exc:
        if permanent(exc):
            message.status, message.error, message.claim = "failed", describe(exc), None
            report.failed += 1
        else:
            _retry_or_fail(message, describe(exc), utcnow(), report)
        # SMTPException is an OSError too: a reply about this message, not a broken connection.
        return not (
            isinstance(exc, smtplib.SMTPServerDisconnected)
            or not isinstance(exc, smtplib.SMTPException)
        )
    _mark_sent(message, key, keep)
    report.sent += 1
    return True


def purge_delivered(session: Session, key: bytes, *, older_than: timedelta) -> int:
    """Purge sent and failed messages older than ``older_than``; returns how many."""
    cutoff = utcnow() - older_than
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.purged_at.is_(None),
            or_(
                and_(OutboxMessage.status == "sent", OutboxMessage.sent_at <= cutoff),
                and_(OutboxMessage.status == "failed", OutboxMessage.created_at <= cutoff),
            ),
        )
    ).all()
    for message in rows:
        purge(message, key)
    return len(rows)
