"""``steward law ...``: answer deadlines and the rules behind them, checkable by hand."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from steward.cli.output import Output
from steward.law import KIND_NAMES, LAWS, NoDeadline, RequestKind, deadline, law

app = typer.Typer(help="Jurisdictions: rights and answer deadlines.", no_args_is_help=True)
out = Output()
err = Output(stderr=True)


def _jurisdiction(value: str) -> str:
    if value not in LAWS:
        raise typer.BadParameter(f"'{value}' is not one of: {', '.join(LAWS)}")
    return value


def _kind(value: str) -> RequestKind:
    try:
        return RequestKind(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not one of: {', '.join(k.value for k in RequestKind)}"
        ) from None


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date in YYYY-MM-DD form") from None


@app.command("deadline")
def deadline_command(
    jurisdiction: Annotated[str, typer.Argument(help="e.g. ru-152fz, eu-gdpr, us-ccpa.")],
    kind: Annotated[str, typer.Argument(help="e.g. access, erasure, rectification.")],
    received: Annotated[str, typer.Argument(help="Day the request was received, YYYY-MM-DD.")],
    extended: Annotated[
        bool, typer.Option("--extended", help="Apply the allowed extension.")
    ] = False,
) -> None:
    """Print the due date of a request and the rule that sets it."""
    try:
        found = deadline(
            _jurisdiction(jurisdiction), _kind(kind), _date(received), extended=extended
        )
    except (NoDeadline, ValueError) as exc:
        err.print(f"steward law: {exc}", markup=False)
        raise typer.Exit(1) from None
    out.print(found.explain(), markup=False)


@app.command("show")
def show(
    jurisdiction: Annotated[str, typer.Argument(help="e.g. ru-152fz, eu-gdpr, us-ccpa.")],
    lang: Annotated[str, typer.Option(help="Language of the right names: en or ru.")] = "en",
) -> None:
    """Print a jurisdiction's rights with answer deadlines and citations."""
    from rich.table import Table

    rules = law(_jurisdiction(jurisdiction))
    table = Table(title=rules.names.get(lang, rules.names["en"]))
    table.add_column("right")
    table.add_column("kind")
    table.add_column("answer within")
    table.add_column("citation")
    for right in rules.rights:
        rule = rules.rule_for(right.kind)
        table.add_row(
            KIND_NAMES[right.kind].get(lang, KIND_NAMES[right.kind]["en"]),
            right.kind.value,
            rule.describe() if rule else "no fixed deadline",
            right.citation + (f"; {rule.citation}" if rule else ""),
        )
    out.print(table)
    out.print(f"clock starts at: {rules.clock_start}", markup=False)
    if rules.acknowledgement:
        out.print(
            f"acknowledge within {rules.acknowledgement} ({rules.acknowledgement_citation})",
            markup=False,
        )
    if rules.consent_age is not None:
        out.print(
            f"a guardian consents below age {rules.consent_age} ({rules.consent_age_citation})",
            markup=False,
        )
