"""Text put into a spreadsheet cell (CSV, XLSX) that a spreadsheet shows and never runs.

    safe_cell("=HYPERLINK(...)")  -> "'=HYPERLINK(...)"
    safe_cell("+7 912 345-67-89") -> "+7 912 345-67-89"    (a number or a phone stays as it is)

Used by every CSV and XLSX Steward writes (filings, the access report).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9][0-9 ().\-]*")


def safe_cell(text: str) -> str:
    """A leading =, +, -, @, tab or carriage return is quoted (CSV injection, OWASP), unless
    the text is only a signed number or a phone number (digits, spaces, dots, parentheses,
    hyphens), which a spreadsheet cannot run."""
    if not text.startswith(FORMULA_STARTS) or _NUMBER.fullmatch(text):
        return text
    return "'" + text
