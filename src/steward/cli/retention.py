"""``steward retention ...``: what is due under the register's retention rules, and the sweep.

steward retention plan REGISTER              what each rule makes due: count, held, oldest
steward retention sweep REGISTER [--dry-run] destroy it, with a progress bar per table; the act
                                             is kept in the store (Admin → Retention)
steward retention act RUN [--format pdf|html] [--output FILE]
                                             a sweep's destruction act, as PDF or its HTML
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Retention: what is due, and the sweep that destroys it.", no_args_is_help=True
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _load(path: Path) -> Any:
    from steward.register import RegisterError, load_register

    try:
        return load_register(path)
    except RegisterError as exc:
        for problem in exc.problems:
            err.print(problem.format(), markup=False)
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"{path}: cannot read: {exc.strerror}", markup=False)
        raise typer.Exit(1) from None


def _factory() -> Any:
    from steward.config import get_settings
    from steward.store.db import make_engine, session_factory, upgrade

    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    return session_factory(engine)


def _date(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"--today {value!r} is not a date; write it as YYYY-MM-DD", markup=False)
        raise typer.Exit(2) from None


@app.command("plan")
def plan_command(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    today: Annotated[str | None, typer.Option(help="Count as of this day (YYYY-MM-DD).")] = None,
) -> None:
    """Show what each retention rule makes due: rows, held rows, the oldest date."""
    from steward.retention.service import plan

    reg = _load(register)
    rows = plan(_factory(), reg, _date(today))
    if not rows:
        out.print("the register declares no retention rule on a table", markup=False)
        return
    table = Table("datastore", "table", "rule", "due before", "due", "held", "oldest")
    problems: dict[str, str] = {}
    located: list[str] = []
    for row in rows:
        rule = (
            f"{row.column} + {row.period}"
            + (" (end of year)" if row.counts_from == "year-end" else "")
            + f": {row.action}"
        )
        if row.problem and row.rule_problem:
            located.append(_at_rule(register, reg, row.datastore, row.table, row.problem))
            table.add_row(row.datastore, row.table, rule, str(row.cutoff), "?", "?", "see below")
            continue
        if row.problem:
            problems.setdefault(row.problem, f"{row.datastore}.{row.table}")
            table.add_row(row.datastore, row.table, rule, str(row.cutoff), "?", "?", "see below")
            continue
        table.add_row(
            row.datastore,
            row.table,
            rule,
            str(row.cutoff),
            str(row.due),
            str(row.held),
            str(row.oldest or "—"),
        )
    out.print(table)
    for line in located:
        err.print(line, markup=False)
    for problem, where in problems.items():
        err.print(f"{where}: {problem}", markup=False)
    if problems or located:
        raise typer.Exit(1)


def _at_rule(path: Path, reg: Any, datastore: str, table: str, problem: str) -> str:
    """``problem`` of a table's retention rule, at the rule's column in the register file."""
    from steward.register import Problem
    from steward.register.loader import position_of

    d = next(i for i, s in enumerate(reg.datastores) if s.id == datastore)
    t = next(
        i
        for i, spec in enumerate(reg.datastores[d].tables)
        if (f"{spec.schema_}.{spec.name}" if spec.schema_ else spec.name) == table
    )
    line, column = position_of(path, ("datastores", d, "tables", t, "retention", "column"))
    return Problem(str(path), line, column, "R201", f"{datastore}.{table}: {problem}").format()


@app.command("sweep")
def sweep_command(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be destroyed; change nothing.")
    ] = False,
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="Rows per transaction.")] = 5000,
) -> None:
    """Destroy what is due (never a held row); exit 1 when a datastore could not be swept."""
    if dry_run:
        plan_command(register)
        out.print("dry run: nothing was destroyed", markup=False)
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from steward.config import get_settings
    from steward.retention.service import sweep

    reg = _load(register)
    factory = _factory()
    # One read of each table: the sweep's own batches. Nothing counts the due rows first, so
    # each bar shows what its committed batches destroyed so far, and fills when its table ends.
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} destroyed"),
        TimeElapsedColumn(),
        console=err,
    ) as bars:
        started: list[Any] = []

        def progress(name: str, _total: int | None) -> Any:
            for task in started:  # the previous table is done
                bars.update(task, total=bars.tasks[task].completed or 1)
            task = bars.add_task(name, total=None)
            started.append(task)
            return lambda n: bars.advance(task, n)

        run = sweep(
            factory,
            reg,
            trigger="cli",
            batch=batch,
            secret=get_settings().secret_key.get_secret_value().encode(),
            progress=progress,
        )
        for task in started:
            bars.update(task, total=bars.tasks[task].completed or 1)
    out.print(
        f"sweep {run.id}: {run.status}, {run.destroyed} record(s) destroyed; "
        f"act sha256 {run.act_sha256}",
        markup=False,
    )
    if run.error:
        err.print(f"not swept: {run.error}", markup=False)
        raise typer.Exit(1)


@app.command("act")
def act_command(
    run: Annotated[int, typer.Argument(help="Number of the sweep (Admin → Retention lists them).")],
    fmt: Annotated[
        str,
        typer.Option("--format", help="pdf (printed from the hashed HTML) or html (as hashed)."),
    ] = "pdf",
    output: Annotated[
        Path | None,
        typer.Option(help="File to write; unset: destruction-act-RUN.pdf, or HTML on stdout."),
    ] = None,
) -> None:
    """Write a sweep's destruction act; its HTML's SHA-256 is in the audit log."""
    from steward.retention.acts import act_pdf, stored_act

    if fmt not in ("pdf", "html"):
        err.print(f"--format {fmt!r}: write pdf or html", markup=False)
        raise typer.Exit(2)
    with _factory()() as session:
        html = stored_act(session, run)
    if html is None:
        err.print(f"no sweep {run} with an act in this store", markup=False)
        raise typer.Exit(1)
    if fmt == "html" and output is None:
        out.print(html, markup=False)
        return
    target = output or Path(f"destruction-act-{run}.{fmt}")
    try:
        if fmt == "html":
            target.write_text(html, encoding="utf-8")
        else:
            target.write_bytes(act_pdf(html))
    except OSError as exc:
        err.print(f"{target}: cannot write: {exc.strerror}", markup=False)
        raise typer.Exit(1) from None
    out.print(f"act of sweep {run} written to {target}", markup=False)
