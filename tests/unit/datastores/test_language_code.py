"""A subject's stored language (a register's ``language_column``) read as an ISO 639-1 code."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from steward.datastores.affected import language_code

LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2)


@given(st.one_of(st.none(), st.integers(), st.text(max_size=12)))
def test_anything_stored_gives_a_two_letter_code_or_nothing(value: object) -> None:
    code = language_code(value)
    assert code is None or (len(code) == 2 and code.isascii() and code.isalpha() and code.islower())


@given(
    language=LETTERS.filter(lambda s: len(s) == 2),
    region=st.one_of(st.just(""), LETTERS.filter(lambda s: len(s) == 2)),
    separator=st.sampled_from(["-", "_"]),
    padding=st.sampled_from(["", " ", "  "]),
)
def test_a_locale_gives_its_language(
    language: str, region: str, separator: str, padding: str
) -> None:
    stored = padding + language + (separator + region if region else "") + padding
    assert language_code(stored) == language.lower()


def test_values_that_are_not_a_language_give_nothing() -> None:
    for value in ("", "russian", "r", "12", "ру", None, 7):
        assert language_code(value) is None
