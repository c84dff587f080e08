"""The outbox: every e-mail Steward sends, or would send, kept as a row.

    queue(session, to="a@example.com", subject="...", text="...", html=None,
          kind="request.receipt", lang="en", related="request:42")

A queued message leaves by itself: when the transaction that queued it commits, Steward enqueues
the ``outbox.deliver`` job (``notify/delivery.py``), which the scheduler also fires periodically
for retries. With no SMTP server configured (the embedded default) messages stay ``queued`` and
the admin Outbox page shows them.

Statuses: ``queued`` (waiting, maybe for its next attempt), ``sending`` (claimed by one
deliverer), ``sent``, ``failed`` (refused for good, or out of attempts). Once sent, a message is
purged down to what the evidence needs: kind, subject, language, related object, sent-at and a
keyed digest of the recipient (``STEWARD_OUTBOX_KEEP_SENT_DAYS``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formatdate, make_msgid

from sqlalchemy import Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.store.tables import Base, UtcDateTime, utcnow

SENDER_DEFAULT = "steward@localhost"
_QUEUED = "steward.outbox.queued"
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP
log = logging.getLogger("steward.notify")


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
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    claim: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    to_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    @property
    def purged(self) -> bool:
        return self.purged_at is not None


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
    """Add a message; it is handed to delivery when ``session``'s transaction commits."""
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
    session.info[_QUEUED] = True
    return message


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    if session.info.pop(_QUEUED, False):
        kick()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_QUEUED, None)


def kick() -> None:
    """Enqueue a delivery attempt now, when SMTP is configured; never fails the caller."""
    from steward.config import get_settings

    try:
        if not get_settings().smtp_url:
            return
        from steward.jobs.registry import enqueue

        enqueue("outbox.deliver")
    except Exception:  # the periodic job delivers it later; the message is safe in the store
        log.warning("could not enqueue e-mail delivery now; the scheduler will", exc_info=True)


def to_email(message: OutboxMessage, sender: str) -> Message:
    """The MIME message for ``message``: UTF-8 text (and HTML) in quoted-printable.

    Built with the classic ``email.mime`` classes, about eight times cheaper than
    ``EmailMessage`` with the modern policy, which is most of a message's cost on one
    connection to a local server.
    """
    text = _part(message.body_text, "plain")
    email: Message = text
    if message.body_html:
        email = MIMEMultipart("alternative")
        email.attach(text)
        email.attach(_part(message.body_html, "html"))
    email["From"] = sender
    email["To"] = _address(message.to_address)
    email["Subject"] = _header(message.subject)  # type: ignore[assignment]
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    return email


def _part(body: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(body, _UTF8)
    return part


def _header(value: str) -> str | Header:
    """A header value; a non-ASCII one as a ``Header``, folded by the generator knowing the
    field's name (an encoded string would be re-folded after ``Subject:``, and arrive with a
    leading space)."""
    return value if value.isascii() else Header(value, "utf-8", header_name="Subject")


def _address(address: str) -> str:
    """An address the SMTP server accepts: a non-ASCII domain in its IDNA form."""
    local, _, domain = address.rpartition("@")
    if domain and not domain.isascii():
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    return address
