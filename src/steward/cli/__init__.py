"""The ``steward`` command. Only this package imports Typer; each domain has one module here.

A command module defines ``app`` (a Typer group) or plain commands, and is registered below.
"""

from __future__ import annotations

import os
import sys

import typer
from pydantic import ValidationError

from steward import __version__
from steward.cli import admin as admin_cli
from steward.cli import audit as audit_cli
from steward.cli import check, datastores, db, law, serve
from steward.cli import doctor as doctor_cli
from steward.cli import ledger as ledger_cli
from steward.cli import notice as notice_cli
from steward.cli import requests as requests_cli

app = typer.Typer(
    name="steward",
    help="Steward: the privacy policy as code, and the engine that enforces it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("check")(check.check)
app.command("init")(check.init)
app.add_typer(db.app, name="db")
app.add_typer(db.register_app, name="register")
app.command("serve")(serve.serve)
app.command("scheduler")(serve.run_scheduler)
app.add_typer(admin_cli.app, name="admin")
app.add_typer(audit_cli.app, name="audit")
app.command("doctor")(doctor_cli.doctor)
app.add_typer(datastores.app, name="datastores")
app.command("worker")(datastores.worker)
app.add_typer(law.app, name="law")
app.add_typer(ledger_cli.app, name="ledger")
app.add_typer(notice_cli.app, name="notice")
app.add_typer(requests_cli.app, name="requests")


@app.command("version")
def version() -> None:
    """Print Steward's version."""
    typer.echo(__version__)


def main() -> None:
    """Run the CLI. Unexpected errors print one line, not a traceback (STEWARD_DEBUG=1 shows it)."""
    try:
        app()
    except ValidationError as exc:  # settings from the environment
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        sys.stderr.write(f"steward: configuration: {problems}\n")
        sys.exit(2)
    except Exception as exc:
        if os.environ.get("STEWARD_DEBUG"):
            raise
        sys.stderr.write(
            f"steward: internal error ({type(exc).__name__}); "
            "run again with STEWARD_DEBUG=1 to see the traceback and report it\n"
        )
        sys.exit(2)
