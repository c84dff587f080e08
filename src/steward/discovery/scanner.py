"""Find personal data in text: one pass of Hyperscan for candidates, validators on candidates only.

    scanner = Scanner(regions=("RU", "US"))
    for hit in scanner.scan("ИНН 7707083893, card 4111 1111 1111 1111"):
        hit.kind, hit.category, hit.start, hit.end     # byte offsets into the UTF-8 text

One compiled database holds every pattern: runs of digit groups (cards, phones, INN, OGRN,
SNILS, passports, dates, IPv4), e-mail addresses, IBANs, IPv6 addresses and the special-category
keywords. A run of digit groups is split into candidates by trying its groups longest first, so
"order 12 4111111111111111" still yields the card. ``bare=True`` (used for column values, where
the column's name is the context, passed as ``assume``) also returns checksummed values whose
kind needs a context word but had none, marked ``contextual=False``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from operator import attrgetter, itemgetter
from typing import Any

import hyperscan

from steward.discovery import validators as v
from steward.discovery.detectors import KINDS, context_words, special_keywords
from steward.discovery.digit_runs import PLANS as _PLANS
from steward.discovery.digit_runs import SHAPE as _SHAPE
from steward.discovery.digit_runs import SINGLE as _SINGLE
from steward.discovery.digit_runs import UNKNOWN as _UNKNOWN
from steward.discovery.digit_runs import Shape as _Shape
from steward.discovery.digit_runs import plan as _plan

_DIGITS, _EMAIL, _IBAN, _IPV6, _PASSPORT, _IPV4 = 0, 1, 2, 3, 4, 5
_CONTEXT_BASE = 500  # context words: ids 500.. (fewer than 500 of them)
_KEYWORD_BASE = 1000
_PATTERNS: dict[int, bytes] = {
    # seven digits or more in groups joined by up to three separators, a leading '+' or '(',
    # an extension: shorter numbers (prices, times, ticket numbers) never reach Python
    _DIGITS: rb"(?:\+|\()?\b\d(?:[ \-./()]{0,3}\d){6,}(?: ?(?:x|ext\.?) ?\d{1,5})?\b",
    _IPV4: rb"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b",
    _EMAIL: rb"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}\b",
    _IBAN: rb"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
    # a passport's series and number written apart by the numero sign or the Russian word for
    # "number": "4510 \u2116 123456"
    _PASSPORT: rb"\b\d{2} ?\d{2} ?(?:"
    + "\u2116".encode()
    + rb"|N|No\.?|"
    + "\u043d\u043e\u043c\u0435\u0440".encode()
    + rb") ?\d{6}\b",
}
_HEX = rb"[0-9A-Fa-f]{1,4}"
# IPv6: colon groups that can be an address, i.e. eight groups, or one to eight with "::"
# ("::1", "fe80::1"; one pattern for each, under one id): times ("13:36:27") and other colon
# groups never reach Python. What the plain pattern of colon groups, (\bH)?(::?H){1,7}\b,
# finds and the address's first check keeps (tests/unit/discovery/test_scanner_patterns.py
# holds them equal)
_IPV6_EXPRESSIONS = (
    rb"(?:\b" + _HEX + rb")?(?::" + _HEX + rb"){7}\b",
    rb"(?:\b"
    + _HEX
    + rb")?(?:"
    + b"|".join(
        (rb"(?:::?" + _HEX + rb"){%d}" % before if before else b"")
        + b"::"
        + _HEX
        + (rb"(?:::?" + _HEX + rb"){0,%d}" % (6 - before) if before < 6 else b"")
        for before in range(7)
    )
    + rb")\b",
)
assert len(_PATTERNS) == 5 and max(_PATTERNS) < _CONTEXT_BASE
_GLUED = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:")


def written_as_address(data: bytes, start: int, end: int) -> bool:
    """Whether a short IPv6 form (``::``, fewer than eight groups) at ``data[start:end]`` is
    written as an address, not as a name in code: ``std::1``, ``Foo::Bar`` and ``a::b`` have
    its shape (C++, Rust, PHP, Ruby). Such a form counts only with a decimal digit in it and
    nothing glued to its start (``fe80::1``, ``::1``; not ``dead::beef``, ``std::1``). Eight
    groups count as written."""
    if data.find(b"::", start, end) < 0:
        return True
    if start and data[start - 1] in _GLUED:
        return False
    return any(48 <= byte <= 57 for byte in data[start:end])


_WINDOW = 48  # bytes before a candidate searched for context words
SEPARATOR = "\x1e"  # between column values scanned in one pass; context never crosses it
_SEPARATOR_BYTE = SEPARATOR.encode()
_GROUP = re.compile(rb"\d+")
_DIGIT_BYTES = b"0123456789"
_PLUS = (43, 40)  # '+' and '(' before a number: written as a telephone number is
_NON_DIGIT_BYTES = bytes(b for b in range(256) if not 48 <= b <= 57)


# the context words found in a text: (start, end, kind), in the order Hyperscan reports them
_Words = list[tuple[int, int, str]]


@dataclass(frozen=True, slots=True)
class _Mode:
    bare: bool
    assume: frozenset[str]


_FREE_TEXT = _Mode(False, frozenset())
_START = attrgetter("start")
_SECOND = itemgetter(1)


def _collect(ident: int, start: int, end: int, _flags: int, state: Any) -> None:
    """Hyperscan's match handler: sorts each report into the scan's ``state`` as it comes.

    It runs once per report (some six a document), so the ids are written as numbers here
    (_CONTEXT_BASE, _IBAN, _KEYWORD_BASE: a global's lookup would cost more than the rest)."""
    if ident < 500:
        if ident != 2:
            spans = state[0]
            key = (ident, start)
            if spans.get(key, -1) < end:
                spans[key] = end
        else:
            state[2].setdefault(start, []).append(end)
    elif ident < 1000:
        state[1].append((start, end, state[4][ident]))
    else:
        state[3].append((ident, start, end))


assert (_CONTEXT_BASE, _IBAN, _KEYWORD_BASE) == (500, 2, 1000)  # as _collect writes them


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
def _database() -> tuple[Any, dict[int, tuple[str, bool]], dict[int, str]]:
    expressions = [*_PATTERNS.values(), *_IPV6_EXPRESSIONS]
    ids = [*_PATTERNS, *(_IPV6 for _ in _IPV6_EXPRESSIONS)]
    som = hyperscan.HS_FLAG_SOM_LEFTMOST
    flags = [som] * len(ids)
    caseless = som | hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8
    # context words are found in the same pass (each occurrence, case-insensitively), so a
    # candidate's context is a look at the few words found before it, not a search
    context_kind: dict[int, str] = {}
    for kind, words in context_words().items():
        for word in dict.fromkeys(words):
            ident = _CONTEXT_BASE + len(context_kind)
            context_kind[ident] = kind
            expressions.append(re.escape(word).encode())
            ids.append(ident)
            flags.append(caseless)
    assert _CONTEXT_BASE + len(context_kind) <= _KEYWORD_BASE
    keyword_category: dict[int, tuple[str, bool]] = {}
    for category, words in special_keywords().items():
        for word in words:
            ident = _KEYWORD_BASE + len(keyword_category)
            keyword_category[ident] = (category, word.endswith("*"))
            expressions.append(_keyword_pattern(word))
            ids.append(ident)
            flags.append(caseless)
    database = hyperscan.Database()
    database.compile(expressions=expressions, ids=ids, elements=len(ids), flags=flags)
    return database, keyword_category, context_kind


def _inside(intervals: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` lies in one of the sorted, disjoint ``intervals``."""
    at = bisect_right(intervals, (offset, 1 << 62)) - 1
    return at >= 0 and intervals[at][0] <= offset < intervals[at][1]


_NONE: dict[str, int] = {}  # no context words (never written to)


def _context(data: bytes, at: int, ctx: _Words) -> dict[str, int]:
    """The context words that count for a value at ``at``: of each kind, where its word that
    starts last within the 48 bytes before ``at`` starts (on the value's line, in its value)."""
    low = at - _WINDOW
    near = _NONE  # a dict of its own once a word counts
    cut = -2  # the last line or value boundary before ``at``: words before it do not count
    for start, end, kind in ctx:
        if low <= start and end <= at and near.get(kind, -1) < start:
            if cut == -2:
                floor = low if low > 0 else 0
                cut = data.rfind(b"\n", floor, at)
                other = data.rfind(_SEPARATOR_BYTE, floor, at)
                if other > cut:
                    cut = other  # (-1 when neither: every word from ``low`` on counts)
            if start > cut:
                if near is _NONE:
                    near = {}
                near[kind] = start
    return near


def _nearest(kinds: list[str], assume: frozenset[str], near: dict[str, int]) -> str | None:
    """Of ``kinds``, an assumed one (the first listed), else the one whose context word stands
    nearest (starts last; on a tie, the kind listed first), else None."""
    best, where = None, -1
    for kind in kinds:
        if kind in assume:
            return kind
        position = near.get(kind, -1)
        if position > where:
            best, where = kind, position
    return best


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(32))
_CONTEXT_VALIDATORS = {"inn": v.inn, "ogrn": v.ogrn, "snils": v.snils, "passport": v.passport_ru}


class Scanner:
    """Scans text for personal data; one instance is reusable and thread-safe for reading."""

    def __init__(self, regions: tuple[str, ...] | list[str] = ("RU", "US")) -> None:
        self.regions = tuple(dict.fromkeys(r.upper() for r in regions)) or ("RU",)
        self._database, self._keywords, context_kind = _database()
        # a context word's kind by its id (a list: indexed faster than a dict, once per report)
        self._context_kind = [context_kind.get(i, "") for i in range(_KEYWORD_BASE)]

    def scan(
        self, text: str | bytes, *, bare: bool = False, assume: frozenset[str] = frozenset()
    ) -> list[Hit]:
        """Every validated value in ``text``, in order of position (byte offsets).

        ``assume``: kinds the caller knows are there (a column named ``passport``): each counts
        as its own context word. With ``bare``, kinds that need context are only looked for
        when assumed, except the checksummed ones (INN, OGRN, SNILS), whose values can
        corroborate each other.
        """
        data = text.encode("utf-8", "replace") if isinstance(text, str) else text
        # what Hyperscan reports, sorted as it comes (see _collect): candidates by pattern and
        # start (the furthest end kept), context words, IBANs by start, keywords
        spans: dict[tuple[int, int], int] = {}
        ctx: _Words = []  # the context words: start, end, kind, in the order of their ends
        iban_ends: dict[int, list[int]] = {}
        keywords: list[tuple[int, int, int]] = []
        state = (spans, ctx, iban_ends, keywords, self._context_kind)
        # (data, match_event_handler, flags, context) by position: keywords cost half a
        # microsecond a call to parse
        self._database.scan(data, _collect, 0, state)
        if not spans and not iban_ends and not keywords:
            return []
        mode = _FREE_TEXT if not bare and not assume else _Mode(bare, assume)
        hits: list[Hit] = []
        for ident, start, end in keywords:
            category, stem = self._keywords[ident]
            if _letter_at(data, start, True) or (not stem and _letter_at(data, end, False)):
                continue
            word = data[start:end].decode("utf-8", "replace").lower()
            hits.append(Hit("keyword", category, start, end, word))
        ibans: list[tuple[int, int]] = []  # the digits inside an IBAN are not numbers of their own
        if iban_ends:
            for start, ends in sorted(iban_ends.items()):
                for end in sorted(ends, reverse=True):
                    value = data[start:end].decode("ascii").replace(" ", "")
                    if v.iban(value):
                        hits.append(Hit("iban", "financial.bank_account", start, end, value))
                        ibans.append((start, end))
                        break
        covered_until = [-1, -1, -1, -1, -1, -1]  # per pattern: where its last candidate ended
        keys = sorted(spans, key=_SECOND) if len(spans) > 1 else spans  # by start, then as found
        for key in keys:
            ident, start = key
            end = spans[key]
            if start < covered_until[ident] or (ibans and _inside(ibans, start)):
                continue
            covered_until[ident] = end
            if ident == _DIGITS:
                span = data[start:end]
                if not span.isdigit():  # digit groups
                    self._digits(hits, data, start, end, mode, ctx)
                    continue
                n = end - start  # one run of digits, the commonest case
                if n >= 16:
                    # 16 to 19 digits in one run can only be a card (what _classify decides)
                    if n <= 19 and v.card(span):
                        hits.append(Hit("card", "financial.card", start, end, span.decode("ascii")))
                elif mode is _FREE_TEXT and (not start or data[start - 1] not in _PLUS):
                    near = _context(data, start, ctx) if ctx else _NONE
                    if near:
                        self._classify(hits, data, start, end, _SINGLE[n], mode, ctx, near)
                    elif n >= 12 and v.card(span):
                        # no context word before it, no '+' or '(': a card or nothing (_classify)
                        hits.append(Hit("card", "financial.card", start, end, span.decode("ascii")))
                else:
                    self._classify(hits, data, start, end, _SINGLE[n], mode, ctx)
            elif ident == _IPV6:
                span = data[start:end]  # eight groups, or "::" in it (_IPV6_EXPRESSIONS)
                if v.ipv6(span.decode("ascii")) and written_as_address(data, start, end):
                    value = span.decode("ascii").lower()
                    hits.append(Hit("ipv6", "device.ip_address", start, end, value))
            elif ident == _IPV4:
                value = data[start:end].decode("ascii")
                if v.ipv4(value):
                    hits.append(Hit("ipv4", "device.ip_address", start, end, value))
            elif ident == _PASSPORT:
                self._passport(hits, data, start, end, mode, ctx)
            else:  # _EMAIL
                value = data[start:end].decode("ascii")
                if v.email(value):
                    hits.append(Hit("email", "contact.email", start, end, value.lower()))
        if len(hits) > 1:
            hits.sort(key=_START)
        return hits

    # -- runs of digit groups ------------------------------------------------------------

    @staticmethod
    def _has_context(kind: str, data: bytes, at: int, mode: _Mode, ctx: _Words) -> bool:
        """Whether a context word of ``kind`` stands before ``at``: within the 48 bytes before
        it, on the same line and in the same value (or ``kind`` is assumed)."""
        if kind in mode.assume:
            return True
        low = at - _WINDOW
        for start, end, found in ctx:
            if (
                found == kind
                and low <= start
                and end <= at
                and data.find(b"\n", start, at) < 0
                and data.find(_SEPARATOR_BYTE, start, at) < 0
            ):
                return True
        return False

    def _digits(
        self, found: list[Hit], data: bytes, start: int, end: int, mode: _Mode, ctx: _Words
    ) -> None:
        """Adds to ``found`` what a run of digit groups holds: dates first, then cards, then the
        longest runs of groups that are a value (see digit_runs.Plan for the order)."""
        shape = data[start:end].translate(_SHAPE)
        plan: Any = _PLANS.get(shape, _UNKNOWN)
        if plan is _UNKNOWN:
            plan = _plan(shape)
        if plan is None:
            return  # a dotted quad: an IPv4 address (its own pattern) or a version
        offsets, sizes, total, dates, lone, cards, trials = plan
        taken: list[bool] | None = None  # the groups a date or a card took, once one has
        left = total[-1]  # the digits of the groups no date took
        if lone:  # the commonest: "12.05.1990", "2024-05-01 13", or not a calendar date
            _d, year_first, groups = dates[0]
            if self._date(found, data, start, groups, year_first, mode, ctx):
                return
        elif dates:  # a date is a date, never part of a phone number
            resume = 0
            for d, year_first, groups in dates:
                if d < resume:
                    continue
                if not self._date(found, data, start, groups, year_first, mode, ctx):
                    continue
                if taken is None:
                    taken = [False] * len(sizes)
                taken[d : d + 3] = (True, True, True)
                left -= total[d + 3] - total[d]
                resume = d + 3
            if left < 7:  # what is left holds no candidate: the run was a date, or a timestamp
                return
        for i, j in cards:  # cards first, wherever they start: "13:36:27 6517 3914 6081 2148"
            if taken is not None and (taken[i] or True in taken[i:j]):
                continue  # (a card found at i took group i)
            first, last = start + offsets[i][0], start + offsets[j - 1][1]
            digits = data[first:last].translate(None, _NON_DIGIT_BYTES)
            if v.card(digits):
                found.append(Hit("card", "financial.card", first, last, digits.decode("ascii")))
                if taken is None:
                    taken = [False] * len(sizes)
                taken[i:j] = [True] * (j - i)
        count = len(sizes)
        i = 0
        while i < count:
            ends = trials[i]
            if not ends or (taken is not None and taken[i]):
                i += 1
                continue
            stop = count
            if taken is not None and True in taken[i:]:
                stop = taken.index(True, i)  # a candidate ends before the next group taken
            for j, candidate in ends:
                if j > stop:
                    continue
                first, last = start + offsets[i][0], start + offsets[j - 1][1]
                if self._classify(found, data, first, last, candidate, mode, ctx):
                    i = j
                    break
            else:
                i += 1

    def _classify(
        self,
        found: list[Hit],
        data: bytes,
        first: int,
        last: int,
        shape: _Shape,
        mode: _Mode,
        ctx: _Words,
        near: dict[str, int] | None = None,
    ) -> bool:
        """Adds to ``found`` the value that the consecutive digit groups written in
        ``data[first:last]`` (of this shape, see ``digit_runs.shape_of``) are, if any; whether
        there was one (``near``: its context words, when the caller has found them)."""
        k, n, snils_printed, shaped, phoneish, card_shape = shape
        if n < 7 or n > 19:
            return False
        if k == 1:
            digits = data[first:last].decode("ascii")
        else:
            written = data[first:last]
            # the groups are the maximal runs of digits in there: deleting the rest joins them
            if k == 4 and written.translate(None, _DIGIT_BYTES) == b"...":
                return False  # a dotted quad: an IPv4 address (its own pattern) or a version
            digits = written.translate(None, _NON_DIGIT_BYTES).decode("ascii")
        before = data[first - 1] if first else 0
        plus = before == 43 or before == 40  # written after '+' or '('
        at = first - plus  # context words stand before this
        bare, assume = mode.bare, mode.assume
        # the context words before the number, once: kind -> where its nearest word starts
        if near is None:
            near = _context(data, at, ctx) if ctx else _NONE
        if n == 10 and bare and "passport" not in assume:
            shaped = ("inn",)
        checked = []
        if not shaped:
            pass
        elif bare or snils_printed:
            for kind in shaped:
                if _CONTEXT_VALIDATORS[kind](digits):
                    checked.append(kind)
        elif near or assume:
            # in free text these kinds count only after a context word: look for the words
            # first, they are cheaper than the checksums
            for kind in shaped:
                if (kind in near or kind in assume) and _CONTEXT_VALIDATORS[kind](digits):
                    checked.append(kind)
        phone_word = "phone" in near or "phone" in assume
        if checked:  # the nearest context word decides between the kinds a number may be
            if (
                len(checked) == 1
                and not bare
                and not snils_printed  # then every checked kind has its context word
                and (not phoneish or not phone_word)
            ):
                nearest: str | None = checked[0]  # no rival: no need to find which is nearer
            else:
                nearest = _nearest([*checked, "phone"] if phoneish else checked, assume, near)
            if nearest is not None and nearest != "phone":
                found.append(Hit(nearest, KINDS[nearest].category, first, last, digits))
                return True
        if n >= 12 and card_shape and v.card(digits):
            found.append(Hit("card", "financial.card", first, last, digits))
            return True
        if snils_printed and "snils" in checked:
            found.append(Hit("snils", "identity.insurance_number", first, last, digits))
            return True
        # written as a phone number is written, or after its word
        written_as_phone = plus or k >= 3 or phone_word
        if phoneish and written_as_phone and v.phone_digits(digits, before == 43, self.regions):
            found.append(Hit("phone", "contact.phone", first - plus, last, digits))
            return True
        if not bare or not checked:
            return False
        found.extend(
            Hit(kind, KINDS[kind].category, first, last, digits, False) for kind in checked
        )
        return True

    def _passport(
        self, found: list[Hit], data: bytes, start: int, end: int, mode: _Mode, ctx: _Words
    ) -> None:
        digits = "".join(m.group().decode() for m in _GROUP.finditer(data[start:end]))
        if v.passport_ru(digits) and self._has_context("passport", data, start, mode, ctx):
            found.append(Hit("passport", "identity.document", start, end, digits))

    def _date(
        self,
        found: list[Hit],
        data: bytes,
        start: int,
        groups: tuple[tuple[int, int], ...],
        year_first: bool,
        mode: _Mode,
        ctx: _Words,
    ) -> bool:
        """Whether the three groups (of a date's shape, see _plan; offsets from ``start``) are
        a calendar date; if so, adds to ``found`` the date of birth it is (after its context
        word), if it is one."""
        (s0, e0), (s1, e1), (s2, e2) = groups
        s0 += start
        e2 += start
        first, second, third = (
            int(data[s0 : start + e0]),
            int(data[start + s1 : start + e1]),
            int(data[start + s2 : e2]),
        )
        if year_first:
            year, month, day = first, second, third
        else:
            day, month, year = first, second, third
            if month > 12 and day <= 12:  # month first, as in the United States
                day, month = month, day
        # any year of four digits (a date of 2423 is still a date, not a phone number's digits);
        # whether it can be a date of birth is v.birth_date's to say
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return False
        if self._has_context("birth_date", data, s0, mode, ctx) and v.birth_date(day, month, year):
            text = f"{year}-{_TWO_DIGITS[month]}-{_TWO_DIGITS[day]}"  # (the year has four digits)
            found.append(Hit("birth_date", "identity.birth_date", s0, e2, text))
        return True
