"""Talking to the SMTP server: the URL, one connection, and what a failure means.

    with connect(url, password=None) as client:     # smtp://, smtps://, smtp+starttls://
        client.send_message(email)
    probe(url)          # connect, EHLO, NOOP, QUIT; raises SmtpError saying what is wrong
    permanent(exc)      # True when sending this message again cannot help (a 5xx reply)

Credentials come from the URL (``smtp://user:password@host:587``) or, when the URL names only
the user, from ``STEWARD_SMTP_PASSWORD`` (or ``STEWARD_SMTP_PASSWORD_FILE``). They are never
logged: errors name the host and the SMTP reply code, not the URL.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
TIMEOUT = 30.0


class _Smtps(smtplib.SMTP_SSL):
    """SMTP over TLS whose plain socket is closed when the TLS handshake fails."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection((host, port), timeout, self.source_address)
        try:
            return self.context.wrap_socket(raw, server_hostname=host)
        except BaseException:
            raw.close()
            raise


class SmtpError(Exception):
    """The SMTP server could not be reached or refused us; ``retryable`` says if later may help."""

    retryable = True


def where(url: str) -> str:
    """``host:port`` of ``url``, safe to show (no credentials)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or SCHEMES.get(parts.scheme, 25)}"


def connect(url: str, *, password: str | None = None, timeout: float = TIMEOUT) -> smtplib.SMTP:
    """An open, authenticated connection to the server ``url`` names; the caller closes it."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(
            f"STEWARD_SMTP_URL starts with {parts.scheme or 'nothing'}://; "
            "use smtp://, smtps:// or smtp+starttls://"
        )
    host, port = parts.hostname or "localhost", parts.port or SCHEMES[parts.scheme]
    client: smtplib.SMTP = (
        _Smtps(timeout=timeout, context=ssl.create_default_context())
        if parts.scheme == "smtps"
        else smtplib.SMTP(timeout=timeout)
    )
    try:
        client.connect(host, port)
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            secret = unquote(parts.password) if parts.password is not None else password
            client.login(unquote(parts.username), secret or "")
    except smtplib.SMTPAuthenticationError as exc:
        client.close()
        raise SmtpError(
            f"the SMTP server {host}:{port} refused the credentials ({exc.smtp_code})"
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        client.close()
        raise SmtpError(
            f"cannot reach the SMTP server {host}:{port}: {type(exc).__name__}"
        ) from exc
    return client


def probe(url: str, *, password: str | None = None, timeout: float = 5.0) -> None:
    """Connect, authenticate and say goodbye; raises :class:`SmtpError` when that fails."""
    client = connect(url, password=password, timeout=timeout)
    try:
        code, _ = client.noop()
        if code != 250:
            raise SmtpError(f"the SMTP server {where(url)} answered NOOP with {code}")
    except (OSError, smtplib.SMTPException) as exc:
        raise SmtpError(f"the SMTP server {where(url)} hung up: {type(exc).__name__}") from exc
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def permanent(exc: BaseException) -> bool:
    """True when the server refused this message for good (a 5xx reply about it)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def describe(exc: BaseException) -> str:
    """A short reason for the outbox row: the error's class and SMTP code, no addresses."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return f"recipient refused ({', '.join(str(c) for c in codes)})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} ({exc.smtp_code})"
    return str(exc)[:200] if isinstance(exc, SmtpError) else type(exc).__name__
