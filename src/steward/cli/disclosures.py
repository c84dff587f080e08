"""``steward disclosures ...``: the disclosure log from the shell.

steward disclosures record --recipient service-providers --category contact.email \\
    --on 2026-11-30 --email anna@example.com          one disclosure (audited)
steward disclosures list [--recipient R] [--email E] [--json]

The recipient, categories and purpose are checked against the register (``--register``, else
``STEWARD_REGISTER_PATH``, else the register in force in the store); the subject's identifiers
are kept only as the ledger's keyed digests and never printed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="The disclosure log: each disclosure of a subject's data to a recipient.",
    no_args_is_help=True,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
ACTOR = "cli"

RegisterOption = Annotated[
    Path | None,
    typer.Option(
        "--register", help="Register YAML (default: STEWARD_REGISTER_PATH, else the one in force)."
    ),
]


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"{option} {value!r} is not a date; write it as YYYY-MM-DD", markup=False)
        raise typer.Exit(2) from None


def _setup(path: Path | None) -> tuple[Any, Any, Any]:
    """The session factory, the register and the settings."""
    from steward.config import get_settings
    from steward.register import RegisterError
    from steward.store.db import make_engine, session_factory, transaction, upgrade
    from steward.store.registers import record_register, stored_register

    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    chosen = path or settings.register_path
    with transaction(sessions) as session:
        try:
            register = record_register(session, chosen)[0] if chosen else stored_register(session)
        except RegisterError as exc:
            for problem in exc.problems:
                err.print(problem.format(), markup=False)
            raise typer.Exit(1) from None
    if register is None:
        err.print("no register: pass --register FILE or set STEWARD_REGISTER_PATH", markup=False)
        raise typer.Exit(1)
    return sessions, register, settings


@app.command("record")
def record_command(
    recipient: Annotated[str, typer.Option("--recipient", help="A recipient id of the register.")],
    category: Annotated[
        list[str], typer.Option("--category", help="A category id disclosed (repeat it).")
    ],
    on: Annotated[str, typer.Option("--on", help="The day of the disclosure (YYYY-MM-DD).")],
    email: Annotated[str | None, typer.Option("--email", help="The subject's e-mail.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="The subject's telephone.")] = None,
    account_id: Annotated[
        str | None, typer.Option("--account-id", help="The subject's account id.")
    ] = None,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="A purpose id of the register.")
    ] = None,
    reference: Annotated[
        str, typer.Option("--reference", help="Your reference (no personal data).")
    ] = "",
    register: RegisterOption = None,
) -> None:
    """Record one disclosure of a subject's data to a recipient of the register."""
    from steward.requests import disclosures
    from steward.store.db import transaction

    when = _date(on, "--on")
    assert when is not None
    sessions, loaded, settings = _setup(register)
    try:
        with transaction(sessions) as session:
            row = disclosures.record(
                session,
                loaded,
                settings.identifier_key(),
                recipient=recipient,
                categories=category,
                disclosed_on=when,
                identifiers={"email": email, "phone": phone, "account-id": account_id},
                purpose=purpose,
                reference=reference,
                actor=ACTOR,
            )
            out.print(
                f"recorded disclosure {row.id}: {row.recipient}, {len(row.category_ids)} "
                f"categor{'y' if len(row.category_ids) == 1 else 'ies'}, "
                f"{row.disclosed_on.isoformat()}",
                markup=False,
            )
    except disclosures.DisclosureError as exc:
        err.print(f"error: {exc}; nothing was recorded", markup=False)
        raise typer.Exit(1) from None


@app.command("list")
def list_command(
    recipient: Annotated[
        str | None, typer.Option("--recipient", help="Only this recipient.")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="Only this subject's.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Only this subject's.")] = None,
    account_id: Annotated[
        str | None, typer.Option("--account-id", help="Only this subject's.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this day.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Up to this day.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
    register: RegisterOption = None,
) -> None:
    """Recorded disclosures, newest first (identifiers are never printed)."""
    from steward.requests import disclosures
    from steward.store.db import transaction

    first, last = _date(since, "--since"), _date(until, "--until")
    sessions, loaded, settings = _setup(register)
    given = {"email": email, "phone": phone, "account-id": account_id}
    try:
        subject = (
            disclosures.digests(settings.identifier_key(), given, loaded.operator.country)
            if any(given.values())
            else None
        )
    except disclosures.DisclosureError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    with transaction(sessions) as session:
        rows = disclosures.listing(
            session, recipient=recipient, since=first, until=last, subject=subject, limit=None
        )
        if as_json:
            for row in rows:
                out.print(
                    json.dumps(
                        {
                            "id": row.id,
                            "recipient": row.recipient,
                            "categories": row.category_ids,
                            "purpose": row.purpose,
                            "disclosed_on": row.disclosed_on.isoformat(),
                            "identifiers": row.identifier_kinds,
                            "reference": row.reference,
                        },
                        ensure_ascii=False,
                    ),
                    markup=False,
                )
            return
        table = Table(title="Disclosures")
        for column in ("id", "on", "recipient", "categories", "purpose", "identifiers"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                str(row.id),
                row.disclosed_on.isoformat(),
                row.recipient,
                ", ".join(row.category_ids),
                row.purpose or "-",
                ", ".join(row.identifier_kinds),
            )
        out.print(table)
