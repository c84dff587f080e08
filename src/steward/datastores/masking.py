"""Masking strategies: what a personal column becomes when its row must stay.

    value = mask_value(spec, column, old, secret=b"...")

``null``       NULL
``fixed``      the register's ``value`` text
``hash``       keyed HMAC-SHA256 of the old value (same input, same output: joins still work)
``pseudonym``  a random token, different every time (unique, so unique indexes stay satisfied)
``year``       a date generalised to 1 January of its year (text dates keep their first 4 chars)

Without a strategy in the register: NULL when the column allows it; otherwise a pseudonym
for a unique or key column, ``[erased]`` for text, the year for dates, 0 for numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from steward.register.models import ColumnSpec

ERASED = "[erased]"


def _fit(text: str, column: sa.Column[Any]) -> str:
    length = getattr(column.type, "length", None)
    return text[:length] if length else text


def _year(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if isinstance(value, date):
        return value.replace(month=1, day=1)
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return value[:4]
    return None


def _python_type(column: sa.Column[Any]) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def is_constant(spec: ColumnSpec | None, column: sa.Column[Any], unique: bool) -> bool:
    """Whether every row gets the same masked value (so one UPDATE serves all rows)."""
    strategy = spec.mask if spec else None
    if strategy in ("hash", "pseudonym", "year"):
        return False
    if strategy is None and not column.nullable:
        kind = _python_type(column)
        return not unique and kind is not None and kind not in (date, datetime)
    return True


def mask_value(
    spec: ColumnSpec | None, column: sa.Column[Any], old: Any, *, secret: bytes, unique: bool
) -> Any:
    strategy = spec.mask if spec else None
    if old is None:
        return None
    if strategy == "null":
        return None
    if strategy == "fixed":
        return _fit(spec.value or "", column) if spec else ERASED
    if strategy == "hash":
        digest = hmac.new(secret, str(old).encode(), hashlib.sha256).hexdigest()
        return _fit(digest, column)
    if strategy == "pseudonym":
        return _fit("anon-" + secrets.token_hex(8), column)
    if strategy == "year":
        return _year(old)
    # no strategy in the register
    if column.nullable and not unique:
        return None
    kind = _python_type(column)
    if unique or column.primary_key:
        return _fit("anon-" + secrets.token_hex(8), column) if kind is str else old
    if kind is str:
        return _fit(ERASED, column)
    if kind in (date, datetime):
        return _year(old)
    if kind in (int, float) or (kind is not None and kind.__name__ == "Decimal"):
        return 0
    if kind is bool:
        return False
    return None
