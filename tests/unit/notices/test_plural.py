import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.notices.plural import (
    UNITS,
    count_phrase,
    duration_phrase,
    ru_form,
    unit_word,
)
from steward.register.duration import Duration


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (0, "many"),
        (1, "one"),
        (2, "few"),
        (3, "few"),
        (4, "few"),
        (5, "many"),
        (10, "many"),
        (11, "many"),
        (12, "many"),
        (13, "many"),
        (14, "many"),
        (15, "many"),
        (20, "many"),
        (21, "one"),
        (22, "few"),
        (24, "few"),
        (25, "many"),
        (100, "many"),
        (101, "one"),
        (111, "many"),
        (112, "many"),
        (121, "one"),
        (1001, "one"),
        (1012, "many"),
        (1022, "few"),
    ],
)
def test_russian_form_follows_the_last_two_digits(n: int, form: str) -> None:
    assert ru_form(n) == form


@given(st.integers(min_value=0, max_value=10**6))
def test_russian_form_depends_only_on_the_last_two_digits(n: int) -> None:
    assert ru_form(n) == ru_form(n % 100) == ru_form(n % 100 + 1000)


@pytest.mark.parametrize(
    ("n", "unit", "expected"),
    [
        (10, "working_day", "10 рабочих дней"),
        (1, "working_day", "1 рабочий день"),
        (2, "working_day", "2 рабочих дня"),
        (21, "working_day", "21 рабочий день"),
        (3, "month", "3 месяца"),
        (6, "month", "6 месяцев"),
        (1, "month", "1 месяц"),
        (1, "week", "1 неделя"),
        (2, "week", "2 недели"),
        (5, "week", "5 недель"),
        (21, "day", "21 день"),
        (30, "day", "30 дней"),
        (45, "day", "45 дней"),
        (3, "day", "3 дня"),
        (11, "day", "11 дней"),
        (1, "year", "1 год"),
        (3, "year", "3 года"),
        (5, "year", "5 лет"),
        (11, "year", "11 лет"),
        (72, "hour", "72 часа"),
        (1, "minute", "1 минута"),
        (14, "second", "14 секунд"),
    ],
)
def test_russian_counts_in_the_nominative(n: int, unit: str, expected: str) -> None:
    assert count_phrase(n, unit, "ru") == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "unit", "expected"),
    [
        (1, "working_day", "1 рабочего дня"),
        (3, "working_day", "3 рабочих дней"),
        (10, "working_day", "10 рабочих дней"),
        (21, "month", "21 месяца"),
        (1, "week", "1 недели"),
        (2, "year", "2 лет"),
        (30, "day", "30 дней"),
    ],
)
def test_russian_counts_in_the_genitive(n: int, unit: str, expected: str) -> None:
    assert count_phrase(n, unit, "ru", case="gen") == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "unit", "expected"),
    [
        (1, "day", "1 day"),
        (0, "day", "0 days"),
        (10, "working_day", "10 working days"),
        (1, "working_day", "1 working day"),
        (21, "day", "21 days"),
        (1, "week", "1 week"),
        (3, "month", "3 months"),
        (1, "year", "1 year"),
    ],
)
def test_english_counts(n: int, unit: str, expected: str) -> None:
    assert count_phrase(n, unit, "en") == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("case", ["nom", "gen"])
def test_every_unit_has_a_word_for_every_form(lang: str, case: str) -> None:
    for unit in UNITS:
        words = {unit_word(n, unit, lang, case) for n in (1, 2, 5)}  # type: ignore[arg-type]
        assert all(w and w.strip() == w for w in words)
        assert len(words) >= 2 or (lang, case) == ("ru", "gen")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("P3M", "ru", "3 месяца"),
        ("P1W", "ru", "1 неделя"),
        ("P2Y6M", "ru", "2 года и 6 месяцев"),
        ("P5Y", "ru", "5 лет"),
        ("P1Y2M3D", "en", "1 year, 2 months and 3 days"),
        ("P30D", "en", "30 days"),
        ("PT12H", "en", "12 hours"),
        ("PT0S", "en", "0 days"),
    ],
)
def test_durations_in_words(text: str, lang: str, expected: str) -> None:
    assert duration_phrase(Duration.parse(text), lang) == expected


def test_bad_input_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="negative"):
        ru_form(-1)
    with pytest.raises(ValueError, match="en and ru"):
        count_phrase(1, "day", "de")
    with pytest.raises(ValueError, match="unknown unit"):
        count_phrase(1, "fortnight", "en")  # type: ignore[arg-type]
