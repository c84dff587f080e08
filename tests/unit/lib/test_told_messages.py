"""Every error a person reads (a ``lib.i18n.Told`` and its subclasses) is raised with its English
marked for the catalogue (``N_("... %(name)s ...")``, values apart), never as a built string:
an f-string or a bare literal would reach the catalogue's readers in English only."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import steward
from steward.lib.i18n import Told

SRC = Path(steward.__file__).parent
# where a Told error is raised on purpose with text that is not Steward's own
SKIP = {"cli"}


def _told_names() -> set[str]:
    """The names of the Told errors; a name another (untold) class has too is left out, since
    a raise names a class, not its module."""
    names, others = set(), set()
    for info in pkgutil.walk_packages([str(SRC)], "steward."):
        parts = info.name.split(".")
        if parts[1] in SKIP or "migrations" in parts or parts[-1] == "__main__":
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # an optional dependency missing: that module raises nothing here
            continue
        for _, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == info.name:
                (names if issubclass(value, Told) else others).add(value.__name__)
    return names - others


def _unmarked(tree: ast.AST, names: set[str]) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in names or not node.exc.args:
            continue
        first = node.exc.args[0]
        if isinstance(first, ast.JoinedStr | ast.BinOp) or (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        ):
            lines.append(node.lineno)
    return lines


def test_every_told_error_is_raised_with_a_marked_message() -> None:
    names = _told_names() - {"ApiError"}  # ApiError takes (status, code, message)
    assert {"AccountError", "BreachInputError", "HoldError", "RequestError"} <= names
    found = {}
    for path in SRC.rglob("*.py"):
        if path.relative_to(SRC).parts[0] in SKIP:
            continue
        lines = _unmarked(ast.parse(path.read_text(encoding="utf-8")), names)
        if lines:
            found[str(path.relative_to(SRC))] = lines
    assert not found, f"mark these messages with N_() and pass their values apart: {found}"
