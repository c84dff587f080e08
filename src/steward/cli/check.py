"""``steward check`` and ``steward init``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from steward.cli.output import Output
from steward.register import CheckResult, check_file
from steward.register.starter import STARTER_FILENAME, starter_text


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


err = Output(stderr=True)
out = Output()


def check(
    register: Annotated[Path, typer.Argument(help="Register YAML file to check.")],
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat lint warnings as errors (use in CI).")
    ] = False,
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="text: FILE:LINE:COL lines; json: one document; github: workflow annotations.",
        ),
    ] = OutputFormat.TEXT,
) -> None:
    """Validate a register; print each problem as FILE:LINE:COL: message. Exit 1 on errors."""
    if register.is_dir():
        register = register / STARTER_FILENAME
    result = check_file(register, strict=strict)
    if output is not OutputFormat.TEXT:
        _print_machine_readable(result, output)
        if not result.ok:
            raise typer.Exit(1)
        return
    for problem in result.problems:
        style = "red" if problem.severity == "error" else "yellow"
        err.print(problem.format(), style=style, markup=False)
    if not result.ok or result.register is None:
        err.print(
            f"{register}: {len(result.errors)} error(s), {len(result.warnings)} warning(s)",
            markup=False,
        )
        raise typer.Exit(1)
    reg = result.register
    tables = sum(len(d.tables) for d in reg.datastores)
    out.print(
        f"{register}: ok: {reg.operator.legal_name}: {len(reg.purposes)} purposes, "
        f"{len(reg.subjects)} subject kinds, {len(reg.recipients)} recipients, "
        f"{len(reg.datastores)} datastores ({tables} tables), {len(reg.cookies)} cookies, "
        f"{len(reg.consents.items)} consent items; {len(result.warnings)} warning(s)",
        markup=False,
    )


def _print_machine_readable(result: CheckResult, output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        document = {
            "file": result.file,
            "ok": result.ok,
            "problems": [
                {
                    "line": p.line,
                    "column": p.column,
                    "severity": str(p.severity),
                    "code": p.code,
                    "message": p.message,
                }
                for p in result.problems
            ],
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    for p in result.problems:  # GitHub Actions workflow commands
        message = p.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        typer.echo(
            f"::{p.severity} file={p.file},line={p.line},col={p.column},title={p.code}::{message}"
        )


def init(
    directory: Annotated[Path, typer.Argument(help="Folder to write register.yaml into.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter register that passes `steward check`."""
    target = directory / STARTER_FILENAME
    if target.exists() and not force:
        err.print(f"{target} exists; pass --force to overwrite it", markup=False)
        raise typer.Exit(1)
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_text(), encoding="utf-8")
    out.print(f"wrote {target}; edit it, then run: steward check {target}", markup=False)
