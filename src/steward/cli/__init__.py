"""The ``steward`` command. Only this package imports Typer; each domain has one module here.

Commands are loaded lazily: ``COMMANDS`` names each one's module, and a module is imported
only when its command runs (``steward --help`` and ``steward law deadline`` never import
SQLAlchemy or the web app). A command module defines ``app`` (a Typer group) or a plain
function; add it to ``COMMANDS`` with the one-line help ``steward --help`` shows (a unit test
keeps that line equal to the command's own).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

# Steward uses no pydantic plugins; looking for them reads the entry points of every installed
# distribution when the first model is built (30-60 ms of each command's start on this
# machine). An operator who installs one sets PYDANTIC_DISABLE_PLUGINS to "" or a list.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer
from typer.core import TyperGroup

from steward import __version__
from steward.cli import coercion

if TYPE_CHECKING:  # Typer's own copy of Click; the click distribution is not imported
    from typer._click import Command, Context, HelpFormatter

coercion.install()

# name -> (module, attribute, one-line help shown by `steward --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": (
        "steward.cli.check",
        "check",
        "Validate a register; print each problem as FILE:LINE:COL: message. Exit 1 on errors.",
    ),
    "init": (
        "steward.cli.check",
        "init",
        "Write a commented starter register that passes `steward check`.",
    ),
    "serve": ("steward.cli.serve", "serve", "Serve the Privacy Center, the admin app and the API."),
    "scheduler": (
        "steward.cli.serve",
        "run_scheduler",
        "Fire the periodic jobs on the configured runner (leader-elected: run one or several).",
    ),
    "doctor": (
        "steward.cli.doctor",
        "doctor",
        "Check the configuration, the store, accounts, e-mail and the register. Exit 1 on errors.",
    ),
    "worker": (
        "steward.cli.datastores",
        "worker",
        "Run a Celery worker for STEWARD_BROKER_URL (Redis or RabbitMQ).",
    ),
    "version": ("steward.cli", "version", "Print Steward's version."),
    "db": ("steward.cli.db", "app", "Steward's own database."),
    "register": ("steward.cli.db", "register_app", "Registers loaded into Steward."),
    "admin": ("steward.cli.admin", "app", "People who use the admin app."),
    "audit": ("steward.cli.audit", "app", "The hash-chained audit log."),
    "datastores": (
        "steward.cli.datastores",
        "app",
        "The operator's databases named in the register.",
    ),
    "law": ("steward.cli.law", "app", "Jurisdictions: rights and answer deadlines."),
    "ledger": ("steward.cli.ledger", "app", "The consent ledger and the audit log."),
    "notice": (
        "steward.cli.notice",
        "app",
        "Privacy notices rendered from the register: render, publish, versions, diff.",
    ),
    "requests": ("steward.cli.requests", "app", "Data-subject requests and their deadlines."),
    "retention": (
        "steward.cli.retention",
        "app",
        "Retention: what is due, and the sweep that destroys it.",
    ),
    "scan": (
        "steward.cli.scan",
        "scan",
        "Find personal data the register does not declare. Exit 1 on error-level findings.",
    ),
    "filings": (
        "steward.cli.filings",
        "app",
        "Filings and records from the register: Art. 30 record, RKN drafts, written consent.",
    ),
    "disclosures": (
        "steward.cli.disclosures",
        "app",
        "The disclosure log: each disclosure of a subject's data to a recipient.",
    ),
}


def load_command(name: str) -> Command:
    """Import the module of command ``name`` and build its Click command."""
    import importlib

    module_name, attribute, _help = COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer()
    single.command(name)(target)
    return typer.main.get_command(single)


class _LazyGroup(TyperGroup):
    """A group whose subcommands are imported on first use (see ``COMMANDS``)."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in COMMANDS:
            return None
        return load_command(cmd_name)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = [(name, entry[2]) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=_LazyGroup,
    name="steward",
    help="Steward: the privacy policy as code, and the engine that enforces it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    """Steward: the privacy policy as code, and the engine that enforces it."""


def version() -> None:
    """Print Steward's version."""
    typer.echo(__version__)


def main() -> None:
    """Run the CLI. Unexpected errors print one line, not a traceback (STEWARD_DEBUG=1 shows it)."""
    try:
        app()
    except Exception as exc:
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):  # settings from the environment
            problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
            sys.stderr.write(f"steward: configuration: {problems}\n")
            sys.exit(2)
        if os.environ.get("STEWARD_DEBUG"):
            raise
        sys.stderr.write(
            f"steward: internal error ({type(exc).__name__}); "
            "run again with STEWARD_DEBUG=1 to see the traceback and report it\n"
        )
        sys.exit(2)
