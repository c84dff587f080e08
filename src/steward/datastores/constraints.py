"""What a column's CHECK constraints allow, read from the reflected constraint text.

    allowed = column_checks(table.c.amount)   # Allowed(low=0, low_open=True, ...)

Only the forms a default mask needs to respect are understood, as each database spells them
back: ``c > N``, ``c >= N``, ``c < N``, ``c <= N`` (either side), ``c BETWEEN a AND b``,
``c IN ('a', 'b')`` (PostgreSQL: ``c = ANY (ARRAY['a'::text, ...])``), ``length(c) >= N``
(``char_length``), and ``json_valid(c)`` (MariaDB's JSON columns). Anything else is left to
the trial of ``datastores test`` (``maskcheck.py``), which asks the database itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa


@dataclass
class Allowed:
    low: Decimal | None = None
    low_open: bool = False
    high: Decimal | None = None
    high_open: bool = False
    values: list[str] | None = None  # c IN (...)
    min_length: int = 0
    json: bool = False
    texts: list[str] = field(default_factory=list)  # the constraints read, for messages


_NUMBER = r"(-?\d+(?:\.\d+)?)"


def _clean(text: str, column: str) -> str:
    text = re.sub(r"::\w+(?: varying| precision)?(?:\[\])?", "", text)  # PostgreSQL casts
    text = text.replace("`", "").replace('"', "")
    name = re.escape(column)
    text = re.sub(rf"\(\(\s*{name}\s*\)\)", f"({column})", text)  # char_length((c))
    text = re.sub(rf"(?<![\w(])\(\s*{name}\s*\)", column, text)  # (c) > 0
    text = re.sub(r"'(-?\d+(?:\.\d+)?)'", r"\1", text)  # '-10'::integer
    return " ".join(text.split())


def _bound(allowed: Allowed, op: str, value: Decimal) -> None:
    """Keep the tighter of the bound already read and ``op value``."""
    if op in (">", ">="):
        tighter = allowed.low is None or value > allowed.low
        if tighter or (value == allowed.low and op == ">"):
            allowed.low, allowed.low_open = value, op == ">"
    elif op in ("<", "<="):
        tighter = allowed.high is None or value < allowed.high
        if tighter or (value == allowed.high and op == "<"):
            allowed.high, allowed.high_open = value, op == "<"


_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


def _read(allowed: Allowed, text: str, c: str) -> None:
    name = re.escape(c)
    for low, high in re.findall(rf"\b{name} BETWEEN {_NUMBER} AND {_NUMBER}", text, re.I):
        _bound(allowed, ">=", Decimal(low))
        _bound(allowed, "<=", Decimal(high))
    text = re.sub(rf"\b{name} BETWEEN \S+ AND \S+", "", text, flags=re.I)
    for op, value in re.findall(rf"(?<![\w.])(?<!\w\(){name} (>=|<=|>|<) {_NUMBER}", text):
        _bound(allowed, op, Decimal(value))
    for value, op in re.findall(rf"{_NUMBER} (>=|<=|>|<) {name}\b", text):
        _bound(allowed, _FLIP[op], Decimal(value))
    for op, value in re.findall(
        rf"(?:char_length|length|octet_length)\({name}\) (>=|>|=) (\d+)", text, re.I
    ):
        least = int(value) + (op == ">")
        allowed.min_length = max(allowed.min_length, least)
    listed = re.search(rf"\b{name} IN \(([^)]*)\)", text, re.I) or re.search(
        rf"\b{name} = ANY \(ARRAY\[([^\]]*)\]\)", text, re.I
    )
    if listed:
        allowed.values = re.findall(r"'((?:[^']|'')*)'", listed.group(1))
    if re.search(rf"json_valid\({name}\)", text, re.I):
        allowed.json = True


def column_checks(column: sa.Column[Any]) -> Allowed:
    """The CHECK constraints of ``column``'s table that name it, as far as understood."""
    allowed = Allowed()
    table = column.table
    if not isinstance(table, sa.Table):
        return allowed
    for constraint in table.constraints:
        if not isinstance(constraint, sa.CheckConstraint):
            continue
        raw = str(constraint.sqltext)
        text = _clean(raw, column.name)
        if not re.search(rf"(?<![\w.]){re.escape(column.name)}(?!\w)", text):
            continue
        allowed.texts.append(raw)
        try:
            _read(allowed, text, column.name)
        except InvalidOperation:
            continue
    return allowed
