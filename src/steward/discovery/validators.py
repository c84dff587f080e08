"""Validators run on candidates only: each takes the candidate's digits (or text) and says yes/no.

Checksums come from python-stdnum (Luhn, INN, OGRN/OGRNIP, IBAN) and phonenumbers; SNILS has
no stdnum module, so its published checksum (Pension Fund rules) is computed here; a Russian
passport number has no checksum, only a plausible series (region code and year of the form).
"""

from __future__ import annotations

import ipaddress
import re
import time
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata
from stdnum import iban as _iban
from stdnum.ru import ogrn as _ogrn

# Issuer prefixes (IIN ranges) of the card schemes in use; a Luhn-valid number outside them is
# an order number, not a card. Ranges are (prefix length, low, high, allowed lengths).
_CARD_RANGES: tuple[tuple[int, int, int, tuple[int, ...]], ...] = (
    (1, 4, 4, (13, 16, 19)),  # Visa
    (2, 51, 55, (16,)),  # Mastercard
    (4, 2221, 2720, (16,)),  # Mastercard 2-series
    (4, 2200, 2204, (16, 17, 18, 19)),  # Mir
    (2, 34, 34, (15,)),  # American Express
    (2, 37, 37, (15,)),
    (4, 6011, 6011, (16, 19)),  # Discover
    (2, 65, 65, (16, 19)),
    (3, 644, 649, (16, 19)),
    (4, 3528, 3589, (16, 17, 18, 19)),  # JCB
    (3, 300, 305, (14, 16, 19)),  # Diners Club
    (2, 36, 36, (14, 16, 19)),
    (2, 38, 39, (16, 19)),
    (2, 62, 62, (16, 17, 18, 19)),  # UnionPay
    (2, 50, 50, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    (2, 56, 58, (12, 13, 14, 15, 16, 17, 18, 19)),
    (2, 67, 67, (12, 13, 14, 15, 16, 17, 18, 19)),
)


_CARD_PREFIXES = frozenset(
    (written, n)
    for width, low, high, lengths in _CARD_RANGES
    for prefix in range(low, high + 1)
    for n in lengths
    for written in (str(prefix), str(prefix).encode("ascii"))
)


def card(digits: str | bytes) -> bool:
    """A payment card number: a scheme's prefix and length, and the Luhn checksum (digits as
    text, or as the ASCII bytes the scanner finds them in)."""
    n = len(digits)
    if n < 12 or n > 19:
        return False
    prefixes = _CARD_PREFIXES
    if (
        (digits[:1], n) in prefixes
        or (digits[:2], n) in prefixes
        or (digits[:3], n) in prefixes
        or (digits[:4], n) in prefixes
    ):
        return _luhn(digits.encode("ascii") if isinstance(digits, str) else digits)
    return False


# each digit byte -> the digit sum of twice the digit, as a byte value (for bytes.translate)
_DOUBLED = bytes.maketrans(b"0123456789", bytes((2 * d) // 10 + (2 * d) % 10 for d in range(10)))


def _luhn(data: bytes) -> bool:
    """The Luhn checksum of ASCII digits (what ``stdnum.luhn.is_valid`` computes, without its
    cleaning and validation of the input: the scanner's candidates are digits already)."""
    kept = data[-1::-2]
    total = sum(kept) - 48 * len(kept) + sum(data[-2::-2].translate(_DOUBLED))
    return total % 10 == 0


# INN and OGRN take digits only (the scanner's candidates). INN's check digits are python-stdnum's
# (``calc_company_check_digit``, ``calc_personal_check_digits``: weighted sums modulo 11, then
# 10) computed on the digits' byte values in one expression (stdnum sums a generator: about
# five times slower); OGRN calls stdnum's check-digit function directly rather than its
# is_valid, which cleans and re-validates the format. tests/unit/discovery/
# test_validators_reference.py holds both to stdnum's answers.


def inn(digits: str) -> bool:
    """A Russian taxpayer number: 10 digits (organisation) or 12 (person), checksummed."""
    if digits[:2] == "00" or not digits.isdigit() or not digits.isascii():
        return False
    b = digits.encode("ascii")
    if len(b) == 10:
        # weights 2 4 10 3 5 9 4 6 8 (their sum, 51, times 48 takes away the bytes' '0')
        total = 2 * b[0] + 4 * b[1] + 10 * b[2] + 3 * b[3] + 5 * b[4] + 9 * b[5] + 4 * b[6]
        return (total + 6 * b[7] + 8 * b[8] - 2448) % 11 % 10 == b[9] - 48
    if len(b) != 12:
        return False
    # weights 7 2 4 10 3 5 9 4 6 8 (sum 58), then 3 7 2 4 10 3 5 9 4 6 8 (sum 61)
    first = 7 * b[0] + 2 * b[1] + 4 * b[2] + 10 * b[3] + 3 * b[4] + 5 * b[5] + 9 * b[6]
    if (first + 4 * b[7] + 6 * b[8] + 8 * b[9] - 2784) % 11 % 10 != b[10] - 48:
        return False
    second = 3 * b[0] + 7 * b[1] + 2 * b[2] + 4 * b[3] + 10 * b[4] + 3 * b[5] + 5 * b[6]
    second += 9 * b[7] + 4 * b[8] + 6 * b[9] + 8 * b[10] - 2928
    return second % 11 % 10 == b[11] - 48


def ogrn(digits: str) -> bool:
    """A Russian state registration number: OGRN (13 digits) or OGRNIP (15, starting with 3
    or 4), checksummed.

    An OGRNIP's check digit is the last digit of the remainder of its first 14 digits divided
    by 13. python-stdnum 2.2 compares the whole remainder, so it refuses the valid OGRNIPs
    whose remainder is 10, 11 or 12 (about one in four); that case is computed here.
    """
    if len(digits) == 13 and digits[0] != "0" and digits.isdigit():
        return bool(_ogrn.calc_check_digit(digits) == digits[-1])
    if len(digits) == 15 and digits[0] in "34" and digits.isdigit():
        return int(digits[:14]) % 13 % 10 == int(digits[-1])
    return False


def snils(digits: str) -> bool:
    """A Russian pension insurance number (SNILS): 9 digits and a 2-digit checksum.

    The checksum is the sum of each of the first nine digits times its weight (9 down to 1),
    taken modulo 101, with 100 written as 00. Numbers up to 001-001-998 carry no checksum and
    were never issued to people, so they are refused.
    """
    if len(digits) != 11 or not digits.isdigit() or not digits.isascii():
        return False
    b = digits.encode("ascii")
    if int(b[:9]) <= 1001998:
        return False
    # weights 9 down to 1 (their sum, 45, times 48 takes away the bytes' '0')
    total = 9 * b[0] + 8 * b[1] + 7 * b[2] + 6 * b[3] + 5 * b[4] + 4 * b[5] + 3 * b[6]
    total = (total + 2 * b[7] + b[8] - 2160) % 101
    return (0 if total == 100 else total) == int(b[9:])


# OKATO region codes that appear as the first two digits of a passport series.
_PASSPORT_REGIONS = frozenset(
    {1, 3, 4, 5, 7, 8, 10, 11, 12, 14, 15, 17, 18, 19, 20, 22, 24, 25, 26, 27, 28, 29, 30}
    | set(range(32, 39))
    | set(range(40, 50))
    | {50, 52, 53, 54, 56, 57, 58, 60, 61, 63, 64, 65, 66, 67, 68, 69, 70, 71, 73}
    | set(range(75, 90))
    | {90, 91, 92, 93, 94, 95, 96, 97, 98, 99}
)


# today's date, and the clock time (time.time()) at which it ends: the scanner asks for today
# per candidate date or passport, and date.today() costs a microsecond
_TODAY: list[Any] = [date.min, float("-inf")]


def current_date() -> date:
    """``date.today()``, asked of the system again only once the local day is over."""
    if time.time() >= _TODAY[1]:
        day = date.today()
        _TODAY[0] = day  # the day first: a reader that sees the new end sees the new day
        _TODAY[1] = datetime.combine(day + timedelta(days=1), datetime.min.time()).timestamp()
    day_now: date = _TODAY[0]
    return day_now


def passport_ru(digits: str, today: date | None = None) -> bool:
    """A Russian internal passport (4-digit series, 6-digit number): a region code and a year
    of the form (1997 onwards) that exist. There is no checksum; callers need context too."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    year = int(digits[2:4])
    this_year = (today or current_date()).year % 100
    plausible_year = year >= 97 or year <= this_year
    return int(digits[:2]) in _PASSPORT_REGIONS and plausible_year and digits[4:] != "000000"


_IBAN_LETTERS = {chr(c): str(c - 55) for c in range(65, 91)}
_IBAN_DIGITS = str.maketrans(_IBAN_LETTERS)


@lru_cache(maxsize=256)
def _bban(country: str) -> tuple[re.Pattern[str] | None, bool]:
    """The structure of a country's BBAN (python-stdnum's IBAN registry), and whether stdnum
    has a national check for it (Belgium, Spain); cached, as stdnum rebuilds both per call."""
    info = _iban._ibandb.info(country)
    props = info[0][1] if info and info[0][0] == country else {}
    if not props:
        return None, False
    return _iban._struct_to_re(props.get("bban", "")), _iban._get_cc_module(country) is not None


def iban(text: str) -> bool:
    """An IBAN (any country, Russia's 33 characters included) with valid check digits.

    The same rules as ``stdnum.iban.is_valid`` (the ISO 7064 mod 97-10 check, the country's
    BBAN structure, the national check where stdnum has one), in the order cheapest first."""
    if not (15 <= len(text) <= 34) or not text.isalnum() or not text.isascii():
        return False
    if not text.isupper() and not text.isdigit():
        text = text.upper()
    country = text[:2]
    if not country.isalpha():
        return False
    structure, national = _bban(country)
    if structure is None or not structure.match(text[4:]):
        return False
    if int((text[4:] + text[:4]).translate(_IBAN_DIGITS)) % 97 != 1:
        return False
    return not national or _iban.is_valid(text)


def ipv4(text: str) -> bool:
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for p in parts:  # (loops, not any() over a generator: this runs per candidate)
        if not p or len(p) > 3 or (len(p) > 1 and p[0] == "0"):
            return False
    for p in parts:
        if int(p) > 255:
            return False
    return parts != ["0", "0", "0", "0"]


_HEX_AND_COLON = "0123456789abcdefABCDEF:"


def ipv6(text: str) -> bool:
    """An IPv6 address, as ``ipaddress.IPv6Address`` accepts it; text of hex digits and colons
    only (what the scanner finds) is checked here by the same rules, without the exception an
    invalid address costs there."""
    if "::" not in text and text.count(":") != 7:
        return False
    if not text.strip(_HEX_AND_COLON):
        return _hextets(text)
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _hextets(text: str) -> bool:
    """``ipaddress``'s rules for hex digits and colons: 3 to 9 parts, at most one "::" (an
    empty part inside), a leading or trailing ':' only as part of it, at least one group left
    out by it, else exactly eight groups; every group at most four digits."""
    parts = text.split(":")
    n = len(parts)
    if n < 3 or n > 9:
        return False
    skip = -1
    for i in range(1, n - 1):
        if not parts[i]:
            if skip >= 0:
                return False
            skip = i
    if skip >= 0:
        high, low = skip, n - skip - 1
        if not parts[0]:
            high -= 1
            if high:
                return False
        if not parts[-1]:
            low -= 1
            if low:
                return False
        if high + low > 7:
            return False
    elif n != 8 or not parts[0] or not parts[-1]:
        return False
    return all(len(part) <= 4 for part in parts)


@lru_cache(maxsize=64)
def _region(region: str) -> tuple[int, str, str]:
    """The country code, national prefix ('8' in Russia) and international prefix of a region."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return 0, "", ""
    idd = meta.international_prefix or ""
    return meta.country_code or 0, meta.national_prefix or "", idd if idd.isdigit() else ""


_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line", "mobile",
)  # fmt: skip


class _Rules:
    """One region's validity rules from phonenumbers' metadata, compiled once.

    A number is valid for a region when its national significant number matches the general
    description and at least one number type (fixed line, mobile, toll free ...), each with its
    possible lengths: what ``phonenumbers._number_type_helper(...) != UNKNOWN`` decides, with
    the types of one length joined into one expression instead of matched one by one.
    """

    __slots__ = ("by_length", "general", "general_lengths", "leading")

    def __init__(self, meta: PhoneMetadata) -> None:
        desc = meta.general_desc
        self.general = re.compile((desc and desc.national_number_pattern) or "(?!)")
        self.general_lengths = frozenset((desc and desc.possible_length) or ())
        self.leading = re.compile(meta.leading_digits) if meta.leading_digits else None
        patterns: dict[int, list[str]] = {}
        for name in _TYPES:
            type_desc = getattr(meta, name)
            if type_desc is None or not type_desc.national_number_pattern:
                continue
            for length in type_desc.possible_length or range(1, 18):
                patterns.setdefault(length, []).append(type_desc.national_number_pattern)
        self.by_length = {
            n: re.compile("|".join(f"(?:{p})" for p in ps)) for n, ps in patterns.items()
        }

    def valid(self, nsn: str) -> bool:
        n = len(nsn)
        if self.general_lengths and n not in self.general_lengths:
            return False
        if not self.general.fullmatch(nsn):
            return False
        types = self.by_length.get(n)
        return types is not None and types.fullmatch(nsn) is not None


@lru_cache(maxsize=512)
def _rules(region: str, country_code: int = 0) -> _Rules | None:
    if region == "001":  # a non-geographic code: +800 freephone, +882 networks
        meta = PhoneMetadata.metadata_for_nongeo_region(country_code)
    else:
        meta = PhoneMetadata.metadata_for_region(region)
    return None if meta is None else _Rules(meta)


def _valid_number(country_code: int, national: str, region: str | None = None) -> bool:
    """Whether ``national`` is a valid number of ``country_code``: ``region``'s rules first
    (cheap), then the region phonenumbers' ``is_valid_number`` would pick among those that
    share the code (+1: Canada, the Caribbean; +7: Kazakhstan), by the same rule: the first
    whose leading digits match, or, for a region without them, whose rules accept it."""
    if not national or len(national) > 17:
        return False
    # the national significant number as phonenumbers writes it: one leading zero kept
    nsn = str(int(national))
    if national[0] == "0":
        nsn = "0" + nsn
    if region is not None and _region(region)[0] == country_code:
        rules = _rules(region)
        if rules is not None and rules.valid(nsn):
            return True
    lengths, rules_in_order = _country(country_code)
    if len(nsn) not in lengths:
        return False
    return _valid_in_country(nsn, rules_in_order)


def _valid_in_country(nsn: str, rules_in_order: tuple[_Rules, ...]) -> bool:
    """By the region phonenumbers' ``is_valid_number`` picks among those sharing a country
    code: the first whose leading digits match, or, for a region without them, whose rules
    accept the number."""
    if len(rules_in_order) == 1:
        return rules_in_order[0].valid(nsn)
    for rules in rules_in_order:
        if rules.leading is not None:
            if rules.leading.match(nsn):
                return rules.valid(nsn)
        elif rules.valid(nsn):
            return True
    return False


@lru_cache(maxsize=512)
def _country(country_code: int) -> tuple[frozenset[int], tuple[_Rules, ...]]:
    """The rules of the regions sharing a country code, in phonenumbers' order, and every
    length a number of any of them may have (a number of another length fails at once)."""
    found = [_rules(r, country_code) for r in COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())]
    rules = tuple(r for r in found if r is not None)
    lengths: set[int] = set()
    for r in rules:
        lengths |= r.general_lengths or set(range(1, 19))
    return frozenset(lengths), rules


def _international(digits: str) -> bool:
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            national = digits[size:]
            # "+44 (0)20 ...": the national trunk prefix written inside an international number
            return _valid_number(code, national) or (
                national[:1] == "0" and _valid_number(code, national[1:])
            )
    return False


def phone(text: str, regions: tuple[str, ...]) -> bool:
    """A valid telephone number: international with '+', else national in one of ``regions``
    (with or without the national prefix, or with the country code but no '+').

    The number is built from its digits and checked against phonenumbers' metadata, which is
    what ``phonenumbers.parse`` then ``is_valid_number`` do, without the parser's text work.
    """
    digits = "".join(c for c in text if c.isdigit())
    return phone_digits(digits, text.lstrip("(").startswith("+"), regions)


# a region's numbers as phone_digits reads them: its country code (as digits), national and
# international prefixes, its own rules, and its country's lengths and rules (see _country)
_National = tuple[str, str, str, "_Rules | None", frozenset[int], tuple[_Rules, ...]]


@lru_cache(maxsize=64)
def _national_plan(region: str) -> _National | None:
    code, national_prefix, idd = _region(region)
    if not code:
        return None
    return (str(code), national_prefix, idd, _rules(region), *_country(code))


def _valid_national(national: str, plan: _National) -> bool:
    """``_valid_number(code, national, region)`` for the region of ``plan``: the length that no
    region of the code has refused first (the region's own lengths are among its country's)."""
    if not national or len(national) > 17:
        return False
    nsn = str(int(national))
    if national[0] == "0":
        nsn = "0" + nsn
    _code, _prefix, _idd, rules, lengths, rules_in_order = plan
    if len(nsn) not in lengths:
        return False
    if rules is not None and rules.valid(nsn):
        return True
    return _valid_in_country(nsn, rules_in_order)


def phone_digits(digits: str, international: bool, regions: tuple[str, ...]) -> bool:
    """``phone`` for a number already reduced to its digits (``international``: written after
    a '+')."""
    if len(digits) < 6:
        return False
    if international:
        return _international(digits)
    for region in regions:
        plan = _national_plan(region)
        if plan is None:
            continue
        country, national_prefix, idd = plan[0], plan[1], plan[2]
        if idd and digits.startswith(idd) and _international(digits[len(idd) :]):
            return True
        if _valid_national(digits, plan):
            return True
        trunk = national_prefix and digits.startswith(national_prefix)
        if trunk and _valid_national(digits[len(national_prefix) :], plan):
            return True
        if digits.startswith(country) and _valid_national(digits[len(country) :], plan):
            return True
    return False


def email(text: str) -> bool:
    """A plausible address: one '@', a local part without edge or double dots, a dotted domain
    whose labels do not start or end with '-', a letters-only top-level domain."""
    local, _, domain = text.rpartition("@")
    if not local or len(text) > 254 or len(local) > 64:
        return False
    if local[0] == "." or local[-1] == "." or ".." in local:
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not labels[-1].isalpha():
        return False
    for label in labels:  # noqa: SIM110 (a loop: all() over a generator costs 1 us a call)
        if not label or label[0] == "-" or label[-1] == "-":
            return False
    return True


def birth_date(day: int, month: int, year: int, today: date | None = None) -> bool:
    """A real calendar date between 120 years ago and today."""
    today = today or current_date()
    try:
        when = date(year, month, day)
    except ValueError:
        return False
    return today.year - 120 <= when.year and when <= today
