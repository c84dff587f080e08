"""The register's e-mail fields: pydantic's ``EmailStr``, without importing email_validator
for an address it would return unchanged.

    Email = Annotated[str, AfterValidator(checked_email)]

Every register has ``contacts.privacy_email``, and importing email_validator (it compiles its
expressions at import) was 30-50 ms of each ``steward check`` and ``steward notice``. A plain
address (lower-case ASCII, dot-atom local part, a domain of letter-digit-hyphen labels ending
in a letter, within the lengths) is one email_validator accepts and returns as written; any
other goes through pydantic's own validation (``pydantic.networks.validate_email``), so its
result and its error are ``EmailStr``'s. A property test compares the two on generated input.
"""

from __future__ import annotations

import re

_LOCAL = re.compile(r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*\Z")
# no "--" anywhere: IDNA reads "xn--" (and refuses other hyphens in the 3rd and 4th place)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){0,61}\Z")
_TLD = re.compile(r"[a-z]{2,63}\Z")
# email_validator.SPECIAL_USE_DOMAIN_NAMES (a test keeps them equal): never deliverable,
# refused even without a deliverability check
SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def is_plain_email(value: str) -> bool:
    """True for an address email_validator accepts and normalises to itself."""
    local, at, domain = value.partition("@")
    if not at or len(value) > 254 or len(local) > 64 or len(domain) > 253:
        return False
    if not _LOCAL.match(local):
        return False
    labels = domain.split(".")
    return (
        len(labels) >= 2
        and all(_LABEL.match(label) and not label.endswith("-") for label in labels)
        and _TLD.match(labels[-1]) is not None
        and labels[-1] not in SPECIAL_USE_TLDS
    )


def checked_email(value: str) -> str:
    """``value`` as ``EmailStr`` validates it: normalised, or a ``value_error`` saying why not."""
    if is_plain_email(value):
        return value
    from pydantic.networks import validate_email  # imports email_validator

    return validate_email(value)[1]
