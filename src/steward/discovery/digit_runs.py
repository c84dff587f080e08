"""What a run of digit groups can hold, worked out once per shape for the scanner.

    plan(b"0000 0000 0000 0000")   # its groups, dates, card groupings and candidates to try
    shape_of((4, 6, 5))            # what a candidate's group sizes alone decide

A run's digits written as '0' (``SHAPE``) decide its groups, where dates and card groupings
can be and which candidates to try, so ``scanner.Scanner`` asks ``plan`` once per shape and
keeps the answer in ``PLANS``; ``shape_of`` does the same for a candidate's group sizes.
"""

from __future__ import annotations

import re
from itertools import accumulate

_MAX_GROUPS = 8  # a candidate spans at most this many digit groups
_GROUP = re.compile(rb"\d+")
_DATE_SEPARATORS = frozenset((b".", b"-", b"/"))
_EXTENSION = re.compile(rb" ?(?:x|ext\.?) ?\d{1,5}$")

_CARD_GROUPS = ((4, 6, 5), (4, 6, 4))
_PASSPORT_GROUPS = ((2, 2, 6), (4, 6), (10,))
# the kinds needing context that a number of each length may be (ten digits: a passport only
# when grouped as one, see _classify)
_SHAPED = {10: ("inn", "passport"), 12: ("inn",), 13: ("ogrn",), 15: ("ogrn",), 11: ("snils",)}

# What _classify needs to know of a candidate's digit groups that their sizes alone decide,
# worked out once per sizes: how many groups, how many digits, whether printed as a SNILS is,
# the kinds needing context it may be (before the mode has its say, see _classify), whether
# it may be a phone number, and whether it is grouped as a card is
Shape = tuple[int, int, bool, tuple[str, ...], bool, bool]
_KNOWN_SHAPES: dict[tuple[int, ...], Shape] = {}


def shape_of(sizes: tuple[int, ...]) -> Shape:
    known = _KNOWN_SHAPES.get(sizes)
    if known is not None:
        return known
    k, n = len(sizes), sum(sizes)
    snils_printed = sizes == (3, 3, 3, 2)
    shaped = _SHAPED.get(n, ())
    if n == 10 and sizes not in _PASSPORT_GROUPS:
        shaped = ("inn",)
    card_shape = k == 1 or sizes in _CARD_GROUPS or set(sizes[:-1]) == {4}
    shape = (k, n, snils_printed, shaped, n <= 15 and not snils_printed, card_shape)
    if len(_KNOWN_SHAPES) < _MAX_KEPT:
        _KNOWN_SHAPES[sizes] = shape
    return shape


# A run of digit groups, digits written as '0': what the run's groups, dates and card groupings
# are depends on that shape only, so it is worked out once per shape (``plan``) and kept
SHAPE = bytes.maketrans(b"123456789", b"000000000")
Plan = tuple[
    tuple[tuple[int, int], ...],  # the digit groups: offsets in the run (an extension cut off)
    tuple[int, ...],  # their sizes
    tuple[int, ...],  # total[j] - total[i]: the digits of groups i..j-1
    # where three groups have a date's shape (the first one, the year first?, their offsets)
    tuple[tuple[int, bool, tuple[tuple[int, int], ...]], ...],
    bool,  # one date, and the other groups too few digits for a candidate: a date or not
    tuple[tuple[int, int], ...],  # groups i..j-1 grouped as a card is, in the order tried
    # from each group i, the candidates i..j-1 to try: their end j and their Shape
    tuple[tuple[tuple[int, Shape], ...], ...],
]
PLANS: dict[bytes, Plan | None] = {}
_MAX_KEPT = 4096  # shapes kept (a run of many groups is worked out each time once full)
UNKNOWN = object()  # a shape not worked out yet
SINGLE = [shape_of((n,)) for n in range(16)]  # one run of n digits (16 and more: a card)


def plan(shape: bytes) -> Plan | None:
    """The plan of a run of this shape; None for a dotted quad (an IPv4 address or a version:
    no candidate)."""
    body = shape
    if b"x" in shape:
        extension = _EXTENSION.search(shape)
        if extension:
            body = shape[: extension.start()]
    offsets = tuple((m.start(), m.end()) for m in _GROUP.finditer(body))
    sizes = tuple(e - s for s, e in offsets)
    count = len(sizes)
    result: Plan | None = None
    if not (count == 4 and body.count(b".") == 3 and len(body) <= 15):
        dates = []
        for i in range(count - 2):
            a, b, c = sizes[i : i + 3]
            # only a year of four digits and two groups of one or two, one separator twice
            if not (b <= 2 and ((a == 4 and c <= 2) or (c == 4 and a <= 2))):
                continue
            separator = body[offsets[i][1] : offsets[i + 1][0]]
            if separator in _DATE_SEPARATORS and body[offsets[i + 1][1] : offsets[i + 2][0]] == (
                separator
            ):
                dates.append((i, a == 4, offsets[i : i + 3]))
        cards = []
        if count > 1 and sum(sizes) >= 12:
            for i in range(count):
                # every card grouping starts with a group of four digits (4-6-5, 4-6-4, 4-4-...)
                if sizes[i] != 4:
                    continue
                for j in range(min(count, i + 5), i + 1, -1):
                    grouping = sizes[i:j]
                    n = sum(grouping)
                    if 12 <= n <= 19 and (grouping in _CARD_GROUPS or set(grouping[:-1]) == {4}):
                        cards.append((i, j))
        total = (0, *accumulate(sizes))
        # a candidate spans at most _MAX_GROUPS groups and holds 7 to 19 digits; the longest
        # is tried first
        trials = tuple(
            tuple(
                (j, shape_of(sizes[i:j]))
                for j in range(min(count, i + _MAX_GROUPS), i, -1)
                if 7 <= total[j] - total[i] <= 19
            )
            for i in range(count)
        )
        lone = len(dates) == 1 and total[-1] - (total[dates[0][0] + 3] - total[dates[0][0]]) < 7
        result = (offsets, sizes, total, tuple(dates), lone, tuple(cards), trials)
    if len(PLANS) < _MAX_KEPT:
        PLANS[shape] = result
    return result
