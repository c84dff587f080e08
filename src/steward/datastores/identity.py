"""The subject's identifiers, normalised the way the register says each identity column is.

    ids = Identifiers.parse({"email": " Anna@Example.COM ", "phone": "8 (912) 345-67-89"}, "RU")
    ids.email      -> "anna@example.com"          (lower-cased, as lib/identifiers does)
    ids.phone      -> "+79123456789"              (E.164)
    candidates(IdentityKind.PHONE, ids)  -> the stored spellings worth asking the database for

Matching is set-based and index-friendly: Steward asks the database for every common spelling
of a phone number (E.164, international, national, digits only) and then keeps only the rows
whose value normalises to the subject's number, so a formatted copy is found and a different
number that happens to share digits is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from steward.datastores.errors import InvalidRequest
from steward.lib.identifiers import (
    IdentifierError,
    clean_email,
    normalise_account,
    normalise_email,
    normalise_phone,
)
from steward.register.taxonomy import IdentityKind


def normalise(kind: IdentityKind, value: object, region: str | None) -> str | None:
    """A stored or typed value as identifier ``kind``, the one way Steward normalises it."""
    if value is None:
        return None
    if kind is IdentityKind.EMAIL:
        return normalise_email(value)
    if kind is IdentityKind.PHONE:
        return normalise_phone(value, region)
    return normalise_account(value)


@dataclass(frozen=True)
class Identifiers:
    email: str | None = None
    phone: str | None = None
    account_id: str | None = None
    region: str | None = None

    @classmethod
    def parse(cls, raw: dict[str, str], region: str | None = None) -> Identifiers:
        """Validate and normalise; raises ``InvalidRequest`` naming the bad identifier."""
        unknown = set(raw) - {"email", "phone", "account-id", "account_id"}
        if unknown:
            raise InvalidRequest(
                f"unknown identifier(s) {sorted(unknown)}; use email, phone or account-id"
            )
        email = raw.get("email")
        if email:
            try:
                email = clean_email(email)
            except IdentifierError:
                raise InvalidRequest("the e-mail address is not valid") from None
        phone = raw.get("phone")
        e164 = normalise_phone(phone, region) if phone else None
        if phone and e164 is None:
            raise InvalidRequest(
                "the phone number is not valid; give it with its country code, "
                "e.g. +7 912 345-67-89"
            )
        account = normalise_account(raw.get("account-id") or raw.get("account_id"))
        result = cls(
            email=email or None,
            phone=e164,
            account_id=account,
            region=region,
        )
        if not (result.email or result.phone or result.account_id):
            raise InvalidRequest("give at least one identifier: email, phone or account-id")
        return result

    def value(self, kind: IdentityKind) -> str | None:
        return {
            IdentityKind.EMAIL: self.email,
            IdentityKind.PHONE: self.phone,
            IdentityKind.ACCOUNT_ID: self.account_id,
        }[kind]

    def as_dict(self) -> dict[str, str]:
        pairs = {"email": self.email, "phone": self.phone, "account-id": self.account_id}
        return {k: v for k, v in pairs.items() if v}


def candidates(kind: IdentityKind, ids: Identifiers | str | None) -> list[str]:
    """Spellings of the subject's identifier to look up (exact, index-friendly)."""
    value = ids.value(kind) if isinstance(ids, Identifiers) else ids
    if value is None:
        return []
    if kind is IdentityKind.PHONE:
        return list(_spellings(value))
    return [value]


@lru_cache(maxsize=1024)
def _spellings(value: str) -> tuple[str, ...]:
    """Every usual spelling of an E.164 number (the search and its check both ask)."""
    number = phonenumbers.parse(value)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    formats = {
        value,
        value.lstrip("+"),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        national,
        str(number.national_number),
        "".join(ch for ch in national if ch.isdigit()),
    }
    return tuple(sorted(formats))
