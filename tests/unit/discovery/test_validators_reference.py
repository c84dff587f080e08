"""The fast validators give the answers of the libraries they stand in for.

Discovery validates phone numbers against phonenumbers' metadata compiled once, IBANs with the
mod 97 check before python-stdnum's structure, the Luhn, INN and SNILS checksums on bytes: each
property below compares with the library's own function (for SNILS, which stdnum lacks, the
published rule) on generated input, valid and invalid.
"""

from __future__ import annotations

from datetime import date

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumber
from stdnum import iban, luhn
from stdnum.ru import inn

from steward.discovery import validators as v

from .strategies import card, iban_number, inn_number, snils_check, snils_number

MANY = settings(max_examples=600, deadline=None)
CODES = sorted(COUNTRY_CODE_TO_REGION_CODE)


def _reference_valid(code: int, national: str, region: str | None) -> bool:
    if not national or len(national) > 17:
        return False
    number = PhoneNumber(
        country_code=code,
        national_number=int(national),
        italian_leading_zero=national[0] == "0" or None,
    )
    if region is not None and phonenumbers.is_valid_number_for_region(number, region):
        return True
    return bool(phonenumbers.is_valid_number(number))


@st.composite
def _national(draw: st.DrawFn) -> tuple[int, str]:
    """A country code and a national number: random digits, or an example number of one of its
    regions with some digits changed (so that about half are valid)."""
    code = draw(st.sampled_from([1, 7, 44, 49, 380, 375, 800, 882, *CODES]))
    if draw(st.booleans()):
        region = draw(st.sampled_from(COUNTRY_CODE_TO_REGION_CODE[code]))
        if region == "001":
            example = phonenumbers.example_number_for_non_geo_entity(code)
        else:
            example = phonenumbers.example_number(region)
        digits = list(str(example.national_number) if example else "5551234")
        for at in draw(st.lists(st.integers(0, len(digits) - 1), max_size=2)):
            digits[at] = draw(st.sampled_from("0123456789"))
        return code, "".join(digits)
    return code, draw(st.text("0123456789", min_size=1, max_size=16))


@MANY
@given(_national(), st.sampled_from([None, "RU", "US", "GB", "KZ"]))
def test_a_national_number_is_valid_exactly_when_phonenumbers_says_so(number, region) -> None:
    code, national = number
    assert v._valid_number(code, national, region) == _reference_valid(code, national, region)


@MANY
@given(st.one_of(iban_number(), st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=36)))
def test_an_iban_is_valid_exactly_when_stdnum_says_so(text) -> None:
    assert v.iban(text) == (15 <= len(text) <= 34 and iban.is_valid(text))


@MANY
@given(iban_number(), st.integers(4, 30), st.sampled_from("0123456789"))
def test_a_changed_iban_digit_is_refused_as_stdnum_refuses_it(number, at, digit) -> None:
    changed = number[:at] + digit + number[at + 1 :] if at < len(number) else number
    assert v.iban(changed) == iban.is_valid(changed)


@MANY
@given(st.text("0123456789", min_size=12, max_size=19))
def test_the_luhn_check_agrees_with_stdnum(digits) -> None:
    assert v._luhn(digits.encode("ascii")) == luhn.is_valid(digits)


@MANY
@given(st.one_of(st.text("0123456789", min_size=10, max_size=20), card()))
def test_a_card_is_a_card_as_text_or_as_bytes(digits) -> None:
    assert v.card(digits.encode("ascii")) == v.card(digits)


@MANY
@given(st.one_of(st.text("0123456789", min_size=9, max_size=13), inn_number()))
def test_the_inn_check_agrees_with_stdnum(digits) -> None:
    """The check digits computed in one expression are stdnum's (a leading "00" is refused)."""
    if len(digits) == 10:
        expected = inn.calc_company_check_digit(digits) == digits[-1]
    elif len(digits) == 12:
        expected = inn.calc_personal_check_digits(digits) == digits[-2:]
    else:
        expected = False
    assert v.inn(digits) == (expected and digits[:2] != "00")


@MANY
@given(st.one_of(st.text("0123456789", min_size=10, max_size=12), snils_number()))
def test_the_snils_check_is_the_published_rule(digits) -> None:
    """The weighted sum (9 down to 1) modulo 101, 100 written as 00; numbers up to 001-001-998
    carry no checksum and are refused."""
    expected = (
        len(digits) == 11 and int(digits[:9]) > 1001998 and snils_check(digits[:9]) == digits[9:]
    )
    assert v.snils(digits) == expected


_HEXTET = st.sampled_from(["", "0", "1", "ab", "fFf", "ffff", "12345", "db8", "a0b"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_HEXTET, min_size=0, max_size=11), st.sampled_from(["", ":", "::"]))
def test_ipv6_of_hex_and_colons_says_what_ipaddress_says(groups, edge) -> None:
    import ipaddress

    text = edge + ":".join(groups)
    try:
        ipaddress.IPv6Address(text)
        expected = "::" in text or text.count(":") == 7
    except ValueError:
        expected = False
    assert v.ipv6(text) == expected


def test_the_date_kept_for_the_day_is_today() -> None:
    before = date.today()
    assert v.current_date() in {before, date.today()}
    assert v.current_date() is v.current_date()  # kept, not asked of the system again
