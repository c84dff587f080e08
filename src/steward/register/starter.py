"""The commented starter register written by ``steward init``."""

from __future__ import annotations

from importlib.resources import files

STARTER_FILENAME = "register.yaml"


def starter_text() -> str:
    return files("steward.register").joinpath("starter.yaml").read_text(encoding="utf-8")
