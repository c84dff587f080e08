"""The outbox's periodic job: deliver what is due, purge what was delivered.

Fired by the scheduler every ``DELIVER_EVERY`` (for retries and for messages queued while no
worker ran) and enqueued by ``outbox.queue`` as soon as a message is committed, so a
verification code leaves within seconds.
"""

from __future__ import annotations

from datetime import timedelta

from steward.config import Settings, get_settings
from steward.jobs.schedule import periodic
from steward.lib.signing import identifier_key
from steward.notify.delivery import Report, deliver, purge_delivered
from steward.store.db import shared_sessions

DELIVER_EVERY = timedelta(seconds=30)


def recipient_key(settings: Settings) -> bytes:
    explicit = settings.consent_identifier_key
    return identifier_key(
        settings.secret_key.get_secret_value(),
        explicit.get_secret_value() if explicit else None,
    )


def deliver_with(settings: Settings) -> Report:
    """One delivery pass with ``settings``: purge what is old enough, then send what is due."""
    sessions = shared_sessions(settings.database_url)
    key = recipient_key(settings)
    keep = timedelta(days=settings.outbox_keep_sent_days)
    with sessions.begin() as session:
        purge_delivered(session, key, older_than=keep)
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
def deliver_outbox() -> None:
    """Send queued e-mail over SMTP, retry with back-off, purge what was delivered."""
    deliver_with(get_settings())
