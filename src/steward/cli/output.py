"""What the command modules print through: rich only when something needs it.

    out = Output()                      # standard output
    err = Output(stderr=True)
    out.print("plain line", markup=False)          # written by typer.secho, rich never imported
    err.print(problem, style="red", markup=False)  # coloured by typer.secho on a terminal
    out.print(table)                                # a rich renderable: rich, imported then

Importing rich costs a command tens of milliseconds at start; most commands print plain lines.
"""

from __future__ import annotations

from typing import Any

import typer

_COLOURS = {"red", "yellow", "green", "blue", "cyan", "magenta"}


class Output:
    """A stand-in for ``rich.console.Console(highlight=False, soft_wrap=True)``."""

    def __init__(self, *, stderr: bool = False) -> None:
        self.stderr = stderr
        self._console: Any = None

    def print(self, *objects: Any, markup: bool | None = None, style: str | None = None) -> None:
        plain = len(objects) == 1 and isinstance(objects[0], str) and markup is False
        if plain and (style is None or style in _COLOURS):
            typer.secho(objects[0], fg=style, err=self.stderr)
            return
        self.console.print(*objects, markup=markup, style=style)

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self.stderr, highlight=False, soft_wrap=True)
        return self._console
