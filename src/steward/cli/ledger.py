"""``steward ledger ...``: verify the consent ledger and the audit log; check a receipt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from steward.cli.store_access import StoreOption, read_store
from steward.config import get_settings
from steward.consent import ledger as consent_ledger
from steward.consent.identity import ConsentKeys
from steward.consent.receipts import b64url_decode, verify_receipt
from steward.ledger import audit
from steward.store.db import make_engine, session_factory

app = typer.Typer(help="The consent ledger and the audit log.", no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@app.command("verify")
def verify(store: StoreOption = None) -> None:
    """Recompute the hash chains of the consent ledger and the audit log, and the shown texts."""
    failed = False
    with read_store(store) as sessions, sessions() as session:
        for name, broken in (
            ("consent ledger", consent_ledger.verify(session)),
            ("audit log", audit.verify(session)),
        ):
            if broken is None:
                out.print(f"{name}: every entry verifies", markup=False)
            else:
                failed = True
                err.print(
                    f"{name}: entry {broken.entry_id} is broken: {broken.reason}", markup=False
                )
        for sha in consent_ledger.verify_artefacts(session):
            failed = True
            err.print(
                f"consent ledger: the shown text {sha[:12]} no longer matches its hash",
                markup=False,
            )
    if failed:
        raise typer.Exit(1)


@app.command("verify-receipt")
def verify_receipt_command(
    receipt: Annotated[Path, typer.Argument(help="A consent receipt JSON file.")],
    public_key: Annotated[
        str | None,
        typer.Option(help="The signer's public key (the 'x' of its JWK); default: this Steward's."),
    ] = None,
) -> None:
    """Check a consent receipt's Ed25519 signature."""
    try:
        document = json.loads(receipt.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        err.print(f"{receipt}: cannot read a receipt: {exc}", markup=False)
        raise typer.Exit(2) from None
    key = (
        b64url_decode(public_key)
        if public_key
        else ConsentKeys.from_settings(get_settings()).public_key_raw()
    )
    if verify_receipt(document, key):
        out.print(f"{receipt}: signature valid", markup=False)
    else:
        err.print(f"{receipt}: signature INVALID (altered, or signed by another key)", markup=False)
        raise typer.Exit(1)


@app.command("expire")
def expire() -> None:
    """Record an 'expired' event for every time-limited permission whose time ran out.

    Checks already answer no after the expiry; this makes the ledger say so explicitly and
    sends the withdrawal webhooks. Run it from cron (e.g. hourly).
    """
    from steward.consent.service import ConsentService
    from steward.consent.webhooks import deliver_pending
    from steward.register import load_register
    from steward.store.db import transaction
    from steward.store.registers import register_in_force

    settings = get_settings()
    sessions = session_factory(make_engine(settings.database_url))
    with sessions() as session:
        found = register_in_force(session)  # the same version the server runs on
    if found is None and settings.register_path is None:
        err.print(
            "no register is loaded: run `steward register load REGISTER` "
            "or set STEWARD_REGISTER_PATH",
            markup=False,
        )
        raise typer.Exit(2)
    register = found[0] if found else load_register(settings.register_path)  # type: ignore[arg-type]
    keys = ConsentKeys.from_settings(settings)
    service = ConsentService(register, keys, webhook_url=settings.consent_webhook_url)
    with transaction(sessions) as session:
        count = service.expire_due(session)
    out.print(f"{count} permission(s) expired", markup=False)
    if settings.consent_webhook_url:
        with transaction(sessions) as session:
            sent = deliver_pending(session, settings.consent_webhook_url, keys.webhook_secret)
        out.print(f"{sent} webhook(s) delivered", markup=False)
