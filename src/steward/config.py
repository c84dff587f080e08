"""Steward's settings, read from ``STEWARD_*`` environment variables in one place.

Every setting may also come from a file named by ``STEWARD_<NAME>_FILE`` (for secrets mounted
by an orchestrator). ``docs/configuration.md`` documents each one; a test keeps them in step.
"""

from __future__ import annotations

import os
import secrets
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from steward.env_setting import DEFAULT_BASE_URL, setting_file

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused outside dev mode
_SECRET_OPTIONAL: ContextVar[bool] = ContextVar("steward_secret_optional", default=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STEWARD_", extra="ignore")

    database_url: str = Field(
        "sqlite:///steward.db",
        description="Steward's own store: a SQLAlchemy URL (SQLite file or PostgreSQL).",
    )
    register_path: Path | None = Field(
        None, description="Path of the operator's register YAML that the server loads."
    )
    secret_key: SecretStr = Field(
        SecretStr(DEV_SECRET),
        description="Key for signed links, sessions and CSRF tokens. Required outside dev mode.",
    )
    dev: bool = Field(False, description="Development mode: allows the built-in secret key.")
    base_url: str = Field(
        DEFAULT_BASE_URL, description="Public URL of this Steward, used in e-mailed links."
    )
    broker_url: str | None = Field(
        None, description="Celery broker (Redis or RabbitMQ). Unset: jobs run in-process."
    )
    job_lease_seconds: int = Field(
        600,
        ge=1,
        description="How long a worker may hold a request before another worker may take it "
        "over; also the broker's visibility timeout.",
    )
    job_queue: str = Field(
        "steward",
        max_length=100,
        description="Name of the broker queue Steward's jobs go to and `steward worker` reads.",
    )
    requests_remind_days: int = Field(
        3, ge=0, le=60, description="Days before a request's deadline its reminders start."
    )
    requests_self_approval: bool = Field(
        False,
        description="Let the person who asked for approval of an erasure, restriction or "
        "rectification approve it themselves (a one-person team); off: another approver decides.",
    )
    smtp_url: str | None = Field(
        None,
        description="smtp://user@host:port for outgoing e-mail. Unset: e-mail stays in the outbox.",
    )
    smtp_password: SecretStr | None = Field(
        None,
        description="Password of the SMTP user the URL names, when the URL carries none.",
    )
    mail_from: str = Field(
        "steward@localhost", description="The From address of every e-mail Steward sends."
    )
    outbox_keep_sent_days: int = Field(
        0,
        ge=0,
        le=3650,
        description="Days a sent e-mail keeps its recipient and body before they are purged "
        "down to a recipient digest, subject and sent-at (0: purged once sent).",
    )
    retention_codes_days: int = Field(
        1,
        ge=0,
        le=365,
        description="Days a used or expired verification code (its keyed hash) is kept before "
        "it is deleted.",
    )
    retention_attachments_days: int = Field(
        1095,
        ge=1,
        le=3650,
        description="Days after a request is closed that its attachments (signed scans) are "
        "kept; then deleted, their SHA-256 and size left in the request's timeline.",
    )
    retention_acts_days: int = Field(
        1095,
        ge=1,
        le=36500,
        description="Days a destruction act (a retention sweep's run with its act and event-log "
        "extract) is kept after the sweep; then deleted, its SHA-256 left in the audit log. "
        "RKN Order 179 asks three years (1095).",
    )
    sms_gateway_url: str | None = Field(
        None,
        description="The operator's HTTP SMS gateway (POST JSON {to, text}). Unset: letters "
        "meant for a phone go to a call list for agents.",
    )
    sms_gateway_token: SecretStr | None = Field(
        None, description="Bearer token sent to the SMS gateway."
    )
    log_level: str = Field("INFO", description="Python logging level.")
    consent_signing_key: SecretStr | None = Field(
        None,
        description="Ed25519 private key (PEM) that signs consent receipts; "
        "unset: derived from the secret key.",
    )
    consent_identifier_key: SecretStr | None = Field(
        None,
        description="Key of the HMAC that hashes subject identifiers in the consent ledger; "
        "unset: derived from the secret key. Changing it makes stored identifiers unfindable.",
    )
    consent_webhook_url: str | None = Field(
        None, description="The operator's URL that receives signed consent-withdrawal webhooks."
    )
    consent_webhook_secret: SecretStr | None = Field(
        None,
        description="Shared secret signing consent webhooks; unset: derived from the secret key.",
    )
    consent_cookie_name: str = Field(
        "steward_consent", description="Name of the first-party cookie holding banner choices."
    )
    consent_cookie_domain: str | None = Field(
        None,
        description="Domain of the consent cookie (e.g. .example.com to share it with the site).",
    )
    consent_cookie_days: int = Field(
        365, ge=1, le=400, description="Lifetime of the consent cookie in days (browsers cap 400)."
    )
    consent_origins: list[str] = Field(
        default_factory=list,
        description="Origins of the operator's sites allowed to post banner choices (CORS).",
    )
    consent_policy_url: str | None = Field(
        None, description="URL of the privacy notice named in consent receipts."
    )
    requests_attachment_max_bytes: int = Field(
        5 * 1024 * 1024,
        ge=1024,
        description="Largest attachment (a signed scan) a request form accepts, in bytes.",
    )
    body_max_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        description="Largest request body (JSON, form or multipart) accepted, in bytes; a "
        "larger one is refused (413) before it is read.",
    )
    upload_max_bytes: int = Field(
        64 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted by the forms that take a file (a request's "
        "scan, an agent's result file), in bytes.",
    )
    body_timeout_seconds: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="Seconds a request body may take to arrive in full; a slower one is cut "
        "off (408) and its connection closed.",
    )
    requests_result_link_days: int = Field(
        7, ge=1, le=90, description="Days a subject's result download link stays valid."
    )
    requests_timezone: str = Field(
        "UTC",
        description="IANA time zone in which a request's day of receipt is counted, "
        "e.g. Europe/Moscow for an operator under 152-FZ.",
    )
    requests_operator_secret: SecretStr | None = Field(
        None,
        description="Shared secret with which the operator's backend signs identity assertions.",
    )
    totp_roles: str = Field(
        "owner,dpo",
        description="Roles that must set up a second factor (TOTP) before using the admin, "
        "comma-separated; empty: none (the demo only). The settings page can require it of all.",
    )
    rate_limit_store: str = Field(
        "memory",
        description="Where rate-limit counts live: memory (this process), store (Steward's "
        "database) or a redis:// URL. Use store or Redis when several processes serve.",
    )
    rate_limit_prefix: str = Field(
        "steward", description="Prefix of rate-limit keys, so Stewards sharing a Redis differ."
    )
    rate_limit_per_minute: int = Field(
        300,
        ge=1,
        description="Requests per minute one client address may make without signing in.",
    )

    @model_validator(mode="before")
    @classmethod
    def _read_secret_files(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name in cls.model_fields:
            file_var = f"STEWARD_{name.upper()}_FILE"
            if name not in data and file_var in os.environ:
                data[name] = setting_file(file_var)
        return data

    def identifier_key(self) -> bytes:
        """The key of identifier digests (``lib.signing.identifier_key``): the consent
        ledger's, the restriction list's, the disclosure log's and the outbox's, so that one
        person's digests are the same everywhere."""
        from steward.lib.signing import identifier_key

        explicit = self.consent_identifier_key
        return identifier_key(
            self.secret_key.get_secret_value(), explicit.get_secret_value() if explicit else None
        )

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if not self.dev and self.secret_key.get_secret_value() == DEV_SECRET:
            if _SECRET_OPTIONAL.get():
                # A command that signs nothing: a throw-away key, so anything signed with it
                # by mistake verifies nowhere else (never the public built-in one).
                self.secret_key = SecretStr(secrets.token_urlsafe(48))
                return self
            raise ValueError(
                "STEWARD_SECRET_KEY is not set; set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or set STEWARD_DEV=1 for local development"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings; refuses the built-in secret key outside dev mode."""
    return Settings()


def settings_without_secret() -> Settings:
    """The settings for commands that sign and verify nothing (render a notice, verify a chain).

    They run without ``STEWARD_SECRET_KEY``; when it is unset the secret is a random key of this
    process, so nothing they might sign could be trusted by another.
    """
    token = _SECRET_OPTIONAL.set(True)
    try:
        return Settings()
    finally:
        _SECRET_OPTIONAL.reset(token)
