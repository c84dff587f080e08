"""Text put into a spreadsheet cell (CSV, XLSX) that a spreadsheet shows and never runs.

    safe_cell("=HYPERLINK(...)")  -> "'=HYPERLINK(...)"
    safe_cell("+7 912 345-67-89") -> "+7 912 345-67-89"    (a number or a phone stays as it is)

Used by every CSV and XLSX Steward writes (filings, the access report, the audit export).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_PHONE = re.compile(r"\+[0-9][0-9 ().\-]*")  # with at least 7 digits (checked below)


def safe_cell(text: str) -> str:
    """A leading =, +, -, @, tab or carriage return is quoted (CSV injection, OWASP), unless
    the text is a signed number (``-12.50``) or an international phone number (``+``, at least
    seven digits, spaces, dots, parentheses, hyphens), which a spreadsheet cannot run;
    ``-1-1`` is quoted, since a spreadsheet would show its sum."""
    if not text.startswith(FORMULA_STARTS) or _NUMBER.fullmatch(text):
        return text
    if _PHONE.fullmatch(text) and sum(c.isdigit() for c in text) >= 7:
        return text
    return "'" + text
