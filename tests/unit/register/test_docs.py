"""docs/register.md documents every register field and every built-in vocabulary value."""

from __future__ import annotations

import inspect
import re
from enum import StrEnum
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from steward.register import models, taxonomy

DOC = Path(__file__).resolve().parents[3] / "docs" / "register.md"
TEXT = DOC.read_text(encoding="utf-8")

MODELS = [
    cls
    for _, cls in inspect.getmembers(models, inspect.isclass)
    if issubclass(cls, BaseModel) and cls.__module__ == models.__name__ and cls.model_fields
]
ENUMS = [
    cls
    for _, cls in inspect.getmembers(taxonomy, inspect.isclass)
    if issubclass(cls, StrEnum) and cls.__module__ == taxonomy.__name__
]


def section(model: type[BaseModel]) -> str:
    """The text under the heading that ends with the model's name in backticks."""
    match = re.search(rf"^#+ .*`{model.__name__}`\s*$", TEXT, re.MULTILINE)
    assert match, f"docs/register.md has no heading ending in `{model.__name__}`"
    rest = TEXT[match.end() :]
    following = re.search(r"^#+ ", rest, re.MULTILINE)
    return rest[: following.start()] if following else rest


def test_models_and_enums_are_found() -> None:
    names = {m.__name__ for m in MODELS}
    assert {"Register", "Purpose", "Table", "Policy", "RequestPolicy"} <= names
    assert {taxonomy.LegalBasis, taxonomy.Right, taxonomy.Channel} <= set(ENUMS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_of_every_model_is_documented(model: type[BaseModel]) -> None:
    text = section(model)
    missing = [
        info.alias or name
        for name, info in model.model_fields.items()
        if not re.search(rf"^\| `{re.escape(info.alias or name)}` \|", text, re.MULTILINE)
    ]
    assert not missing, f"{model.__name__}: fields missing from its table: {missing}"
    assert "```yaml" in text, f"{model.__name__}: no example"


def test_every_builtin_category_id_is_documented() -> None:
    missing = [cid for cid in taxonomy.BUILTIN_CATEGORIES if f"| `{cid}` |" not in TEXT]
    assert not missing


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_value_of_every_vocabulary_is_documented(enum: type[StrEnum]) -> None:
    missing = [m.value for m in enum if f"| `{m.value}` |" not in TEXT]
    assert not missing, f"{enum.__name__}: {missing}"


def test_every_yaml_example_parses() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", TEXT, re.DOTALL)
    assert len(blocks) >= len(MODELS)
    for block in blocks:
        yaml.safe_load(block)
