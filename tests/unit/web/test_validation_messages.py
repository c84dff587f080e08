"""pydantic's 422 messages told in the reader's language: only where Steward's English is exactly
pydantic's, with the language's plural forms; ``type`` and ``loc`` are never touched."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from steward.lib import i18n
from steward.lib.i18n import N_
from steward.lib.identifiers import IdentifierError
from steward.web import validation


def _no_digits(value: str) -> str:
    if any(c.isdigit() for c in value):
        raise IdentifierError(N_("the e-mail address is not valid; write it as name@example.com"))
    return value


class Body(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(max_length=21)
    code: str = Field("", min_length=2)
    tags: list[str] = Field(default_factory=list, max_length=3)
    kind: Literal["access", "erasure", "portability"] = "access"
    age: int = Field(0, ge=0, le=130)
    email: Annotated[str, AfterValidator(_no_digits)] = ""


def _problems(data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate(data)
    return caught.value.errors()


def test_every_known_type_keeps_pydantics_english_word_for_word() -> None:
    data = {"name": "x" * 30, "code": "a", "tags": list("abcd"), "kind": "x", "age": -1}
    for problem in _problems({**data, "email": "a1", "extra": 1}):
        assert validation.told(problem, "en") == problem["msg"], problem["type"]


def test_russian_messages_for_the_same_problems() -> None:
    data = {"name": "x" * 30, "code": "a", "kind": "x", "age": 200, "email": "a1"}
    told = {p["type"]: validation.told(p, "ru") for p in _problems(data)}
    assert told["string_too_long"] == "Строка должна быть не длиннее 21 символа"
    assert told["string_too_short"] == "Строка должна быть не короче 2 символов"
    assert told["less_than_equal"] == "Значение должно быть не больше 130"
    assert told["literal_error"] == "Допустимое значение: 'access', 'erasure' или 'portability'"
    assert told["value_error"] == (
        "Неверное значение: адрес электронной почты указан неверно; напишите его в виде "
        "name@example.com"
    )


@pytest.mark.parametrize(
    ("n", "russian"),
    [
        (1, "1 символа"),
        (3, "3 символов"),
        (5, "5 символов"),
        (21, "21 символа"),
        (11, "11 символов"),
    ],
)
def test_counts_take_the_russian_plural_forms(n: int, russian: str) -> None:
    problem = {
        "type": "string_too_long",
        "msg": f"String should have at most {n} character{'' if n == 1 else 's'}",
        "ctx": {"max_length": n},
    }
    assert validation.told(problem, "ru") == f"Строка должна быть не длиннее {russian}"


def test_a_list_too_long_is_counted_too() -> None:
    (problem,) = _problems({"name": "a", "tags": list("abcde")})
    assert validation.told(problem, "en") == problem["msg"]
    assert validation.told(problem, "ru") == "В списке должно быть не более 3 элементов, а не 5"


@given(st.text(max_size=40), st.sampled_from(["missing", "made_up", "string_too_long", "enum"]))
def test_a_message_steward_does_not_know_keeps_pydantics_english(msg: str, kind: str) -> None:
    # an unknown type, or a template pydantic changed: its own English, never a wrong translation
    problem = {"type": kind, "msg": "pydantic says: " + msg, "ctx": {"max_length": 3}}
    assert validation.told(problem, "ru") == problem["msg"]


def test_every_message_is_in_the_russian_catalogue() -> None:
    t = i18n.translator("ru")
    for text in validation.MESSAGES.values():
        assert t.gettext(text) != text, text
