"""Start-up self-checks with stable ids: ``steward doctor`` prints them, scripts can grep them.

    for result in run_checks(settings):
        print(result.id, result.level, result.message, result.hint)

Ids never change meaning; a retired check's id is not reused. Levels: ``ok``, ``warning``
(works, but not as production should), ``error`` (Steward will not work as configured).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from steward.config import DEV_SECRET, Settings


@dataclass(frozen=True, slots=True)
class CheckResult:
    id: str
    level: str
    message: str
    hint: str = ""


def run_checks(settings: Settings) -> Iterator[CheckResult]:
    secret = settings.secret_key.get_secret_value()
    if secret == DEV_SECRET:
        yield CheckResult(
            "S001",
            "warning" if settings.dev else "error",
            "the built-in development secret key is in use",
            "set STEWARD_SECRET_KEY to a long random value",
        )
    elif len(secret) < 32:
        yield CheckResult(
            "S001",
            "warning",
            "STEWARD_SECRET_KEY is shorter than 32 characters",
            "use python -c 'import secrets; print(secrets.token_urlsafe(48))'",
        )
    else:
        yield CheckResult("S001", "ok", "secret key set")

    if settings.base_url.startswith("https://"):
        yield CheckResult("S002", "ok", "served over HTTPS: secure cookies and HSTS are on")
    else:
        yield CheckResult(
            "S002",
            "warning" if not settings.dev else "ok",
            f"STEWARD_BASE_URL is {settings.base_url}, not https://",
            "serve Steward behind HTTPS and set STEWARD_BASE_URL accordingly",
        )

    yield from _store_checks(settings)

    if settings.smtp_url:
        yield _smtp_check(settings)
    else:
        yield CheckResult(
            "M001",
            "warning",
            "no SMTP server: e-mail stays in the outbox",
            "set STEWARD_SMTP_URL to send invitations and replies",
        )

    if settings.register_path is None:
        yield CheckResult(
            "R001",
            "warning",
            "no register configured",
            "set STEWARD_REGISTER_PATH to the operator's register YAML",
        )
    else:
        from steward.register import check_file

        result = check_file(settings.register_path)
        if result.ok:
            yield CheckResult("R001", "ok", f"register {settings.register_path} loads")
        else:
            yield CheckResult(
                "R001",
                "error",
                f"register {settings.register_path} has {len(result.errors)} error(s)",
                f"run: steward check {settings.register_path}",
            )


def _store_checks(settings: Settings) -> Iterator[CheckResult]:
    """D001, D002, A001: the store answers, is migrated, and someone can sign in."""
    from alembic.script import ScriptDirectory

    from steward.accounts.tables import Person
    from steward.store.db import alembic_config, current_revisions, make_engine, session_factory

    engine = make_engine(settings.database_url)
    try:
        try:
            current = current_revisions(engine)
        except Exception as exc:  # any driver error means the same thing to the operator
            yield CheckResult(
                "D001",
                "error",
                f"the store is unreachable: {type(exc).__name__}",
                "check STEWARD_DATABASE_URL and that the server runs",
            )
            return
        yield CheckResult("D001", "ok", f"store reachable ({engine.dialect.name})")
        heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
        if current != heads:
            yield CheckResult(
                "D002", "error", "the store's schema is not up to date", "run: steward db upgrade"
            )
            return
        yield CheckResult("D002", "ok", "migrations applied")
        with session_factory(engine)() as session:
            owners = session.scalar(
                select(func.count())
                .select_from(Person)
                .where(Person.role == "owner", Person.active)
            )
        if owners:
            yield CheckResult("A001", "ok", f"{owners} active owner account(s)")
        else:
            yield CheckResult(
                "A001",
                "error",
                "no owner account: nobody can sign in",
                "run: steward admin create EMAIL --role owner",
            )
    finally:
        engine.dispose()


def _smtp_check(settings: Settings) -> CheckResult:
    """M001: connect, authenticate and NOOP, so "configured" means "e-mail will leave"."""
    from steward.notify.smtp import SmtpError, probe, where

    assert settings.smtp_url is not None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        probe(settings.smtp_url, password=password)
    except (SmtpError, ValueError) as exc:
        return CheckResult(
            "M001",
            "error",
            f"SMTP is configured but e-mail cannot leave: {exc}",
            "check STEWARD_SMTP_URL (scheme, host, port, user) and that the server runs",
        )
    return CheckResult("M001", "ok", f"SMTP server {where(settings.smtp_url)} accepts us")
