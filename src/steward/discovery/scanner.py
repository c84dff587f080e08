"""Find personal data in text: one pass of Hyperscan for candidates, validators on candidates only.

    scanner = Scanner(regions=("RU", "US"))
    for hit in scanner.scan("ИНН 7707083893, card 4111 1111 1111 1111"):
        hit.kind, hit.category, hit.start, hit.end     # byte offsets into the UTF-8 text

One compiled database holds every pattern: runs of digit groups (cards, phones, INN, OGRN,
SNILS, passports, dates, IPv4), e-mail addresses, IBANs, IPv6 addresses and the special-category
keywords. A run of digit groups is split into candidates by trying its groups longest first, so
"order 12 4111111111111111" still yields the card. ``bare=True`` (used for column values, where
the column's name is the context) also returns the values whose kind needs a context word but
had none, marked ``contextual=False``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import hyperscan

from steward.discovery import validators as v
from steward.discovery.detectors import KINDS, context_words, special_keywords

_DIGITS, _EMAIL, _IBAN, _IPV6 = 0, 1, 2, 3
_KEYWORD_BASE = 1000
_PATTERNS: dict[int, bytes] = {
    # digit groups joined by up to three separators, a leading '+' or '(', an extension
    _DIGITS: rb"(?:\+|\()?\b\d+(?:[ \-./()]{1,3}\d+)*(?: ?(?:x|ext\.?) ?\d{1,5})?\b",
    _EMAIL: rb"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}\b",
    _IBAN: rb"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
    _IPV6: rb"(?:\b[0-9A-Fa-f]{1,4})?(?:::?[0-9A-Fa-f]{1,4}){2,7}\b",
}
_MAX_GROUPS = 8  # a candidate spans at most this many digit groups
_WINDOW = 48  # bytes before a candidate searched for context words
SEPARATOR = "\x1e"  # between column values scanned in one pass; context never crosses it
_GROUP = re.compile(rb"\d+")
_EXTENSION = re.compile(rb" ?(?:x|ext\.?) ?\d{1,5}$")


@dataclass(slots=True)
class Hit:
    """One validated value. ``value`` is the value itself: keep it in memory, never store it."""

    kind: str  # a key of KINDS, or "keyword"
    category: str
    start: int
    end: int
    value: str
    contextual: bool = True


def _keyword_pattern(word: str) -> bytes:
    # no \b: Hyperscan's word boundary is ASCII-only; the scan checks the letters around
    parts = [re.escape(p) for p in word.rstrip("*").split("*")]
    return r"\S{0,12}".join(parts).encode()


def _letter_at(data: bytes, offset: int, before: bool) -> bool:
    """Whether a letter or digit touches ``offset`` on that side (UTF-8 aware)."""
    chunk = data[max(0, offset - 4) : offset] if before else data[offset : offset + 4]
    text = chunk.decode("utf-8", "ignore")
    if not text:
        return False
    char = text[-1] if before else text[0]
    return char.isalnum()


@cache
def _database() -> tuple[Any, dict[int, tuple[str, bool]]]:
    expressions = list(_PATTERNS.values())
    ids = list(_PATTERNS)
    som = hyperscan.HS_FLAG_SOM_LEFTMOST
    flags = [som] * len(ids)
    keyword_category: dict[int, tuple[str, bool]] = {}
    for category, words in special_keywords().items():
        for word in words:
            ident = _KEYWORD_BASE + len(keyword_category)
            keyword_category[ident] = (category, word.endswith("*"))
            expressions.append(_keyword_pattern(word))
            ids.append(ident)
            flags.append(som | hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8)
    database = hyperscan.Database()
    database.compile(expressions=expressions, ids=ids, elements=len(ids), flags=flags)
    return database, keyword_category


def _sizes(groups: list[tuple[int, int]]) -> tuple[int, ...]:
    return tuple(e - s for s, e in groups)


_CARD_GROUPS = ((4, 6, 5), (4, 6, 4))


class Scanner:
    """Scans text for personal data; one instance is reusable and thread-safe for reading."""

    def __init__(self, regions: tuple[str, ...] | list[str] = ("RU", "US")) -> None:
        self.regions = tuple(dict.fromkeys(r.upper() for r in regions)) or ("RU",)
        self._database, self._keywords = _database()
        self._context = context_words()

    def scan(self, text: str | bytes, *, bare: bool = False) -> list[Hit]:
        """Every validated value in ``text``, in order of position (byte offsets)."""
        data = text.encode("utf-8", "replace") if isinstance(text, str) else text
        reports: list[tuple[int, int, int]] = []

        def collect(ident: int, start: int, end: int, _flags: int, _ctx: Any) -> None:
            reports.append((ident, start, end))

        self._database.scan(data, match_event_handler=collect)
        if not reports:
            return []
        spans: dict[tuple[int, int], int] = {}
        iban_ends: dict[int, list[int]] = {}
        hits: list[Hit] = []
        for ident, start, end in reports:
            if ident >= _KEYWORD_BASE:
                category, stem = self._keywords[ident]
                if _letter_at(data, start, True) or (not stem and _letter_at(data, end, False)):
                    continue
                word = data[start:end].decode("utf-8", "replace").lower()
                hits.append(Hit("keyword", category, start, end, word))
            elif ident == _IBAN:
                iban_ends.setdefault(start, []).append(end)
            else:
                key = (ident, start)
                if spans.get(key, -1) < end:
                    spans[key] = end
        covered_until = {_DIGITS: -1, _EMAIL: -1, _IPV6: -1}
        for (ident, start), end in sorted(spans.items(), key=lambda item: item[0][1]):
            if start < covered_until[ident]:
                continue
            covered_until[ident] = end
            if ident == _DIGITS:
                hits.extend(self._digits(data, start, end, bare))
            elif ident == _EMAIL:
                value = data[start:end].decode("ascii")
                if v.email(value):
                    hits.append(Hit("email", "contact.email", start, end, value.lower()))
            else:
                value = data[start:end].decode("ascii")
                if v.ipv6(value):
                    hits.append(Hit("ipv6", "device.ip_address", start, end, value.lower()))
        for start, ends in iban_ends.items():
            for end in sorted(ends, reverse=True):
                value = data[start:end].decode("ascii").replace(" ", "")
                if v.iban(value):
                    hits.append(Hit("iban", "financial.bank_account", start, end, value))
                    break
        hits.sort(key=lambda h: h.start)
        return hits

    # -- runs of digit groups ------------------------------------------------------------

    def _window(self, data: bytes, start: int) -> str:
        before = data[max(0, start - _WINDOW) : start]
        cut = before.rfind(SEPARATOR.encode())
        if cut >= 0:
            before = before[cut + 1 :]
        return before.decode("utf-8", "ignore").lower()

    def _has_context(self, kind: str, window: str) -> bool:
        return any(word in window for word in self._context.get(kind, ()))

    def _digits(self, data: bytes, start: int, end: int, bare: bool) -> list[Hit]:
        span = data[start:end]
        extension = _EXTENSION.search(span)
        if extension:
            span = span[: extension.start()]
        groups = [(start + m.start(), start + m.end()) for m in _GROUP.finditer(span)]
        found: list[Hit] = []
        i = 0
        while i < len(groups):
            for j in range(min(len(groups), i + _MAX_GROUPS), i, -1):
                hits = self._classify(data, groups[i:j], bare)
                if hits:
                    found.extend(hits)
                    i = j
                    break
            else:
                i += 1
        return found

    def _classify(self, data: bytes, groups: list[tuple[int, int]], bare: bool) -> list[Hit]:
        first, last = groups[0][0], groups[-1][1]
        separators = [data[groups[k][1] : groups[k + 1][0]] for k in range(len(groups) - 1)]
        sizes = _sizes(groups)
        k = len(groups)
        if k == 4 and all(s == b"." for s in separators):
            text = data[first:last].decode("ascii")
            return [Hit("ipv4", "device.ip_address", first, last, text)] if v.ipv4(text) else []
        digits = b"".join(data[s:e] for s, e in groups).decode("ascii")
        if k == 3 and len(set(separators)) == 1 and separators[0] in (b".", b"-", b"/"):
            return self._date(data, first, last, digits, sizes, bare)
        n = len(digits)
        if n < 7 or n > 19:
            return []
        plus = first > 0 and data[first - 1 : first] in (b"+", b"(")
        window: str | None = None
        candidates: list[Hit] = []
        # kinds that stand on their own: a card, a SNILS in its printed form, a formatted phone
        card_shape = k == 1 or sizes in _CARD_GROUPS or set(sizes[:-1]) == {4}
        if 12 <= n <= 19 and card_shape and v.card(digits):
            return [Hit("card", "financial.card", first, last, digits)]
        snils_printed = sizes == (3, 3, 3, 2)
        if n == 11 and snils_printed and v.snils(digits):
            return [Hit("snils", "identity.insurance_number", first, last, digits)]
        phone_formatted = plus or k >= 3
        phone_text = ""
        if 7 <= n <= 15:
            phone_text = data[first - 1 if plus else first : last].decode("ascii")
            if phone_formatted and not snils_printed and v.phone(phone_text, self.regions):
                return [Hit("phone", "contact.phone", first - plus, last, digits)]
        # kinds that need a context word in free text (or the column's name, when bare)
        for kind, ok in (
            ("inn", n in (10, 12) and v.inn(digits)),
            ("ogrn", n in (13, 15) and v.ogrn(digits)),
            ("snils", n == 11 and not snils_printed and v.snils(digits)),
            ("passport", n == 10 and sizes in ((2, 2, 6), (4, 6), (10,)) and v.passport_ru(digits)),
            (
                "phone",
                bool(phone_text) and not phone_formatted and v.phone(phone_text, self.regions),
            ),
        ):
            if not ok:
                continue
            if window is None:
                window = self._window(data, first - plus)
            contextual = self._has_context(kind, window)
            if contextual or bare:
                hit = Hit(kind, KINDS[kind].category, first, last, digits, contextual)
                if contextual and not bare:
                    return [hit]
                candidates.append(hit)
        if bare:
            return candidates
        return [h for h in candidates if h.contextual][:1]

    def _date(
        self, data: bytes, first: int, last: int, digits: str, sizes: tuple[int, ...], bare: bool
    ) -> list[Hit]:
        if sizes[0] == 4 and sizes[1] <= 2 and sizes[2] <= 2:
            year, month, day = (
                int(digits[:4]),
                int(digits[4 : 4 + sizes[1]]),
                int(digits[-sizes[2] :]),
            )
        elif sizes[2] == 4 and sizes[0] <= 2 and sizes[1] <= 2:
            day, month, year = int(digits[: sizes[0]]), int(digits[sizes[0] : -4]), int(digits[-4:])
            if month > 12 and day <= 12:  # month first, as in the United States
                day, month = month, day
        else:
            return []
        if not v.birth_date(day, month, year):
            return []
        contextual = self._has_context("birth_date", self._window(data, first))
        if not (contextual or bare):
            return []
        text = f"{year:04d}-{month:02d}-{day:02d}"
        return [Hit("birth_date", "identity.birth_date", first, last, text, contextual)]
