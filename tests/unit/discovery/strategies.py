"""Hypothesis strategies: valid identifiers of each kind, built by their published rules."""

from __future__ import annotations

import phonenumbers
from hypothesis import strategies as st
from stdnum import iban, luhn
from stdnum.ru import inn, ogrn

DIGIT = "0123456789"


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(DIGIT, min_size=n, max_size=n)


@st.composite
def card(draw: st.DrawFn) -> str:
    prefix, length = draw(
        st.sampled_from([("4", 16), ("51", 16), ("55", 16), ("2200", 16), ("37", 15), ("6011", 16)])
    )
    body = prefix + draw(digits(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


@st.composite
def inn_number(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        body = draw(st.sampled_from(["77", "50", "78", "16"])) + draw(digits(7))
        return body + inn.calc_company_check_digit(body + "0")
    body = draw(st.sampled_from(["77", "50", "78", "16"])) + draw(digits(8))
    return body + inn.calc_personal_check_digits(body + "00")


@st.composite
def ogrn_number(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        body = draw(st.sampled_from("15")) + draw(digits(11))
        return body + ogrn.calc_check_digit(body + "0")
    body = draw(st.sampled_from("34")) + draw(digits(13))
    return body + str(int(body) % 13 % 10)  # the last digit of the remainder


def snils_check(body: str) -> str:
    total = sum(int(d) * w for d, w in zip(body, range(9, 0, -1), strict=True)) % 101
    return f"{0 if total == 100 else total:02d}"


@st.composite
def snils_number(draw: st.DrawFn) -> str:
    body = draw(digits(9).filter(lambda b: int(b) > 1001998))
    return body + snils_check(body)


@st.composite
def iban_number(draw: st.DrawFn) -> str:
    country, bban = draw(
        st.sampled_from(
            [
                ("DE", digits(18)),
                ("RU", st.builds(lambda a, b: a + b, digits(14), digits(15))),
                ("FR", digits(23)),
            ]
        )
    )
    text = draw(bban)
    number = country + "00" + text
    return country + iban.calc_check_digits(number) + text


@st.composite
def phone_number(draw: st.DrawFn) -> tuple[str, str]:
    """A valid number and the form it is written in (international or national)."""
    region = draw(st.sampled_from(["RU", "US"]))
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    tail = draw(digits(4))
    number = phonenumbers.parse(national[:-4] + tail, region)
    form = draw(
        st.sampled_from(
            [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL]
        )
    )
    return phonenumbers.format_number(number, form), region


filler = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz АБВГДЕЖЗабвгдежзийклмн.,;!?-")),
    max_size=60,
)
