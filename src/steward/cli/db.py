"""``steward db ...`` and ``steward register ...``: Steward's own store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from steward.config import get_settings
from steward.ledger import audit
from steward.register import RegisterError
from steward.store.db import current_revisions, make_engine, session_factory, transaction, upgrade
from steward.store.registers import record_register

app = typer.Typer(help="Steward's own database.", no_args_is_help=True)
register_app = typer.Typer(help="Registers loaded into Steward.", no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (STEWARD_DATABASE_URL, SQLite file by default)."""
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    out.print(f"store at revision {', '.join(sorted(current_revisions(engine)))}", markup=False)


@register_app.command("load")
def register_load(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
) -> None:
    """Validate a register and record it in the store as the one in force."""
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    try:
        with transaction(session_factory(engine)) as session:
            reg, row = record_register(session, register)
            audit.record(
                session,
                actor="cli",
                action="register.load",
                object_type="register",
                object_id=row.id,
                details={"sha256": row.sha256},
            )
            out.print(
                f"loaded {reg.operator.legal_name} from {register} (sha256 {row.sha256[:12]})",
                markup=False,
            )
    except RegisterError as exc:
        for problem in exc.problems:
            err.print(problem.format(), markup=False)
        raise typer.Exit(1) from None
