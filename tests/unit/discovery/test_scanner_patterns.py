"""The scanner's Hyperscan patterns, shaped so that fewer candidates reach Python, find what the
plain patterns they stand for find and the validators then keep."""

from __future__ import annotations

import hyperscan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.discovery import scanner
from steward.discovery import validators as v
from steward.discovery.scanner import Scanner

SCANNER = Scanner(("RU", "US"))
MANY = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# colon groups, every one a candidate address (as the scanner once matched them, except that
# one group after "::" is enough: "fe80::1", "::1")
_PLAIN_IPV6 = rb"(?:\b[0-9A-Fa-f]{1,4})?(?:::?[0-9A-Fa-f]{1,4}){1,7}\b"
_PLAIN = hyperscan.Database()
_PLAIN.compile(
    expressions=[_PLAIN_IPV6], ids=[0], elements=1, flags=[hyperscan.HS_FLAG_SOM_LEFTMOST]
)


def _plain_ipv6(data: bytes) -> list[tuple[int, int, str]]:
    """The addresses the plain pattern's candidates are: for each start the furthest end, a
    candidate starting inside the one before skipped, each checked by ``validators.ipv6``."""
    furthest: dict[int, int] = {}

    def collect(_id: int, start: int, end: int, _flags: int, _context: object) -> None:
        furthest[start] = max(end, furthest.get(start, -1))

    _PLAIN.scan(data, match_event_handler=collect)
    found, covered = [], -1
    for start in sorted(furthest):
        end = furthest[start]
        if start < covered:
            continue
        covered = end
        text = data[start:end].decode("ascii")
        if v.ipv6(text) and scanner.written_as_address(data, start, end):
            found.append((start, end, text.lower()))
    return found


_PIECES = st.sampled_from(
    ["0", "1", "7", "a", "F", "12", "abcd", "fe80", "12345", "0:0", ":", ":", "::", ":::",
     " ", "g", "_", ".", "\n", "13:36:27", "2001:db8", "x"]
)  # fmt: skip
colon_soup = st.lists(_PIECES, max_size=30).map("".join)


@MANY
@given(colon_soup)
def test_ipv6_addresses_are_those_of_the_plain_pattern(text: str) -> None:
    data = text.encode()
    found = [(h.start, h.end, h.value) for h in SCANNER.scan(data) if h.kind == "ipv6"]
    assert found == _plain_ipv6(data)


def _ipv6_candidates(data: bytes) -> list[tuple[int, int]]:
    database = scanner._database()[0]
    found: list[tuple[int, int]] = []

    def collect(ident: int, start: int, end: int, _flags: int, _context: object) -> None:
        if ident == scanner._IPV6:
            found.append((start, end))

    database.scan(data, match_event_handler=collect)
    return found


def test_times_and_short_colon_groups_are_no_candidates() -> None:
    # what the plain pattern offered the validator, which refused it
    for text in ("13:36:27", "ts 2024-05-01T13:36:27+00:00", "a:b:c", "1:2:3:4:5:6:7"):
        assert _ipv6_candidates(text.encode()) == []
    found = _ipv6_candidates(b"from fe80::1:2 at 13:36:27")  # the address, not the time
    assert {start for start, _ in found} == {5} and max(end for _, end in found) == 14


def test_names_in_code_are_no_ipv6_addresses() -> None:
    # short forms have the shape of C++, Rust, PHP and Ruby paths; eight groups stay addresses
    for text in ("std::1", "Abc::Def", "Foo::Bar::baz()", "use a::b;", "x::1 y", "dead::beef"):
        assert [h for h in SCANNER.scan(f"see {text} in the trace") if h.kind == "ipv6"] == []
    hits = SCANNER.scan("peer abcd:ef01:2345:6789:abcd:ef01:2345:6789 and ::ffff:7f00:1")
    assert [h.value for h in hits if h.kind == "ipv6"] == [
        "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
        "::ffff:7f00:1",
    ]


def test_short_ipv6_forms_are_found() -> None:
    # the pattern once needed two colon groups after the first: "fe80::1" and "::1" had one
    for address in ("fe80::1", "::1", "2001:db8::1", "FE80::A"):
        hits = SCANNER.scan(f"login from {address} refused")
        assert [(h.kind, h.value) for h in hits] == [("ipv6", address.lower())]
