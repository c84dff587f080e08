"""``steward audit ...``: verify and export the hash-chained audit log."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import func, select

from steward.cli.store_access import StoreOption, read_store
from steward.ledger.audit import AuditEntry, verify
from steward.ledger.audit_query import AuditFilter, iter_filtered, to_csv, to_jsonl

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@app.command("verify")
def audit_verify(store: StoreOption = None) -> None:
    """Recompute the chain; name the first broken entry and exit 1 if there is one."""
    with read_store(store) as sessions, sessions() as session:
        broken = verify(session)
        count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    if broken is not None:
        err.print(f"audit log broken at entry {broken.entry_id}: {broken.reason}", markup=False)
        raise typer.Exit(1)
    out.print(f"audit log intact: {count} entries verify", markup=False)


@app.command("export")
def audit_export(
    format: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    actor: Annotated[str, typer.Option(help="Only this actor.")] = "",
    action: Annotated[str, typer.Option(help="Only actions starting with this.")] = "",
    store: StoreOption = None,
) -> None:
    """Write the audit log (optionally filtered) to standard output."""
    if format not in ("jsonl", "csv"):
        err.print("--format must be jsonl or csv", markup=False)
        raise typer.Exit(2)
    with read_store(store) as sessions, sessions() as session:
        rows = iter_filtered(session, AuditFilter(actor=actor, action=action))
        for chunk in to_csv(rows) if format == "csv" else to_jsonl(rows):
            sys.stdout.write(chunk)
