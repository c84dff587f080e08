"""Hash chains: each entry carries the hash of the one before it.

    digest = entry_hash(previous_hash, canonical_json(fields))

An entry's hash covers its own fields and its predecessor's hash, so changing, deleting or
reordering any stored entry breaks every hash after it; ``first_break`` finds the first one.
The first entry's predecessor is ``GENESIS``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in a chained entry")


def canonical_json(fields: Mapping[str, Any] | Sequence[Any]) -> str:
    """The one serialisation that is hashed: sorted keys, no whitespace, UTF-8 kept."""
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def entry_hash(previous: str, payload: str) -> str:
    return hashlib.sha256(f"{previous}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where a chain stops verifying: the entry's id and what is wrong with it."""

    entry_id: int
    reason: str


def first_break(entries: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> ChainBreak | None:
    """Check ``(id, previous_hash, hash, fields)`` rows in chain order; None if all verify."""
    expected_previous = GENESIS
    for entry_id, previous, digest, fields in entries:
        if previous != expected_previous:
            return ChainBreak(
                entry_id,
                "its previous-hash does not match the entry before it "
                "(an entry was removed, inserted or reordered)",
            )
        if entry_hash(previous, canonical_json(fields)) != digest:
            return ChainBreak(
                entry_id, "its content does not match its hash (the entry was altered)"
            )
        expected_previous = digest
    return None
