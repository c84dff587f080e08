"""``steward doctor``: start-up self-checks with stable ids and hints."""

from __future__ import annotations

import typer
from rich.console import Console

from steward.config import get_settings
from steward.doctor import run_checks

out = Console(highlight=False, soft_wrap=True)
STYLE = {"ok": "green", "warning": "yellow", "error": "red"}


def doctor() -> None:
    """Check the configuration, the store, accounts, e-mail and the register. Exit 1 on errors."""
    errors = 0
    for result in run_checks(get_settings()):
        errors += result.level == "error"
        line = f"{result.id} {result.level:<7} {result.message}"
        if result.hint and result.level != "ok":
            line += f" ({result.hint})"
        out.print(line, style=STYLE[result.level], markup=False)
    if errors:
        raise typer.Exit(1)
