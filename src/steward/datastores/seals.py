"""Keyed digests that let Steward's store know rows and subjects without holding their data.

    row_key(secret, info, key, row)      # '["hmac-sha256:…",{"customer_id":1}]' (unkeyed row)
    subject_seals(secret, "customer", ids, learned)   # {"hmac-sha256:…", …}

A held row of a table without a primary or unique key has no key to list it by, and its
values are personal data: Steward's restriction list keeps it by a keyed digest of its values
(``lib.signing``, one key derived from the master secret for this use) and the values of its
reference columns (the ids of the rows it hangs from, no more personal than a primary key), so
a later run can read it back by those references and recognise it by its digest.

A run that leaves rows restricted also records the digests of the identifiers it searched and
learned (``restriction_subjects``): a later request with one of those identifiers finds the
rows kept for that subject, though its account no longer matches (masked) the e-mail.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from steward.datastores.connect import Schema, TableInfo
from steward.datastores.identity import Identifiers
from steward.lib.signing import derive, digest
from steward.register.taxonomy import IdentityKind

PREFIX = "hmac-sha256:"
MAX_KEY = 500  # restrictions.row_key


def _key(secret: bytes) -> bytes:
    # latin-1 maps every byte to one character: any secret derives, the same way each time
    return derive(secret.decode("latin-1"), "restrictions")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_seal(secret: bytes, key: Sequence[Any]) -> str:
    """The keyed digest of an unkeyed row's key (its values and occurrence number)."""
    return PREFIX + digest(_key(secret), _canonical([_plain(v) for v in key]))


def locator(schema: Schema, info: TableInfo, row: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the row's reference columns (foreign keys and declared references)."""
    columns = sorted({c for link in schema.outbound(info.key) for c in link.columns})
    return {c: _plain(row.get(c)) for c in columns}


def row_key(
    secret: bytes, schema: Schema, info: TableInfo, key: Sequence[Any], row: Mapping[str, Any]
) -> str:
    """How Steward's restriction list names a row: its primary key as canonical JSON, or for an
    unkeyed table ``[seal, locator]`` (the locator dropped when it would not fit)."""
    if info.primary_key:
        return _canonical([_plain(v) for v in key])
    seal = row_seal(secret, key)
    found = locator(schema, info, row)
    text = _canonical([seal, found])
    return text if len(text) <= MAX_KEY else _canonical([seal, {}])


def is_sealed(text: str) -> bool:
    return text.startswith('["' + PREFIX)


def subject_seals(
    secret: bytes,
    subject: str,
    ids: Identifiers,
    learned: Mapping[IdentityKind, Iterable[str]] | None = None,
) -> set[str]:
    """Keyed digests of each identifier of the subject (kind and value), for ``subject``."""
    values: set[tuple[str, str]] = set()
    for kind, value in (
        (IdentityKind.EMAIL, ids.email),
        (IdentityKind.PHONE, ids.phone),
        (IdentityKind.ACCOUNT_ID, ids.account_id),
    ):
        if value:
            values.add((kind.value, value))
    for kind, found in (learned or {}).items():
        values.update((kind.value, v) for v in found)
    key = _key(secret)
    return {PREFIX + digest(key, f"{subject}\n{kind}\n{value}") for kind, value in values}
