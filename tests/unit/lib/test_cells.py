"""A cell a spreadsheet would run as a formula is quoted; numbers and phones are left alone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from steward.lib.cells import safe_cell


@given(st.text(max_size=40))
def test_no_cell_starts_a_formula_and_the_text_is_kept(text: str) -> None:
    cell = safe_cell(text)
    assert cell in (text, "'" + text)
    if cell == text and text[:1] in ("=", "@", "\t", "\r"):
        raise AssertionError(f"{text!r} left as a formula")
    if cell == text and text[:1] in ("+", "-"):
        assert all(c.isdigit() or c in " ().-+" for c in text), text
        digits = sum(c.isdigit() for c in text)
        # a signed number, or a phone: a spreadsheet would do sums with anything else
        assert text.lstrip("+-").replace(".", "", 1).isdigit() or (
            text.startswith("+") and digits >= 7
        ), text


def test_phones_and_signed_numbers_stay_as_written() -> None:
    for text in ("+79123456701", "+7 (912) 345-67-89", "-12.50", "42"):
        assert safe_cell(text) == text
    for text in ("=1+1", '+HYPERLINK("x")', "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "-1-1", "+1-1"):
        assert safe_cell(text) == "'" + text
