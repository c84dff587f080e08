"""Identifier normalising: one canonical form per e-mail, phone number and account id.

    normalise_email(" Anna@Example.COM ")        -> "anna@example.com"
    normalise_phone("8 (912) 345-67-89", "RU")   -> "+79123456789"   (E.164, the operator's region)
    normalise("account-id", " 42 ", None)        -> "42"
    clean_email("not an address")                -> raises IdentifierError (what a form says)

Every place that stores or searches an identifier (request intake, datastore matching, the
consent ledger's digests, accounts, the outbox's recipient digest) uses these, so the same
identifier typed differently is one value everywhere. ``normalise_*`` are lenient (a stored
value that is not valid stays comparable, or is None); ``clean_*`` are strict and raise
:class:`IdentifierError` with a message for the person who typed it. For every valid input the
two agree. A phone number without a country code is read in the operator's region
(``operator.country`` of the register); there is no default region.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from steward.lib.i18n import N_, Told

KINDS = ("email", "phone", "account-id")
PHONE_MAX = 40
ACCOUNT_MAX = 200


class IdentifierError(Told, ValueError):
    """An identifier that is not valid; the message says what would be (English, translated
    where the reader's language is known: ``i18n.told``)."""


# quoted local parts and domain literals are where the validator rewrites an ASCII address
_LITERAL = re.compile(r'["\[\]\\]')


@lru_cache(maxsize=4096)
def _validated_email(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def normalise_email(value: object) -> str | None:
    """The canonical e-mail: validated and lower-cased; an invalid one only trimmed and lowered."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    lowered = text.lower()
    if len(text) <= 320 and text.isascii() and not _LITERAL.search(text) and "xn--" not in lowered:
        # an ASCII address the validator would accept comes back lower-cased, and one it
        # would refuse is lower-cased too: the same answer without running it (a test pins it);
        # a punycode domain is not: the validator writes it in Unicode
        return lowered
    return _validated_email(text[:320]) or text.lower()


BAD_EMAIL = N_("the e-mail address is not valid; write it as name@example.com")


def clean_email(value: str) -> str:
    """The canonical form of an e-mail someone typed; raises when it is not an address."""
    text = value.strip()
    checked = _validated_email(text[:320]) if text else None
    if checked is None:
        raise IdentifierError(BAD_EMAIL)
    return checked


def clean_email_to_store(value: str) -> str:
    """A valid e-mail as the person typed it (only its domain lower-cased), for writing into
    the operator's database; raises when it is not an address. Matching uses ``clean_email``."""
    text = value.strip()[:320]
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise IdentifierError(BAD_EMAIL) from None


def _parse_phone(value: object, region: str | None) -> phonenumbers.PhoneNumber | None:
    text = str(value).strip()[:PHONE_MAX]
    if not text:
        return None
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def normalise_phone(value: object, region: str | None) -> str | None:
    """E.164 of ``value`` read in ``region``, or None when it is not a possible number."""
    if value is None:
        return None
    number = _parse_phone(value, region)
    if number is None or not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_phone(value: str, region: str | None) -> str:
    """E.164 of a phone number someone typed; raises when it is not a valid number."""
    number = _parse_phone(value, region)
    if number is None or not phonenumbers.is_valid_number(number):
        raise IdentifierError(
            N_(
                "the telephone number is not valid; write it with the country code, "
                "e.g. +7 912 345-67-89"
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_account(value: object) -> str | None:
    """An account id as the operator issued it, without surrounding whitespace."""
    if value is None:
        return None
    return str(value).strip() or None


def clean_account(value: str) -> str:
    text = value.strip()
    if not text or len(text) > ACCOUNT_MAX or not text.isprintable():
        raise IdentifierError(
            N_("the account id must be 1 to %(most)s printable characters"), most=ACCOUNT_MAX
        )
    return text


def normalise(kind: str, value: object, region: str | None) -> str | None:
    """The canonical form of ``value`` as identifier ``kind`` (``email``, ``phone``, other)."""
    if kind == "email":
        return normalise_email(value)
    if kind == "phone":
        return normalise_phone(value, region)
    return normalise_account(value)
