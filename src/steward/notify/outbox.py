"""The outbox: every e-mail Steward sends, or would send, kept as a row.

    queue(session, to="a@example.com", subject="...", text="...", html=None,
          kind="request.receipt", lang="en", related="request:42")
    deliver_pending(session, smtp_url)   # sends queued mail when SMTP is configured

With no SMTP server configured (the embedded default) messages stay ``queued`` and the
admin Outbox page shows them. Delivery claims each row before sending, so two senders never
send the same message twice.
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from sqlalchemy import Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow

SENDER_DEFAULT = "steward@localhost"


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(80), index=True)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    related: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)


def queue(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    kind: str,
    html: str | None = None,
    lang: str = "en",
    related: str | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=kind,
        lang=lang,
        related=related,
        status="queued",
        attempts=0,
    )
    session.add(message)
    session.flush()
    return message


def _smtp(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError("STEWARD_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://")
    host, port = parts.hostname or "localhost", parts.port
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port or 465, timeout=30)
    else:
        client = smtplib.SMTP(host, port or 25, timeout=30)
        if parts.scheme == "smtp+starttls":
            client.starttls()
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def to_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def deliver_pending(session: Session, smtp_url: str, sender: str = SENDER_DEFAULT) -> int:
    """Send queued messages; returns how many were sent. Failures stay queued with the error."""
    ids = session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == "queued").order_by(OutboxMessage.id)
    ).all()
    if not ids:
        return 0
    sent = 0
    with _smtp(smtp_url) as client:
        for message_id in ids:
            claimed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued")
                .values(status="sending", attempts=OutboxMessage.attempts + 1)
            )
            session.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another sender took it
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            try:
                client.send_message(to_email(message, sender))
            except smtplib.SMTPException as exc:
                message.status, message.error = "queued", type(exc).__name__
            else:
                message.status, message.sent_at, message.error = "sent", utcnow(), None
                sent += 1
            session.commit()
    return sent
