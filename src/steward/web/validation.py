"""pydantic's field-by-field validation errors told in the reader's language.

    told(problem, "ru")   # one entry of RequestValidationError.errors(): its ``msg`` in Russian

Only the ``msg`` is told: the ``type`` and the ``loc`` are pydantic's and never change. The
English here is pydantic's own template with ``%(name)s`` for its ``ctx`` values; a message is
translated only when that English, filled from the error's ``ctx``, is exactly pydantic's
``msg``, so a template pydantic changes (or a type not listed here) keeps pydantic's English,
never a wrong translation. Counts take the reader's plural forms ("at most 1 character",
"не длиннее 21 символа"). A ``value_error`` raised with a ``lib.i18n.Told`` is told in full;
the detail pydantic adds to a parsing error (``Input should be a valid datetime, input is too
short``) stays pydantic's English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from steward.lib import i18n
from steward.lib.i18n import N_

MESSAGES: dict[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "string_pattern_mismatch": N_("String should match pattern '%(pattern)s'"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_attributes_type": N_(
        "Input should be a valid dictionary or object to extract fields from"
    ),
    "greater_than": N_("Input should be greater than %(gt)s"),
    "greater_than_equal": N_("Input should be greater than or equal to %(ge)s"),
    "less_than": N_("Input should be less than %(lt)s"),
    "less_than_equal": N_("Input should be less than or equal to %(le)s"),
    "enum": N_("Input should be %(expected)s"),
    "literal_error": N_("Input should be %(expected)s"),
    "json_invalid": N_("JSON decode error"),
    "datetime_type": N_("Input should be a valid datetime"),
    "datetime_parsing": N_("Input should be a valid datetime, %(error)s"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, %(error)s"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, %(error)s"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, %(error)s"),
    "timezone_aware": N_("Input should have timezone info"),
    "uuid_parsing": N_("Input should be a valid UUID, %(error)s"),
    "url_parsing": N_("Input should be a valid URL, %(error)s"),
    "value_error": N_("Value error, %(error)s"),
}
"""Each type's message, English as pydantic writes it (pydantic 2's templates)."""

Plural = Callable[[Callable[[str, str, int], str], int], str]

PLURALS: dict[str, tuple[str, Plural]] = {
    "string_too_short": (
        "min_length",
        lambda ngettext, n: ngettext(
            "String should have at least %(num)s character",
            "String should have at least %(num)s characters",
            n,
        ),
    ),
    "string_too_long": (
        "max_length",
        lambda ngettext, n: ngettext(
            "String should have at most %(num)s character",
            "String should have at most %(num)s characters",
            n,
        ),
    ),
    "too_short": (
        "min_length",
        lambda ngettext, n: ngettext(
            "List should have at least %(num)s item after validation, not %(actual_length)s",
            "List should have at least %(num)s items after validation, not %(actual_length)s",
            n,
        ),
    ),
    "too_long": (
        "max_length",
        lambda ngettext, n: ngettext(
            "List should have at most %(num)s item after validation, not %(actual_length)s",
            "List should have at most %(num)s items after validation, not %(actual_length)s",
            n,
        ),
    ),
}
"""The types whose message counts: the ``ctx`` key of the count and the message's forms."""


def told(problem: Mapping[str, Any], lang: str) -> str:
    """``problem``'s ``msg`` in ``lang`` where Steward knows its type; else pydantic's."""
    english = str(problem.get("msg", ""))
    kind = str(problem.get("type", ""))
    ctx = dict(problem.get("ctx") or {})
    if kind in PLURALS:
        return _counted(kind, ctx, english, lang)
    text = MESSAGES.get(kind)
    if text is None:
        return english
    theirs = {key: _value(value, "en") for key, value in ctx.items()}
    if not _same(text, theirs, english):
        return english
    ours = {key: _value(value, lang) for key, value in ctx.items()}
    if kind in ("enum", "literal_error") and isinstance(ctx.get("expected"), str):
        ours["expected"] = _either(ctx["expected"], lang)
    return i18n.say(text, lang, ours)


def _counted(kind: str, ctx: dict[str, Any], english: str, lang: str) -> str:
    key, forms = PLURALS[kind]
    count = ctx.get(key)
    if not isinstance(count, int) or (
        kind in ("too_short", "too_long") and ctx.get("field_type") != "List"
    ):
        return english
    params = {"num": count, **{k: v for k, v in ctx.items() if isinstance(v, int | str)}}
    source = forms(i18n.translator("en").ngettext, count)
    if not _same(source, params, english):
        return english
    return i18n.fill(forms(i18n.translator(lang).ngettext, count), source, params)


def _same(template: str, params: Mapping[str, Any], english: str) -> bool:
    """Whether ``template`` filled from ``params`` is pydantic's ``english`` word for word."""
    try:
        return template % dict(params) == english
    except (KeyError, ValueError, TypeError):  # a ctx without the values the template names
        return False


def _value(value: Any, lang: str) -> Any:
    """A ``ctx`` value as the message shows it: a ``Told`` error in ``lang``."""
    if isinstance(value, BaseException):
        return i18n.told(value, lang)
    return value


def _either(expected: str, lang: str) -> str:
    """pydantic's list of allowed values ("'a', 'b' or 'c'") with the reader's "or"."""
    head, sep, tail = expected.rpartition(" or ")
    if not sep:
        return expected
    return i18n.say(N_("%(head)s or %(tail)s"), lang, {"head": head, "tail": tail})
