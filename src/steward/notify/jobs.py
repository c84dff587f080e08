"""The outbox's periodic job: deliver what is due.

Fired by the scheduler every ``DELIVER_EVERY`` (for retries and for messages queued while no
worker ran) and enqueued by ``outbox.queue`` as soon as a message is committed, so a
verification code leaves within seconds. Sent mail kept ``STEWARD_OUTBOX_KEEP_SENT_DAYS`` is purged
by the hourly ``retention.own_data`` job (``retention/own_data.py``), which audits the counts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings, get_settings
from steward.jobs.registry import store_sessions
from steward.jobs.schedule import periodic
from steward.notify.delivery import Report, deliver
from steward.notify.outbox import OutboxMessage, queue
from steward.notify.smtp import where

DELIVER_EVERY = timedelta(seconds=30)


def send_test(
    sessions: sessionmaker[Session], settings: Settings, to: str, *, actor: str
) -> Report:
    """Queue a test e-mail to ``to`` and send it now (Settings' button); the outbox keeps it.

    Without SMTP it stays queued, and the report's ``error`` says so.
    """
    with sessions.begin() as session:
        message = queue(
            session,
            to=to,
            subject="Steward test e-mail",
            text=f"{actor} asked Steward to send this test e-mail from the Settings page.\n"
            f"If you read it, e-mail from Steward leaves through {where_of(settings)}.\n",
            kind="settings.test",
        )
        message_id = message.id
    if not settings.smtp_url:
        return Report(error="no SMTP server is configured (STEWARD_SMTP_URL)")
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    report = deliver(
        sessions,
        settings.smtp_url,
        sender=settings.mail_from,
        password=password,
        recipient_key=settings.identifier_key(),
        keep_sent=timedelta(days=settings.outbox_keep_sent_days),
        only=message_id,
    )
    if not report.sent and report.error is None:
        with sessions() as session:
            row = session.get(OutboxMessage, message_id)
            report.error = (row.error if row else None) or "the message was not sent"
    return report


def where_of(settings: Settings) -> str:
    return where(settings.smtp_url) if settings.smtp_url else "the outbox only"


def deliver_with(settings: Settings, sessions: sessionmaker[Session] | None = None) -> Report:
    """One delivery pass with ``settings``: send what is due."""
    sessions = sessions or store_sessions()
    key = settings.identifier_key()
    keep = timedelta(days=settings.outbox_keep_sent_days)
    if not settings.smtp_url:
        return Report()
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return deliver(
        sessions,
        settings.smtp_url,
        sender=settings.mail_from,
        password=password,
        recipient_key=key,
        keep_sent=keep,
    )


@periodic("outbox.deliver", every=DELIVER_EVERY)
def deliver_outbox() -> str:
    """Send queued e-mail over SMTP, retry with back-off."""
    settings = get_settings()
    report = deliver_with(settings, store_sessions())
    if not settings.smtp_url:
        return "no SMTP server configured: e-mail stays in the outbox"
    note = f"{report.sent} sent, {report.retrying} waiting to retry, {report.failed} failed"
    return f"{note}; {report.error}" if report.error else note
