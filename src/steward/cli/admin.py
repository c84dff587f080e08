"""``steward admin ...``: accounts from the command line (the first owner, recovery)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console

from steward.accounts.people import AccountError, create_person, find_person, set_password
from steward.accounts.sessions import revoke_all
from steward.accounts.tables import ROLES, Person
from steward.config import get_settings
from steward.ledger.audit import record
from steward.store.db import make_engine, session_factory, transaction, upgrade

app = typer.Typer(help="People who use the admin app.", no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
ACTOR = "cli"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="E-mail address the person signs in with.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "owner",
    name: Annotated[str, typer.Option(help="Name shown in the admin app.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    exists_ok: Annotated[
        bool, typer.Option("--exists-ok", help="Succeed without change if the account exists.")
    ] = False,
) -> None:
    """Create an account (the first owner, typically); the password is asked twice."""
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    if exists_ok:
        with session_factory(engine)() as session:
            if (existing := find_person(session, email)) is not None:
                out.print(f"{existing.email} already has an account", markup=False)
                engine.dispose()
                return
    password = _password(password_stdin)
    try:
        with transaction(session_factory(engine)) as session:
            person = create_person(session, email, role=role, password=password, name=name)
            record(
                session,
                actor=ACTOR,
                action="person.create",
                object_type="person",
                object_id=person.id,
                details={"role": role},
            )
            out.print(f"created {person.email} ({person.role})", markup=False)
    except AccountError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _reset(email: str, action: str, change: Callable[[Person], str]) -> None:
    """Apply ``change`` to the account of ``email``, end its sessions and audit ``action``;
    prints what ``change`` returns; exit 1 when there is no such account."""
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    try:
        with transaction(session_factory(engine)) as session:
            person = find_person(session, email)
            if person is None:
                raise AccountError(f"no account for {email.strip()[:100]}")
            said = change(person)
            revoke_all(session, person.id)
            record(session, actor=ACTOR, action=action, object_type="person", object_id=person.id)
            out.print(said, markup=False)
    except AccountError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@app.command("reset-password")
def reset_password(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a new password, unlock the account and sign it out everywhere."""
    password = _password(password_stdin)

    def change(person: Person) -> str:
        set_password(person, password)
        return f"password of {person.email} changed; its sessions were ended"

    _reset(email, "person.password_reset", change)


@app.command("reset-totp")
def reset_totp(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")],
) -> None:
    """Remove an account's second factor and sign it out everywhere; it sets up a new one at
    its next sign-in (e.g. after STEWARD_SECRET_KEY changed: the stored ones no longer open)."""

    def change(person: Person) -> str:
        person.totp_secret = None
        person.totp_enabled = False
        person.totp_last_step = 0
        person.failed_totp = 0
        person.totp_locked_until = None
        return (
            f"second factor of {person.email} removed; its sessions were ended; it sets up "
            "a new one at its next sign-in"
        )

    _reset(email, "person.totp_reset", change)
