"""Classify one column from a sample of its values, with two kinds of evidence kept apart.

    result = classify_column("passport_no", values, scanner)
    result.categories     # {'identity.document': 'name+content'}
    result.sparse         # kinds seen in too few distinct values to tag the column

*Name evidence* is what the column's name suggests (``detectors.name_category``). *Content
evidence* is what the validators accept in the values, counted per kind as rows and distinct
values. A column is tagged with a kind's category only when at least ``CORROBORATION`` (2)
distinct values validate and they are a real share of the non-empty values, so one stray value
never tags a column; a kind seen in fewer (one valid SNILS in fifty rows) is returned as
``sparse``, to be reviewed. Kinds whose values a checksum cannot prove (a passport series, a
date of birth, a bare INN) need the column's name as their context, or, for checksummed kinds,
nearly every value valid. Columns of free text (tickets, e-mail bodies) are scanned as text,
where each value found is reported, context words and all.

With the optional names tier (``names.py``, ``steward scan --names``), up to ``names.SAMPLE``
of the values also go through it, and person names and postal addresses are corroborated the
same way: two distinct ones at least, as a share of the values it read (in free text too: one
name the model proposes is never enough).
"""

from __future__ import annotations

import json
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from steward.discovery.detectors import KINDS, TIER_KINDS, name_category
from steward.discovery.scanner import SEPARATOR, Hit, Scanner

if TYPE_CHECKING:
    from steward.discovery.names import NamesTier

CORROBORATION = 2  # distinct validated values needed to tag a column
SHARE = 0.3  # ... that make up at least this share of the non-empty values
CHECKSUM_ALONE = 0.9  # a context kind without name evidence: this share, and
CHECKSUM_ALONE_DISTINCT = 5  # at least this many distinct values, all checksummed
MAX_CELL = 64 * 1024  # characters of one value scanned; longer values are truncated
TEXT_LENGTH = 40  # mean length from which a column of words is treated as free text


@dataclass
class Evidence:
    rows: int = 0
    distinct: set[str] = field(default_factory=set)
    contextual: int = 0  # hits that stood on their own (a formatted phone, a context word)


@dataclass
class ColumnResult:
    """What one column holds. Counts only: no value leaves this object."""

    name: str
    sampled: int = 0
    non_empty: int = 0
    mode: str = "values"  # values | text | skipped
    notes: list[str] = field(default_factory=list)
    name_category: str | None = None
    content: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> rows, distinct
    categories: dict[str, str] = field(default_factory=dict)  # category -> evidence
    sparse: dict[str, int] = field(default_factory=dict)  # category -> distinct values seen
    in_text: dict[str, int] = field(default_factory=dict)  # category -> rows (free text)
    names_checked: int = 0  # values the names tier read (0: the tier was off)

    @property
    def personal(self) -> bool:
        return bool(self.categories or self.in_text)


def _looks_like_text(values: Sequence[str]) -> bool:
    if not values:
        return False
    mean = sum(len(x) for x in values) / len(values)
    worded = sum(1 for x in values if x.count(" ") >= 3)
    return mean >= TEXT_LENGTH and worded >= len(values) * 0.3


def _as_text(value: object, notes: set[str]) -> str | None:
    if value is None or isinstance(value, float | bool):  # no identifier is a float
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if b"\x00" in raw:
            notes.add("binary values skipped")
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
            if text.count("\ufffd") > len(text) // 4:  # mostly not text: an image, a blob
                notes.add("binary values skipped")
                return None
            notes.add("invalid UTF-8 in values; scanned with the bad bytes replaced")
    elif isinstance(value, dict | list):  # JSON documents: scanned as the text they are
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    if len(text) >= MAX_CELL:  # the sample cuts values at MAX_CELL in the database already
        notes.add(f"values cut at {MAX_CELL} characters")
        text = text[:MAX_CELL]
    return text.replace(SEPARATOR, " ").strip() or None


def _scan_values(
    scanner: Scanner, values: list[str], *, bare: bool, assume: frozenset[str] = frozenset()
) -> list[tuple[int, Hit]]:
    """Scan every value in one pass; each hit with the index of the value it lies in."""
    joined = SEPARATOR.join(values).encode("utf-8", "replace")
    starts = [0]
    for value in values[:-1]:
        starts.append(starts[-1] + len(value.encode("utf-8", "replace")) + 1)
    hits = scanner.scan(joined, bare=bare, assume=assume)
    return [(bisect_right(starts, h.start) - 1, h) for h in hits]


def classify_column(
    name: str,
    raw_values: Sequence[object],
    scanner: Scanner,
    names: NamesTier | None = None,
) -> ColumnResult:
    """Classify a column from its sampled values (``None`` for NULL); ``names``: the optional
    names tier, or None to leave names and addresses to the column's name."""
    result = ColumnResult(name=name, sampled=len(raw_values), name_category=name_category(name))
    notes: set[str] = set()
    values = [t for t in (_as_text(x, notes) for x in raw_values) if t is not None]
    result.notes = sorted(notes)
    result.non_empty = len(values)
    if not values:
        if notes:
            result.mode = "skipped"
        return result
    if _looks_like_text(values):
        result.mode = "text"
        return _classify_text(result, scanner, values, names)
    evidence: dict[str, Evidence] = {}
    named = result.name_category
    assume = frozenset(k.id for k in KINDS.values() if named and k.category == named)
    for _row, hit in _scan_values(scanner, values, bare=True, assume=assume):
        if hit.kind == "keyword":
            continue
        found = evidence.setdefault(hit.kind, Evidence())
        if hit.value not in found.distinct:
            found.distinct.add(hit.value)
        found.rows += 1  # a value may hold a kind twice; rows is an upper bound of rows
        found.contextual += hit.contextual
    for kind_id, found in evidence.items():
        kind = KINDS[kind_id]
        rows, distinct = min(found.rows, len(values)), len(found.distinct)
        result.content[kind_id] = (rows, distinct)
        share = rows / len(values)
        by_name = named == kind.category
        # only values that stood on their own (a printed SNILS, a formatted phone, a label
        # word in the cell) count without the column's name; bare checksummed ones need it
        needs_context = not found.contextual
        if needs_context and not by_name:
            alone = (
                kind.checksum and share >= CHECKSUM_ALONE and distinct >= CHECKSUM_ALONE_DISTINCT
            )
            if alone:
                result.categories.setdefault(kind.category, "content")
            continue
        if distinct >= CORROBORATION and share >= SHARE:
            result.categories[kind.category] = "name+content" if by_name else "content"
        elif not needs_context or by_name:
            result.sparse[kind.category] = max(result.sparse.get(kind.category, 0), distinct)
    if names is not None:
        _names_in_values(result, names, values)
    if "card" in evidence and _cards_by_chance(values, evidence["card"].rows):
        result.categories.pop("financial.card", None)
        result.sparse.pop("financial.card", None)
    for category in result.categories:
        result.sparse.pop(category, None)
    if named and named not in result.categories and not _refuted(named, result):
        result.categories[named] = "name"
    return result


_NOT_DIGITS = str.maketrans("", "", " -")


def _cards_by_chance(values: list[str], valid: int) -> bool:
    """Whether the card numbers of a column of long numbers are what chance gives.

    One random number in ten passes the Luhn check, so a column of identifiers with 16 to 19
    digits (cookie ids, order numbers) holds "valid" cards at about that rate. When at most one
    in five of its card-length numbers passes, the passes are not evidence of cards.
    """
    shaped = 0
    for value in values:
        digits = value.translate(_NOT_DIGITS)
        if 12 <= len(digits) <= 19 and digits.isdigit():
            shaped += 1
    return shaped >= 10 and valid <= shaped * 0.2


_UNPROVABLE = frozenset({"passport"})  # foreign passports have other forms: no refutation


def _refuted(category: str, result: ColumnResult) -> bool:
    """A name that promises a checkable kind whose values none of the validators accept."""
    kinds = [k for k in KINDS.values() if k.category == category and k.id not in _UNPROVABLE]
    if not kinds:
        return False
    seen = sum(result.content.get(k.id, (0, 0))[0] for k in kinds)
    return seen == 0 and result.non_empty >= CORROBORATION


def _names_sample(values: list[str]) -> list[str]:
    """Up to ``names.SAMPLE`` of the values, drawn uniformly (a table no larger than the sample
    comes whole and in its own order, so its first values would be its oldest rows); the same
    draw for the same values, so that two scans agree."""
    from steward.discovery.names import SAMPLE

    if len(values) <= SAMPLE:
        return values
    return random.Random(len(values)).sample(values, SAMPLE)


def _names_in_values(result: ColumnResult, names: NamesTier, values: list[str]) -> None:
    """Names and addresses as a column's values: a value counts when what the tier found
    covers at least half of it (a name, not a note that mentions one); corroborated like the
    pattern tier's kinds."""
    read = _names_sample(values)
    result.names_checked = len(read)
    found: dict[str, Evidence] = {}
    for value, hits in zip(read, names.find_many(read), strict=True):
        counted = set()
        for hit in hits:
            if hit.kind in counted or 2 * (hit.end - hit.start) < len(value):
                continue
            counted.add(hit.kind)
            evidence = found.setdefault(hit.kind, Evidence())
            evidence.rows += 1
            evidence.distinct.add(hit.value)
    named = result.name_category
    for kind_id, evidence in found.items():
        kind = TIER_KINDS[kind_id]
        distinct = len(evidence.distinct)
        result.content[kind_id] = (evidence.rows, distinct)
        if distinct >= CORROBORATION and evidence.rows >= SHARE * len(read):
            by_name = named == kind.category
            result.categories[kind.category] = "name+content" if by_name else "content"
        elif kind.category not in result.categories:
            result.sparse[kind.category] = max(result.sparse.get(kind.category, 0), distinct)


def _classify_text(
    result: ColumnResult, scanner: Scanner, values: list[str], names: NamesTier | None
) -> ColumnResult:
    rows: dict[str, set[int]] = {}
    for row, hit in _scan_values(scanner, values, bare=False):
        rows.setdefault(hit.category, set()).add(row)
    if names is not None:
        read = _names_sample(values)
        result.names_checked = len(read)
        distinct: dict[str, set[str]] = {}
        tier_rows: dict[str, set[int]] = {}
        for row, found in enumerate(names.find_many(read)):
            for name_hit in found:
                distinct.setdefault(name_hit.kind, set()).add(name_hit.value)
                tier_rows.setdefault(name_hit.category, set()).add(row)
        for kind_id, seen in distinct.items():
            category = TIER_KINDS[kind_id].category
            result.content[kind_id] = (len(tier_rows[category]), len(seen))
            if len(seen) >= CORROBORATION:  # one name the model proposes is not enough
                rows.setdefault(category, set()).update(tier_rows[category])
    result.in_text = {category: len(found) for category, found in sorted(rows.items())}
    named = result.name_category
    if named and not any(k.category == named for k in KINDS.values()):
        result.categories[named] = "name"
    return result
