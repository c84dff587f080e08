"""Typer's coercion of a command-line value, for plain parameters without pydantic.

Typer (0.29) coerces each parameter's value through a pydantic ``TypeAdapter`` that it builds
the first time the parameter is parsed, bool flags and ``--help`` included. Importing pydantic
for that, and building the adapters, was a third of what ``steward version`` and
``steward law deadline`` spent starting (they use no model otherwise), and a few milliseconds
per parameter of every other command. Steward's parameters are plain: ``str``, ``bool``, a
``Path`` and an ``Enum`` of choices. For these, :class:`PlainRuntimeParam` does what Typer's
adapter does, with Typer's own helpers and the same error messages; any other parameter, and
any value that is not a plain string (bytes, text that is not UTF-8, a path that ``Path``
normalises, such as ``dir/``), goes to Typer's adapter.
``tests/unit/cli/test_plain_coercion.py`` compares the two on generated values.

``install()`` makes Typer use it; ``steward.cli`` calls it once at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer.core
from typer._click.exceptions import BadParameter
from typer._click.utils import _escape_control_characters
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path

if TYPE_CHECKING:
    from typer._click import Context
    from typer.core import _TyperParameter


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def _path_type(descriptor: TypeDescriptor) -> type[Path] | None:
    """The Path class Typer converts to, when it is one and nothing else changes the value."""
    info = descriptor.parameter_info
    if info.allow_dash or not routes_to_path(descriptor.annotation, info):
        return None
    path_type = info.path_type
    if path_type is None:
        path_type = descriptor.annotation
    if isinstance(path_type, type) and issubclass(path_type, Path):
        return path_type
    return None


def covers(descriptor: TypeDescriptor) -> bool:
    """True for the parameters :class:`PlainRuntimeParam` coerces as Typer would."""
    if descriptor.file_annotation is not None or descriptor.parameter_info.parser is not None:
        return False
    annotation = descriptor.annotation
    return (
        annotation is str
        or annotation is bool
        or _is_enum(annotation)
        or _path_type(descriptor) is not None
    )


def _plain_text(value: Any) -> bool:
    if type(value) is not str:
        return False
    try:
        value.encode("utf-8")  # a surrogate-escaped argument is left to pydantic's rules
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class PlainRuntimeParam(RuntimeParam):
    """Coercion of a ``str``, ``bool``, ``Path`` or ``Enum`` parameter without pydantic."""

    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            return self._plain(value, param, ctx)
        except ValueError as exc:  # inside Typer's adapter, pydantic reports it in these words
            message = _escape_control_characters(f"Value error, {exc}")
            raise BadParameter(message, ctx=ctx, param=param) from exc

    def _plain(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        annotation = self.annotation
        if _is_enum(annotation):
            return coerce_cli_choice(
                value,
                choices=list(annotation),
                case_sensitive=self.parameter_info.case_sensitive,
                ctx=ctx,
            )
        if annotation is bool and isinstance(value, bool):
            return value
        if _plain_text(value):
            if annotation is str:
                return value
            path_type = _path_type(self.descriptor)
            path = path_type(value) if path_type is not None else None
            if path is not None and str(path) == value:  # not normalised: the same messages
                return coerce_cli_path(
                    path, self.parameter_info, path_type=path_type, param=param, ctx=ctx
                )
        return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)


def runtime_param(descriptor: TypeDescriptor) -> RuntimeParam:
    """:class:`PlainRuntimeParam` where it covers the parameter, else Typer's own."""
    if covers(descriptor):
        return PlainRuntimeParam(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            descriptor=descriptor,
        )
    return build_runtime_param(descriptor)


def install() -> None:
    """Make Typer's parameters use :func:`runtime_param` (it looks the name up in typer.core)."""
    if getattr(typer.core, "build_runtime_param", None) is build_runtime_param:
        typer.core.build_runtime_param = runtime_param  # type: ignore[attr-defined]
