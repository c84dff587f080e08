"""The subject's identifiers, normalised the way the register says each identity column is.

    ids = Identifiers.parse({"email": " Anna@Example.COM ", "phone": "8 (912) 345-67-89"}, "RU")
    ids.email      -> "anna@example.com"          (case-folded)
    ids.phone      -> "+79123456789"              (E.164)
    candidates(IdentityKind.PHONE, ids)  -> the stored spellings worth asking the database for

Matching is set-based and index-friendly: Steward asks the database for every common spelling
of a phone number (E.164, international, national, digits only) and then keeps only the rows
whose value normalises to the subject's number, so a formatted copy is found and a different
number that happens to share digits is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from steward.datastores.errors import InvalidRequest
from steward.register.taxonomy import IdentityKind


def normalise_email(value: str) -> str | None:
    text = value.strip().casefold()
    return text or None


def normalise_phone(value: str, region: str | None) -> str | None:
    """E.164 of ``value``, or None when it is not a possible phone number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise(kind: IdentityKind, value: object, region: str | None) -> str | None:
    if value is None:
        return None
    text = str(value)
    if kind is IdentityKind.EMAIL:
        return normalise_email(text)
    if kind is IdentityKind.PHONE:
        return normalise_phone(text, region)
    return text.strip() or None


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
                validate_email(email.strip(), check_deliverability=False)
            except EmailNotValidError:
                raise InvalidRequest("the e-mail address is not valid") from None
        phone = raw.get("phone")
        e164 = normalise_phone(phone, region) if phone else None
        if phone and e164 is None:
            raise InvalidRequest(
                "the phone number is not valid; give it with its country code, "
                "e.g. +7 912 345-67-89"
            )
        account = (raw.get("account-id") or raw.get("account_id") or "").strip() or None
        result = cls(
            email=normalise_email(email) if email else None,
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
        return sorted(formats)
    return [value]
