"""Counts of time units in words, with correct grammar, in English and Russian.

    count_phrase(10, "working_day", "ru")          -> "10 рабочих дней"
    count_phrase(21, "day", "ru")                  -> "21 день"
    count_phrase(1, "week", "ru")                  -> "1 неделя"
    count_phrase(3, "month", "ru", case="gen")     -> "3 месяцев"   ("в течение 3 месяцев")
    duration_phrase(Duration.parse("P2Y6M"), "en") -> "2 years 6 months"

Pure functions, no I/O. Russian nouns after a number take one of three forms, chosen by CLDR's
plural rule through Babel (1, 21, 101: "one"; 2-4, 22-24: "few"; 0, 5-20, 25-30: "many"); the
forms per grammatical case are written here, since gettext has no cases; the adjective
of "working day" agrees with them (1 рабочий день, 2 рабочих дня, 5 рабочих дней).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Final, Literal

from steward.register.duration import Duration

Unit = Literal["second", "minute", "hour", "day", "working_day", "week", "month", "year"]
Case = Literal["nom", "gen"]
Form = Literal["one", "few", "many"]

UNITS: Final[tuple[Unit, ...]] = (
    "second",
    "minute",
    "hour",
    "day",
    "working_day",
    "week",
    "month",
    "year",
)

# Russian forms per grammatical case: (one, few, many). The genitive is what follows
# "в течение", "не позднее", "до": «в течение 1 месяца», «не позднее 10 рабочих дней».
_RU: Final[dict[Case, dict[Unit, tuple[str, str, str]]]] = {
    "nom": {
        "second": ("секунда", "секунды", "секунд"),
        "minute": ("минута", "минуты", "минут"),
        "hour": ("час", "часа", "часов"),
        "day": ("день", "дня", "дней"),
        "working_day": ("рабочий день", "рабочих дня", "рабочих дней"),
        "week": ("неделя", "недели", "недель"),
        "month": ("месяц", "месяца", "месяцев"),
        "year": ("год", "года", "лет"),
    },
    "gen": {
        "second": ("секунды", "секунд", "секунд"),
        "minute": ("минуты", "минут", "минут"),
        "hour": ("часа", "часов", "часов"),
        "day": ("дня", "дней", "дней"),
        "working_day": ("рабочего дня", "рабочих дней", "рабочих дней"),
        "week": ("недели", "недель", "недель"),
        "month": ("месяца", "месяцев", "месяцев"),
        "year": ("года", "лет", "лет"),
    },
}

_EN: Final[dict[Unit, tuple[str, str]]] = {
    "second": ("second", "seconds"),
    "minute": ("minute", "minutes"),
    "hour": ("hour", "hours"),
    "day": ("day", "days"),
    "working_day": ("working day", "working days"),
    "week": ("week", "weeks"),
    "month": ("month", "months"),
    "year": ("year", "years"),
}


@cache
def _ru_plural() -> Callable[[int], str]:
    from babel import Locale

    rule: Callable[[int], str] = Locale.parse("ru").plural_form
    return rule


def ru_form(n: int) -> Form:
    """The Russian plural form a noun takes after the whole number ``n``."""
    if n < 0:
        raise ValueError(f"a count cannot be negative, got {n}")
    form = _ru_plural()(n)  # CLDR's rule, through Babel: "one", "few" or "many" for integers
    if form not in ("one", "few", "many"):
        raise ValueError(f"CLDR gave the unexpected plural form {form!r} for {n}")
    return form  # type: ignore[return-value]


def unit_word(n: int, unit: Unit, lang: str, case: Case = "nom") -> str:
    """The word for ``unit`` as it follows the number ``n`` (without the number)."""
    if unit not in _EN:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    if lang == "ru":
        one, few, many = _RU[case][unit]
        return {"one": one, "few": few, "many": many}[ru_form(n)]
    if lang == "en":
        if n < 0:
            raise ValueError(f"a count cannot be negative, got {n}")
        singular, plural = _EN[unit]
        return singular if n == 1 else plural
    raise ValueError(f"no grammar for language {lang!r}; Steward writes notices in en and ru")


def count_phrase(n: int, unit: Unit, lang: str, case: Case = "nom") -> str:
    """``n`` followed by the unit in the right form: "3 месяца", "1 week"."""
    return f"{n} {unit_word(n, unit, lang, case)}"


_PARTS: Final[tuple[tuple[str, Unit], ...]] = (
    ("years", "year"),
    ("months", "month"),
    ("weeks", "week"),
    ("days", "day"),
    ("hours", "hour"),
    ("minutes", "minute"),
    ("seconds", "second"),
)


def duration_phrase(duration: Duration, lang: str, case: Case = "nom") -> str:
    """A duration in words: "2 years 6 months", «1 год 6 месяцев», «3 месяца»."""
    words = [
        count_phrase(getattr(duration, field), unit, lang, case)
        for field, unit in _PARTS
        if getattr(duration, field)
    ]
    if not words:
        return count_phrase(0, "day", lang, case)
    if lang == "en" and len(words) > 1:
        return ", ".join(words[:-1]) + " and " + words[-1]
    if lang == "ru" and len(words) > 1:
        return " ".join(words[:-1]) + " и " + words[-1]
    return words[0]
