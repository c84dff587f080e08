"""``steward requests ...``: the queue from the shell, and the daily reminders."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.config import get_settings
from steward.requests import service
from steward.store.db import make_engine, session_factory, transaction, upgrade

app = typer.Typer(help="Data-subject requests and their deadlines.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


def _sessions():  # type: ignore[no-untyped-def]
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    return session_factory(engine)


@app.command("list")
def list_requests(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only requests past due.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Open requests sorted by days left, with the rule that sets each deadline.

    Exit status 1 when --overdue finds any, so a cron job or CI can alert on it.
    """
    with transaction(_sessions()) as session:
        rows = service.queue(session, overdue_only=overdue)
        if as_json:
            for row in rows:
                r = row.request
                out.print(
                    json.dumps(
                        {
                            "reference": r.reference,
                            "kind": r.kind,
                            "state": r.state,
                            "due_on": r.due_on.isoformat() if r.due_on else None,
                            "days_left": row.days_left,
                            "overdue": row.overdue,
                            "rule": r.clock_rule,
                            "assignee": r.assignee,
                        },
                        ensure_ascii=False,
                    ),
                    markup=False,
                )
        else:
            table = Table(title="Overdue requests" if overdue else "Open requests")
            for column in ("reference", "kind", "state", "due", "days left", "assignee", "rule"):
                table.add_column(column)
            for row in rows:
                r = row.request
                flag = " OVERDUE" if row.overdue else (" due soon" if row.due_soon else "")
                table.add_row(
                    r.reference,
                    r.kind,
                    r.state,
                    r.due_on.isoformat() if r.due_on else "-",
                    f"{row.days_left if row.days_left is not None else '-'}{flag}",
                    r.assignee or "-",
                    r.clock_rule,
                )
            out.print(table)
    if overdue and rows:
        raise typer.Exit(1)


@app.command("remind")
def remind() -> None:
    """E-mail each assignee about their requests due soon or overdue (once a day; run by cron)."""
    with transaction(_sessions()) as session:
        sent = service.send_reminders(session)
    out.print(f"{sent} reminder(s) queued", markup=False)
