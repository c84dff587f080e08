"""``steward filings ...``: the Art. 30 record, the Roskomnadzor drafts and written consents,
written from a register file without touching Steward's store (usable in the operator's CI)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from steward.register import Register, check_file

app = typer.Typer(
    help="Filings and records from the register: Art. 30 record, RKN drafts, written consent.",
    no_args_is_help=True,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class RecordFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    html = "html"
    pdf = "pdf"


class DraftKind(StrEnum):
    art22 = "art22"
    art12 = "art12"


class DraftFormat(StrEnum):
    html = "html"
    pdf = "pdf"


class Lang(StrEnum):
    ru = "ru"
    en = "en"


def _load(path: Path) -> Register:
    result = check_file(path)
    for problem in result.errors:
        err.print(problem.format(), style="red", markup=False)
    if result.register is None or result.errors:
        err.print(f"{path}: fix the errors above, then run the command again", markup=False)
        raise typer.Exit(1)
    return result.register


def _write(body: bytes | str, output: Path | None) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    if output is None:
        if not isinstance(body, str):
            err.print("this format is binary: give -o FILE", markup=False)
            raise typer.Exit(2)
        typer.echo(body, nl=not body.endswith("\n"))
        return
    output.write_bytes(data)
    out.print(f"wrote {output} ({len(data)} bytes)", markup=False)


@app.command("record")
def record(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    fmt: Annotated[RecordFormat, typer.Option("--format", help="xlsx, csv, html or pdf.")] = (
        RecordFormat.xlsx
    ),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
) -> None:
    """Write the GDPR Art. 30 record of processing activities."""
    from steward.filings import documents
    from steward.filings.art30 import build_record

    built = build_record(_load(register))
    body: bytes | str
    if fmt is RecordFormat.xlsx:
        body = documents.record_xlsx(built)
    elif fmt is RecordFormat.csv:
        body = documents.record_csv(built)
    elif fmt is RecordFormat.html:
        body = documents.record_html(built)
    else:
        body = documents.pdf(documents.record_html(built))
    _write(body, output)


@app.command("draft")
def draft(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    kind: Annotated[DraftKind, typer.Option("--kind", help="art22 or art12.")] = DraftKind.art22,
    fmt: Annotated[DraftFormat, typer.Option("--format", help="html or pdf.")] = (DraftFormat.html),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
) -> None:
    """Write the 152-FZ Art. 22 or Art. 12 notification draft (in Russian)."""
    from steward.filings import documents
    from steward.filings.rkn import intention_draft, transfer_draft, under_152fz

    loaded = _load(register)
    if not under_152fz(loaded):
        err.print(f"{register}: the operator is not under ru-152fz; nothing to file", markup=False)
        raise typer.Exit(1)
    built = intention_draft(loaded) if kind is DraftKind.art22 else transfer_draft(loaded)
    if built is None:
        err.print(f"{register}: no recipient abroad; no Art. 12 notification", markup=False)
        raise typer.Exit(1)
    page = documents.draft_html(built)
    _write(page if fmt is DraftFormat.html else documents.pdf(page), output)
    for field in built.missing:
        err.print(f"to complete before filing: {field}", markup=False)


@app.command("consent")
def consent(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    item: Annotated[str, typer.Argument(help="Consent item id.")],
    lang: Annotated[Lang, typer.Option("--lang", help="ru or en.")] = Lang.ru,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
) -> None:
    """Write the written consent document of a consent item (152-FZ Art. 9 p.4), Markdown."""
    from steward.filings.consent_document import UnknownConsentItem, consent_document

    try:
        document = consent_document(_load(register), item, lang.value)
    except UnknownConsentItem as exc:
        err.print(str(exc.args[0]), markup=False)
        raise typer.Exit(1) from None
    _write(document.text, output)
