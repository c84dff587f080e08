"""``steward.cli.coercion`` coerces each plain parameter as Typer's pydantic adapter does."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter

from steward.cli import COMMANDS, load_command
from steward.cli.coercion import PlainRuntimeParam, covers, runtime_param


class Colour(StrEnum):
    RED = "red"
    DARK_BLUE = "Dark-Blue"


class Number(Enum):
    ONE = 1
    TWO = "two"


def _demo_command() -> Any:
    """Parameters with the options Steward's commands do not use yet, to cover them too."""
    demo = typer.Typer()

    @demo.command()
    def run(
        anything: Annotated[Path, typer.Argument()],
        existing: Annotated[Path, typer.Option(exists=True)] = Path("."),
        file_only: Annotated[Path, typer.Option(exists=True, dir_okay=False)] = Path("x"),
        dir_only: Annotated[Path, typer.Option(file_okay=False, resolve_path=True)] = Path("."),
        colour: Annotated[Colour, typer.Option(case_sensitive=False)] = Colour.RED,
        exact: Colour = Colour.RED,
        number: Number = Number.ONE,
        name: str = "",
        flag: bool = False,
        maybe: Path | None = None,
    ) -> None:
        """Demo."""

    return typer.main.get_command(demo)


def _commands(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _commands(sub)


def _kind(param: Any) -> tuple[Any, ...]:
    """What the coercion of a parameter depends on; one parameter of each kind is tested."""
    info = param.type_descriptor.parameter_info
    flags = ("exists", "file_okay", "dir_okay", "readable", "writable", "resolve_path")
    return (
        param.type_descriptor.annotation,
        info.case_sensitive,
        param.multiple,
        param.nargs,
        *(getattr(info, flag) for flag in flags),
    )


def _parameters() -> list[tuple[str, Any, Any]]:
    found = []
    kinds = set()
    roots = [load_command(name) for name in sorted(COMMANDS)] + [_demo_command()]
    for root in roots:
        for command in _commands(root):
            ctx = Context(command)
            for param in command.get_params(ctx):
                if not isinstance(param, _TyperParameter) or _kind(param) in kinds:
                    continue
                if covers(param.type_descriptor):
                    kinds.add(_kind(param))
                    found.append((f"{root.name} {command.name} {param.name}", param, command))
    return found


PARAMETERS = _parameters()


def test_the_plain_coercion_covers_the_commands_parameters() -> None:
    annotations = {p.type_descriptor.annotation for _n, p, _c in PARAMETERS}
    assert {str, bool, Path, Colour, Number} <= annotations
    # the commands that must start at once; others may have a list or a number (Typer's adapter)
    for root in [load_command(name) for name in ("check", "init", "law", "notice", "version")]:
        for command in _commands(root):
            for param in command.get_params(Context(command)):
                assert isinstance(runtime_param(param.type_descriptor), PlainRuntimeParam), (
                    f"{root.name} {command.name} {param.name}: Typer builds a pydantic adapter"
                )


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return ("error", exc.format_message())
    except Exception as exc:  # whatever Typer raises, ours must raise the same
        return (type(exc).__name__, str(exc))
    return ("value", (type(result), result))


VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            ".",
            "-",
            "/",
            "/etc",
            "/etc/hostname",
            "examples",
            "examples/demo/register.yaml",
            "nope/",
            "RED",
            "red",
            "dark-blue",
            "Dark-Blue",
            "two",
            "1",
            "ru",
            "EN",
            "json",
            "\x1b[31m",
            "a\udcff",
            b"bytes",
            True,
            False,
            None,
            ("a", "b"),
            Colour.RED,
            Number.TWO,
            Path("examples"),
        ]
    ),
)


@pytest.mark.parametrize(("name", "param", "command"), PARAMETERS, ids=[p[0] for p in PARAMETERS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES)
def test_a_value_is_coerced_as_typers_adapter_does(
    name: str, param: Any, command: Any, value: Any
) -> None:
    ctx = Context(command)
    descriptor = param.type_descriptor
    ours = _outcome(runtime_param(descriptor), value, param, ctx)
    theirs = _outcome(build_runtime_param(descriptor), value, param, ctx)
    assert ours == theirs, name
