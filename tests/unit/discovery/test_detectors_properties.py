"""Detector properties: a valid identifier inside random text is found as its kind; the same
identifier with its checksum broken is not found as that kind."""

from __future__ import annotations

import re
from datetime import date, datetime

import phonenumbers
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from steward.discovery import validators as v
from steward.discovery.detectors import context_words
from steward.discovery.scanner import Scanner

from .strategies import (
    card,
    filler,
    iban_number,
    inn_number,
    ogrn_number,
    phone_number,
    snils_number,
)

SCANNER = Scanner(("RU", "US"))
CONTEXT = {"inn": "ИНН", "ogrn": "ОГРН", "snils": "СНИЛС", "passport": "паспорт"}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _found(text: str, value: str) -> set[str]:
    """Kinds of the hits that cover ``value`` in ``text``."""
    data = text.encode()
    at = text.index(value)
    start = len(text[:at].encode())
    end = start + len(value.encode())
    return {h.kind for h in SCANNER.scan(data) if h.start < end and start < h.end}


def _embed(before: str, value: str, after: str, label: str = "") -> str:
    return f"{before} {label} {value} {after}".strip()


def _break(number: str) -> str:
    last = str((int(number[-1]) + 1) % 10)
    return number[:-1] + last


def _kinds() -> st.SearchStrategy[tuple[str, str]]:
    return st.one_of(
        card().map(lambda x: ("card", x)),
        inn_number().map(lambda x: ("inn", x)),
        ogrn_number().map(lambda x: ("ogrn", x)),
        snils_number().map(lambda x: ("snils", x)),
    )


@FAST
@given(_kinds(), filler, filler)
def test_a_valid_identifier_in_random_text_is_found(kind_value, before, after) -> None:
    kind, value = kind_value
    text = _embed(before, value, after, CONTEXT.get(kind, ""))
    assert kind in _found(text, value)


@FAST
@given(_kinds(), filler, filler)
def test_a_broken_checksum_is_not_found_as_that_kind(kind_value, before, after) -> None:
    kind, value = kind_value
    broken = _break(value)
    still_valid = {
        "card": v.card, "inn": v.inn, "ogrn": v.ogrn, "snils": v.snils
    }[kind](broken)  # fmt: skip
    assume(not still_valid)  # an INN-12 has two check digits; a SNILS sum may wrap
    text = _embed(before, broken, after, CONTEXT.get(kind, ""))
    assert kind not in _found(text, broken)


@FAST
@given(iban_number(), st.booleans(), filler, filler)
def test_an_iban_is_found_with_or_without_spaces(number, spaced, before, after) -> None:
    written = " ".join(number[i : i + 4] for i in range(0, len(number), 4)) if spaced else number
    assert "iban" in _found(_embed(before, written, after), written)
    broken = number[:2] + f"{(int(number[2:4]) + 1) % 100:02d}" + number[4:]
    assume(not v.iban(broken))
    assert "iban" not in _found(_embed(before, broken, after), broken)


@FAST
@given(phone_number(), filler, filler)
def test_a_written_phone_number_is_found(number_region, before, after) -> None:
    written, region = number_region
    assume(phonenumbers.is_valid_number(phonenumbers.parse(written, region)))
    assert "phone" in _found(_embed(before, written, after, "tel."), written)


@FAST
@given(snils_number(), filler)
def test_a_printed_snils_needs_no_label(number, before) -> None:
    printed = f"{number[:3]}-{number[3:6]}-{number[6:9]} {number[9:]}"
    assert "snils" in _found(_embed(before, printed, "."), printed)


@FAST
@given(inn_number(), filler, filler)
def test_a_bare_ten_digit_number_without_a_label_is_no_inn(number, before, after) -> None:
    assume(len(number) == 10 and "инн" not in before.lower() and "inn" not in before.lower())
    assert "inn" not in _found(_embed(before, number, after), number)


@FAST
@given(st.lists(card(), min_size=1, max_size=3), st.integers(1, 99))
def test_cards_among_short_numbers_are_still_found(cards, order) -> None:
    text = " ".join(f"order {order} {number}" for number in cards)
    assert all("card" in _found(text, number) for number in cards)


def test_an_ogrnip_whose_remainder_by_13_has_two_digits_is_valid() -> None:
    body = "30450000000001"
    assert int(body) % 13 >= 10  # python-stdnum 2.2 refuses these
    number = body + str(int(body) % 13 % 10)
    assert v.ogrn(number)
    assert not v.ogrn(_break(number))


# Context words are found by Hyperscan in the scan's one pass; the rule they implement is the
# plain one below (the lower-cased text of the 48 bytes before the value, on its line and in
# its value, holds one of the kind's words; the nearest word decides between kinds).
_WORDS = context_words()
_PIECES = sorted(
    {w for kind in ("ogrn", "inn", "snils", "passport", "phone") for w in _WORDS[kind]}
)


def _last_word(window: str, kind: str) -> int:
    return max(
        (m.start() for w in _WORDS[kind] for m in re.finditer(re.escape(w), window)), default=-1
    )


@FAST
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_PIECES),
            st.sampled_from([str.lower, str.upper, str.title]),
            st.sampled_from([" ", "  ", ": ", "\n", "\x1e", ", ", "-", "xy "]),
        ),
        max_size=6,
    ),
    ogrn_number(),
)
def test_context_words_are_found_as_the_plain_rule_says(pieces, number) -> None:
    assume(not v.card(number))
    text = "".join(case(word) + sep for word, case, sep in pieces) + number + " end"
    data = text.encode()
    at = len(data) - len(number.encode()) - len(" end")
    before = data[max(0, at - 48) : at]
    cut = max(before.rfind(b"\x1e"), before.rfind(b"\n"))
    window = before[cut + 1 :].decode("utf-8", "ignore").lower()
    ogrn_at, phone_at = _last_word(window, "ogrn"), _last_word(window, "phone")
    expected = ogrn_at >= 0 and ogrn_at >= phone_at
    assert ("ogrn" in {h.kind for h in SCANNER.scan(text)}) == expected


_BORN = st.dates(min_value=date(1910, 1, 1), max_value=date(2020, 12, 31))
_DATE_FORMS = st.sampled_from(["%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y.%m.%d"])


def _birth_dates(text: str) -> list[str]:
    return [h.value for h in SCANNER.scan(text) if h.kind == "birth_date"]


@FAST
@given(
    _BORN,
    _DATE_FORMS,
    st.sampled_from(["Date of birth:", "born", "Дата рождения", "родился"]),
    st.sampled_from(["", " 12:30", " in Moscow", "."]),
    filler,
)
def test_a_date_of_birth_after_its_word_is_found_in_any_form(day, form, word, tail, before) -> None:
    written = day.strftime(form)
    groups = [int(x) for x in re.split(r"[./-]", written)]
    if form.startswith("%Y"):  # the year first: year, month, day
        expected = day
    elif groups[1] > 12:  # the year last: day first, unless the second group cannot be a month
        expected = date(groups[2], groups[0], groups[1])
    else:
        expected = date(groups[2], groups[1], groups[0])
    text = f"{before} {word} {written}{tail}"
    assert _birth_dates(text) == [expected.isoformat()]
    assume(not any(w in before.lower() for w in _WORDS["birth_date"]))
    assert _birth_dates(f"{before} {written}{tail}") == []  # no word that says so


@FAST
@given(st.sampled_from(["31.02.1990", "1990-13-01", "00.05.1990", "1990/02/30"]), filler)
def test_what_is_not_a_calendar_date_is_not_a_date_of_birth(written, before) -> None:
    assert _birth_dates(f"{before} born {written}") == []


@FAST
@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31)),
    st.uuids(),
    st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M", "%H:%M:%S"]),
    filler,
)
def test_timestamps_and_uuids_alone_are_no_hits(when, ident, form, before) -> None:
    assume(not any(w in before.lower() for w in _WORDS["birth_date"]))
    text = f"{before} at {when.strftime(form)} request {ident} done"
    assert SCANNER.scan(text) == []


@FAST
@given(
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H"]),
    filler,
)
def test_a_date_of_any_four_digit_year_is_a_date_not_a_phone_number(when, form, before) -> None:
    # "2423-02-01 00:00": a year past 2200 was no date, and its digits a Bahamas number
    assume(not any(w in before.lower() for w in _WORDS["birth_date"] + _WORDS["phone"]))
    text = f"{before} at {when.strftime(form)} done"
    assert SCANNER.scan(text) == []
    assert SCANNER.scan("deployed 2423-02-01 00:00") == []
