"""Masking strategies: what a personal column becomes when its row must stay.

    rule = mask_rule(spec, column, unique=False, linked=False, secret=b"...")
    value = rule.value(old)            # None stays None

``null``       NULL
``fixed``      the register's ``value`` text
``hash``       keyed HMAC-SHA256 of the old value (same input, same output: joins still work)
``pseudonym``  a random token, different every time (unique, so unique indexes stay satisfied)
``year``       a date generalised to 1 January of its year (text dates keep their first 4 chars)
``keep``       the value stays (a foreign key that must keep its row linked)

Without a strategy in the register the mask follows the column's type and constraints, so the
database accepts it:

- a foreign key (reflected or declared) is unlinked, NULL, where it may be NULL, else kept;
- NULL wherever the column allows it;
- unique columns get a random value of their type (text token, integer or decimal in range,
  UUID), different per row;
- enums their first value (or the first a CHECK ``IN`` list allows), JSON ``{}``, arrays
  ``[]``, booleans false, times midnight, intervals zero, bytes empty, dates their year;
- text ``[erased]`` cut to the column's length, padded to a CHECK's minimum length;
- numbers 0, or the nearest value a CHECK's range allows.

A type none of this covers (a geometry, a PostgreSQL ``inet``) keeps its value, and
``unmaskable`` says so: ``datastores test`` reports it so that the register names a mask.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from steward.datastores.constraints import Allowed, column_checks
from steward.register.models import ColumnSpec

ERASED = "[erased]"


@dataclass(frozen=True)
class MaskRule:
    """How one column is masked. ``constant``: every row gets the same value."""

    value: Callable[[Any], Any]
    constant: bool
    kept: str | None = None  # why the value stays as it is (None: it is replaced)


def _length(column: sa.Column[Any]) -> int | None:
    length = getattr(column.type, "length", None)
    return length if isinstance(length, int) and length > 0 else None


def _fit(text: str, column: sa.Column[Any]) -> str:
    length = _length(column)
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


def _constant(value: Any) -> MaskRule:
    return MaskRule(lambda _old: value, True)


def _token(column: sa.Column[Any], allowed: Allowed) -> str:
    length = _length(column)
    room = length if length else 21
    text = "anon-" + secrets.token_hex(8) if room >= 13 else secrets.token_hex(room)[:room]
    return text.ljust(allowed.min_length, "0")[: length or None]


_INTEGER_HIGH = {sa.SmallInteger: 2**15 - 1, sa.BigInteger: 2**62}


def _integer_range(column: sa.Column[Any], allowed: Allowed) -> tuple[int, int]:
    high = 2**31 - 1
    for kind, top in _INTEGER_HIGH.items():
        if isinstance(column.type, kind):
            high = top
    name = type(column.type).__name__.upper()
    if name == "TINYINT":
        high = 127
    elif name == "MEDIUMINT":
        high = 2**23 - 1
    low = -high - 1
    if getattr(column.type, "unsigned", False):
        low = 0
    if allowed.low is not None:
        low = max(low, int(allowed.low) + (1 if allowed.low_open or allowed.low % 1 else 0))
    if allowed.high is not None:
        top = int(allowed.high)
        high = min(high, top - 1 if allowed.high_open and top == allowed.high else top)
    return low, high


def _nearest_zero(low: int, high: int) -> int:
    return min(max(0, low), high)


def _number_rule(column: sa.Column[Any], kind: type, unique: bool, allowed: Allowed) -> MaskRule:
    if kind is int:
        low, high = _integer_range(column, allowed)
        if unique:
            start = max(low, 1) if high >= 1 else low
            return MaskRule(lambda _old: start + secrets.randbelow(high - start + 1), False)
        return _constant(_nearest_zero(low, high))
    precision = getattr(column.type, "precision", None)
    scale = getattr(column.type, "scale", None) or 0
    top = Decimal(10) ** (precision - scale) - 1 if precision else Decimal(2**31)
    least: Decimal = allowed.low if allowed.low is not None else -top
    most: Decimal = allowed.high if allowed.high is not None else top
    as_kind: Callable[[Decimal], Any] = Decimal if kind is Decimal else float
    if unique:
        first = max(int(least), 1)
        span = max(int(most) - first, 1)
        return MaskRule(lambda _old: as_kind(Decimal(first + secrets.randbelow(span))), False)
    zero = min(max(Decimal(0), least), most)
    if allowed.low_open and zero == allowed.low:
        zero = zero + 1 if zero + 1 <= most else (zero + most) / 2
    return _constant(as_kind(zero))


def _text_rule(column: sa.Column[Any], unique: bool, allowed: Allowed) -> MaskRule:
    if allowed.json:
        return _constant("{}")
    if unique:
        return MaskRule(lambda _old: _token(column, allowed), False)
    if allowed.values:
        return _constant(allowed.values[0])
    text = ERASED.ljust(allowed.min_length, "-")
    return _constant(_fit(text, column))


def default_rule(column: sa.Column[Any], *, unique: bool, linked: bool) -> MaskRule:
    """The mask of ``column`` when the register names none (see the module docstring)."""
    keep = MaskRule(lambda old: old, False, kept="")
    if linked:
        if column.nullable:
            return _constant(None)
        return MaskRule(keep.value, False, kept="a NOT NULL foreign key keeps its row linked")
    if column.nullable and not column.primary_key:
        return _constant(None)
    allowed = column_checks(column)
    column_type = column.type
    if isinstance(column_type, sa.Enum) and column_type.enums:
        values = [v for v in column_type.enums if not allowed.values or v in allowed.values]
        return _constant((values or column_type.enums)[0])
    if isinstance(column_type, sa.JSON):
        return _constant({})
    if isinstance(column_type, sa.ARRAY):
        return _constant([])
    kind = _python_type(column)
    if kind is uuid.UUID:
        return MaskRule(lambda _old: uuid.uuid4(), False) if unique else _constant(uuid.UUID(int=0))
    if kind is str:
        return _text_rule(column, unique, allowed)
    if kind is bool:
        return _constant(False)
    if kind in (int, float, Decimal):
        return _number_rule(column, kind, unique, allowed)
    if kind in (date, datetime):
        return MaskRule(_year, False)
    if kind is time:
        return _constant(time(0, 0))
    if kind is timedelta:
        return _constant(timedelta(0))
    if kind is bytes:
        if unique:
            return MaskRule(lambda _old: secrets.token_bytes(16), False)
        return _constant(b"")
    reason = f"no default mask for its type {column_type}; name a mask in the register"
    return MaskRule(keep.value, False, kept=reason)


def mask_rule(
    spec: ColumnSpec | None,
    column: sa.Column[Any],
    *,
    unique: bool,
    linked: bool = False,
    secret: bytes,
) -> MaskRule:
    """How ``column`` is masked: the register's strategy, else ``default_rule``."""
    strategy = spec.mask if spec else None
    if strategy == "null":
        return _constant(None)
    if strategy == "fixed":
        return _constant(_fit(spec.value or "", column) if spec else ERASED)
    if strategy == "hash":

        def digest(old: Any) -> str:
            return _fit(hmac.new(secret, str(old).encode(), hashlib.sha256).hexdigest(), column)

        return MaskRule(digest, False)
    if strategy == "pseudonym":
        return MaskRule(lambda _old: _fit("anon-" + secrets.token_hex(8), column), False)
    if strategy == "year":
        return MaskRule(_year, False)
    if strategy == "keep":
        return MaskRule(lambda old: old, False, kept="the register says keep")
    return default_rule(column, unique=unique, linked=linked)


def mask_value(
    spec: ColumnSpec | None,
    column: sa.Column[Any],
    old: Any,
    *,
    secret: bytes,
    unique: bool,
    linked: bool = False,
) -> Any:
    """The masked value of ``old`` (NULL stays NULL)."""
    if old is None:
        return None
    return mask_rule(spec, column, unique=unique, linked=linked, secret=secret).value(old)


def unmaskable(column: sa.Column[Any], *, unique: bool, linked: bool) -> str | None:
    """Why the default mask leaves ``column`` as it is, or None when it replaces the value."""
    rule = default_rule(column, unique=unique, linked=linked)
    return rule.kept or None
