"""``steward scan REGISTER``: find personal data the register does not declare.

Exit codes, for CI: 0 no error-level finding; 1 at least one; 2 nothing could be scanned
(the register is invalid, or no datastore or file could be read, or ``--names`` was asked for
and natasha is not installed).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from steward.cli.datastores import _register

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def scan(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    datastore: Annotated[
        list[str] | None,
        typer.Option("--datastore", help="Scan only this datastore id (repeatable)."),
    ] = None,
    file: Annotated[
        list[Path] | None,
        typer.Option(
            "--file",
            help="Scan this file too: .csv/.tsv, .jsonl/.ndjson, anything else as text "
            "(repeatable). With --file and no --datastore, only the files are scanned.",
        ),
    ] = None,
    format_: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TEXT,
    rows: Annotated[
        int, typer.Option(min=10, max=100_000, help="Rows sampled per table (uniformly).")
    ] = 1000,
    output: Annotated[
        Path | None, typer.Option(help="Write the report here instead of standard output.")
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record", help="Also store the findings in Steward's store (the Discovery page)."
        ),
    ] = False,
    names: Annotated[
        bool,
        typer.Option(
            "--names",
            help="Also look for Russian person names and postal addresses in the values "
            "(natasha's NER model: slower, a few seconds to load; needs steward[names]).",
        ),
    ] = False,
) -> None:
    """Find personal data the register does not declare. Exit 1 on error-level findings.

    Samples every table of the register's datastores uniformly, classifies each column by its
    name and its validated values, and holds the result against the register."""
    from steward.discovery.files import scan_file
    from steward.discovery.report import as_json, as_sarif, as_text
    from steward.discovery.scan import Report, scan_datastore, scanner_for

    reg = _register(register)
    known = {d.id for d in reg.datastores}
    for wanted in datastore or []:
        if wanted not in known:
            err.print(
                f"{register}: no datastore '{wanted}'; the register has: "
                f"{', '.join(sorted(known)) or 'none'}",
                markup=False,
            )
            raise typer.Exit(2)
    if datastore:
        chosen = [d for d in reg.datastores if d.id in datastore]
    else:
        chosen = [] if file else list(reg.datastores)
    tier = None
    if names:
        from steward.discovery.names import NamesTierMissing, names_tier

        try:
            tier = names_tier()
        except NamesTierMissing as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(2) from None
    report = Report()
    scanner = scanner_for(reg)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with progress:
        task = progress.add_task("scanning", total=len(chosen) + len(file or []))
        for store in chosen:
            progress.update(task, description=store.id)
            scan_datastore(
                reg,
                store,
                scanner,
                report,
                rows=rows,
                progress=lambda where: progress.update(task, description=where),
                names=tier,
            )
            progress.advance(task)
        for path in file or []:
            progress.update(task, description=str(path))
            scan_file(reg, path, scanner, report, rows=rows, names=tier)
            progress.advance(task)
    render = {Format.TEXT: as_text, Format.JSON: as_json, Format.SARIF: as_sarif}[format_]
    text = render(report)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        out.print(text, markup=False)
    if format_ is not Format.TEXT and output is None:
        for problem in report.problems:
            err.print(f"note: {problem}", markup=False)
    if record:
        from steward.config import get_settings
        from steward.discovery.store import record_report
        from steward.store.db import make_engine, session_factory, transaction, upgrade

        engine = make_engine(get_settings().database_url)
        upgrade(engine)
        with transaction(session_factory(engine)) as session:
            record_report(session, report, actor="cli", source=str(register))
    if not report.scanned:
        raise typer.Exit(2)
    if report.errors:
        raise typer.Exit(1)
