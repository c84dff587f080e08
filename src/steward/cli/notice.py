"""``steward notice ...``: render, publish, list and compare privacy notices.

steward notice REGISTER --lang ru --format html -o notice.html
steward notice publish REGISTER
steward notice versions
steward notice diff OLD_REGISTER NEW_REGISTER --lang en
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from steward.cli.output import Output
from steward.env_setting import DEFAULT_BASE_URL, env_setting
from steward.notices.render import render_notice
from steward.register import RegisterError, check_file
from steward.register.models import Register

if TYPE_CHECKING:
    from typer._click import Context

out = Output()
err = Output(stderr=True)


class _RenderByDefault(TyperGroup):
    """``steward notice REGISTER`` means ``steward notice render REGISTER``."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["render", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RenderByDefault,
    help="Privacy notices rendered from the register: render, publish, versions, diff.",
    no_args_is_help=True,
)


class Lang(StrEnum):
    en = "en"
    ru = "ru"


class Fmt(StrEnum):
    md = "md"
    html = "html"


def _load(path: Path) -> Register:
    result = check_file(path)
    for problem in result.errors:
        err.print(problem.format(), style="red", markup=False)
    if result.register is None or result.errors:
        err.print(f"{path}: fix the errors above, then run the command again", markup=False)
        raise typer.Exit(1)
    return result.register


@app.command("render")
def render(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the notice.")] = Lang.en,
    fmt: Annotated[Fmt, typer.Option("--format", help="md (Markdown) or html.")] = Fmt.md,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Date of last update, YYYY-MM-DD (today).")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Version label (default: unpublished draft).")
    ] = None,
) -> None:
    """Render the notice of REGISTER (the default command: `steward notice REGISTER`)."""
    reg = _load(register)
    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError:
        err.print(f"--date {on!r} is not a date; write it as YYYY-MM-DD", markup=False)
        raise typer.Exit(2) from None
    text = render_notice(
        reg,
        lang=lang.value,
        fmt=fmt.value,  # type: ignore[arg-type]
        published=day,
        version=version,
        # the one setting it reads, without the settings (pydantic-settings: ~50 ms)
        base_url=env_setting("base_url", DEFAULT_BASE_URL),
    )
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {output} ({lang.value}, {fmt.value}, {len(text)} characters)", markup=False)


def _session_factory() -> Any:
    # Imported here: rendering a notice must not pay for SQLAlchemy, Alembic or the settings.
    from steward.config import get_settings
    from steward.store.db import make_engine, session_factory, upgrade

    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    return session_factory(engine)


@app.command("publish")
def publish_command(
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    actor: Annotated[
        str, typer.Option("--actor", help="Who publishes (recorded in the audit log).")
    ] = "cli",
) -> None:
    """Publish a new notice version if REGISTER changed; announce material changes by e-mail."""
    try:
        text = register.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"{register}: cannot read it as UTF-8 text: {exc}", markup=False)
        raise typer.Exit(1) from None
    from steward.config import get_settings
    from steward.notices.audience import AudienceError
    from steward.notices.diff import describe
    from steward.notices.publish import publish
    from steward.retention.service import sweeps_running
    from steward.store.db import transaction

    settings = get_settings()
    try:
        with transaction(_session_factory()) as session:
            parsed = check_file(register).register
            result = publish(
                session,
                text,
                source=str(register),
                actor=actor,
                base_url=settings.base_url,
                sweeps_running=parsed is not None and sweeps_running(session, parsed),
            )
            number, created = result.version.number, result.created
    except RegisterError as exc:
        for problem in exc.problems:
            err.print(problem.format(), style="red", markup=False)
        raise typer.Exit(1) from None
    except AudienceError as exc:
        err.print(f"nothing published: {exc}", markup=False)
        raise typer.Exit(1) from None
    if not created:
        out.print(f"unchanged: version {number} is already the published notice", markup=False)
        return
    kind = "material change" if result.material else "no material change"
    out.print(f"published version {number} ({kind})", markup=False)
    for change in result.changes:
        mark = "!" if change.material else "-"
        out.print(f"  {mark} {describe(change, 'en')}", markup=False)
    if result.material:
        out.print(f"{result.announced} announcement(s) queued in the outbox", markup=False)
        if result.reconfirm_purposes:
            state = (
                "marked" if result.reconfirm_marked else "to mark (consent ledger not installed)"
            )
            out.print(
                f"consents for re-confirmation {state}: {', '.join(result.reconfirm_purposes)}",
                markup=False,
            )


@app.command("versions")
def versions_command(
    operator: Annotated[
        str | None, typer.Option("--operator", help="Operator id (default: the latest published).")
    ] = None,
) -> None:
    """List published notice versions, newest first, with their material flag and hash."""
    from steward.notices.publish import latest_version, versions

    with _session_factory()() as session:
        latest = latest_version(session, operator)
        if latest is None:
            err.print("no notice has been published yet: run `steward notice publish`")
            raise typer.Exit(1)
        for version in versions(session, operator or latest.operator_id):
            flag = "material" if version.material else "        "
            out.print(
                f"{version.number:>4}  {version.published_at:%Y-%m-%d %H:%M}  {flag}  "
                f"{version.content_sha256[:16]}  {version.published_by}",
                markup=False,
            )


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier register.")],
    new: Annotated[Path, typer.Argument(help="The later register.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the description.")] = Lang.en,
) -> None:
    """Describe in words what changed from OLD to NEW; exit 3 when a change is material."""
    from steward.notices.diff import describe, diff_registers

    changes = diff_registers(_load(old), _load(new))
    if not changes:
        out.print("no changes", markup=False)
        return
    for change in changes:
        mark = "!" if change.material else "-"
        out.print(f"{mark} {describe(change, lang.value)}", markup=False)
    if any(c.material for c in changes):
        raise typer.Exit(3)
