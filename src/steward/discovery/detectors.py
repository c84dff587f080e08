"""What discovery looks for: each kind of personal data, its category, and its word lists.

    KINDS["card"].category            # 'financial.card'
    name_category("client_passport")  # 'identity.document' (evidence from a column's name)

The word lists (context words, column-name rules, special-category keywords, in English and
Russian) live in ``vocabulary.yaml`` beside this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

VOCABULARY = Path(__file__).with_name("vocabulary.yaml")


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of value a detector finds.

    ``needs_context``: a bare value of this kind is reported in free text only when a context
    word stands just before it (its checksum, if any, passes by chance too often, or it has
    none); in a column, the column's name or the corroboration of many values stands in.
    ``checksum``: validation is a real checksum, so many distinct valid values corroborate.
    """

    id: str
    category: str
    label: str
    needs_context: bool = False
    checksum: bool = False


KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind("email", "contact.email", "e-mail address"),
        Kind("phone", "contact.phone", "telephone number"),
        Kind("card", "financial.card", "payment card number", checksum=True),
        Kind("iban", "financial.bank_account", "IBAN", checksum=True),
        Kind("ipv4", "device.ip_address", "IPv4 address"),
        Kind("ipv6", "device.ip_address", "IPv6 address"),
        Kind("inn", "identity.tax_id", "INN (Russian taxpayer number)", True, True),
        Kind("ogrn", "professional.registration", "OGRN/OGRNIP", True, True),
        Kind("snils", "identity.insurance_number", "SNILS", True, True),
        Kind("passport", "identity.document", "Russian passport number", True),
        Kind("birth_date", "identity.birth_date", "date of birth", True),
    )
}


# what the optional names tier finds (``names.py``, ``steward scan --names``): no validator can
# refute a name, so a column whose name promises one is never refuted by its values
TIER_KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind("person_name", "identity.name", "person's name (Russian)"),
        Kind("postal_address", "contact.address", "postal address (Russian)"),
    )
}
ALL_KINDS: dict[str, Kind] = {**KINDS, **TIER_KINDS}


@cache
def vocabulary() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    return data


@cache
def context_words() -> dict[str, tuple[str, ...]]:
    """Context words per kind, lower-cased."""
    return {
        kind: tuple(w.lower() for w in words) for kind, words in vocabulary()["context"].items()
    }


@cache
def special_keywords() -> dict[str, tuple[str, ...]]:
    """Keywords of each special category, lower-cased ('*' marks a stem)."""
    return {cat: tuple(w.lower() for w in words) for cat, words in vocabulary()["special"].items()}


@cache
def _column_rules() -> tuple[tuple[re.Pattern[str], str | None], ...]:
    return tuple((re.compile(rule), category) for rule, category in vocabulary()["columns"])


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^\w]+|_+")


def normalise_name(name: str) -> str:
    """``clientPassport No.`` -> ``client_passport_no``."""
    return _SEPARATORS.sub("_", _CAMEL.sub("_", name)).strip("_").lower()


def name_category(name: str) -> str | None:
    """The category a column's name suggests, or None (the first matching rule decides)."""
    normal = normalise_name(name)
    for rule, category in _column_rules():
        if rule.search(normal):
            return category
    return None
