"""``steward audit ...``: verify and export the hash-chained audit log."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import func, select

from steward.cli import evidence_keys
from steward.cli.evidence_keys import ExpectedOption, PublicKeyOption
from steward.cli.store_access import StoreOption, read_store
from steward.ledger.anchors import check_heads, heads_of, sign_head
from steward.ledger.audit import AuditEntry, verify
from steward.ledger.audit_query import AuditFilter, iter_filtered, to_csv, to_jsonl
from steward.store.db import transaction

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@app.command("verify")
def audit_verify(
    store: StoreOption = None,
    expected_head: ExpectedOption = None,
    public_key: PublicKeyOption = None,
) -> None:
    """Recompute the chain and check its signed heads; name the entry where it breaks (exit 1)."""
    key = evidence_keys.public_key(public_key)
    heads = [h for h in evidence_keys.read_heads(expected_head, key) if h.chain == "audit"]
    with read_store(store) as sessions, sessions() as session:
        broken = verify(session)
        count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        stored = heads_of(session, "audit", key)
        problems = check_heads(session, AuditEntry, stored + heads)
    if broken is not None:
        err.print(f"audit log broken at entry {broken.entry_id}: {broken.reason}", markup=False)
    for problem in problems:
        err.print(f"audit log broken at entry {problem.entry_id}: {problem.reason}", markup=False)
    if broken is not None or problems:
        raise typer.Exit(1)
    checked = "" if key is not None else " (signatures not checked: no key)"
    out.print(
        f"audit log intact: {count} entries verify, {len(stored)} signed head(s) in the store "
        f"and {len(heads)} given from outside hold{checked}",
        markup=False,
    )


@app.command("export")
def audit_export(
    format: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    actor: Annotated[str, typer.Option(help="Only this actor.")] = "",
    action: Annotated[str, typer.Option(help="Only actions starting with this.")] = "",
    store: StoreOption = None,
    head: Annotated[
        Path | None,
        typer.Option(help="Also sign the chain's head and write it to this file (keep it)."),
    ] = None,
) -> None:
    """Write the audit log (optionally filtered) to standard output; the head is signed."""
    if format not in ("jsonl", "csv"):
        err.print("--format must be jsonl or csv", markup=False)
        raise typer.Exit(2)
    keys = evidence_keys.own_keys()
    if head is not None and keys is None:
        err.print("--head needs STEWARD_SECRET_KEY to sign with", markup=False)
        raise typer.Exit(2)
    with read_store(store) as sessions:
        if keys is not None:
            with transaction(sessions) as session:
                signed = sign_head(session, "audit", AuditEntry, keys.signing_key)
            if head is not None and signed is not None:
                head.write_text(json.dumps(signed, sort_keys=True) + "\n", encoding="utf-8")
        with sessions() as session:
            rows = iter_filtered(session, AuditFilter(actor=actor, action=action))
            for chunk in to_csv(rows) if format == "csv" else to_jsonl(rows):
                sys.stdout.write(chunk)
