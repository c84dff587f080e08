"""Rectification: the subject's new values, validated, written wherever they belong.

    outcomes, writes = plan_rectification(schema, found, {"contact.email": "new@x"}, ...)

Values are keyed by category (``contact.email``), by name part (``identity.name.given``,
``identity.name.middle``, ``identity.name.family``) or by ``table.column``:

- a category applies to the columns of that category in the subject's account tables
  (``subject:``);
- a new e-mail or phone is also written to every identity column of that kind in every table
  where the subject's rows were found (a newsletter kept by e-mail, calls kept by phone), so
  the next request, made with the new identifier, still finds everything;
- a name column holds the whole name, or one part of it (``part:`` in the register, else read
  from the column's name: ``first_name``, ``surname``, ``patronymic``...). A part column takes
  its ``identity.name.<part>`` value; a whole name is never split by guessing the order (it
  differs between countries), so ``identity.name`` alone for part columns is refused, naming
  the keys to give.

Every value is validated before anything is written (``InvalidRequest`` otherwise).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import sqlalchemy as sa

from steward.datastores.actions import Planned, TableOutcome, _by_keys, _update_columns
from steward.datastores.batch import Statement
from steward.datastores.connect import Schema, TableInfo
from steward.datastores.errors import InvalidRequest
from steward.datastores.graph import Found
from steward.lib.identifiers import IdentifierError, clean_email_to_store, clean_phone
from steward.register.models import ColumnSpec
from steward.register.taxonomy import IdentityKind

NAME = "identity.name"
_PARTS = {
    "given": r"first_?name|given_?name|fore_?name|fname|name_?first|imya|имя",
    "middle": r"middle_?name|patronymic|otchestvo|отчество",
    "family": r"last_?name|surname|family_?name|lname|name_?last|familiya|фамилия",
}
_IDENTIFIER_CATEGORY = {IdentityKind.EMAIL: "contact.email", IdentityKind.PHONE: "contact.phone"}


def name_part(column: str, spec: ColumnSpec) -> str | None:
    """The part of a name ``column`` holds (None: the whole name)."""
    if spec.part:
        return spec.part
    for part, pattern in _PARTS.items():
        if re.fullmatch(pattern, column.strip().lower()):
            return part
    return None


def validate_value(category: str, column: sa.Column[Any], value: str, region: str | None) -> Any:
    """The value to store, or ``InvalidRequest`` saying what a right value looks like."""
    text = value.strip()
    if not text:
        raise InvalidRequest(f"the new value for {column.name} is empty")
    if category.startswith("contact.email"):
        try:
            text = clean_email_to_store(text)
        except IdentifierError:
            raise InvalidRequest(f"the new value for {column.name} is not a valid e-mail") from None
    elif category.startswith("contact.phone"):
        try:
            text = clean_phone(text, region)
        except IdentifierError:
            raise InvalidRequest(
                f"the new value for {column.name} is not a valid phone number (+country code)"
            ) from None
    length = getattr(column.type, "length", None)
    if length and len(text) > length:
        raise InvalidRequest(f"the new value for {column.name} is longer than {length} characters")
    return text


def _wanted(info: TableInfo, values: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Column -> (category to validate as, raw value) for the table's rows."""
    spec = info.spec
    assert spec is not None
    wanted: dict[str, tuple[str, str]] = {}
    for column, kind in spec.identity.items():
        category = _IDENTIFIER_CATEGORY.get(kind)
        if category and category in values:
            wanted[column] = (category, values[category])
    for name, column_spec in spec.columns.items():
        category = column_spec.category
        qualified = f"{info.key}.{name}"
        if qualified in values:
            wanted[name] = (category, values[qualified])
            continue
        if spec.subject is None:
            continue
        part = name_part(name, column_spec) if category == NAME else None
        if part is not None:
            key = f"{NAME}.{part}"
            if key in values:
                wanted[name] = (category, values[key])
            elif NAME in values:
                raise InvalidRequest(
                    f"{info.key}.{name} holds a {part} name: give the name in parts "
                    f"({', '.join(f'{NAME}.{p}' for p in _PARTS)}) instead of {NAME}"
                )
        elif category in values:
            wanted[name] = (category, values[category])
    return wanted


def plan_rectification(
    schema: Schema, found: Found, values: dict[str, str], *, dialect: str, region: str | None
) -> Planned:
    """Set the new values on the subject's rows (see the module docstring)."""
    outcomes = []
    writes: list[Statement] = []
    for table, rows in sorted(found.rows.items()):
        info = schema.tables[table]
        updates: dict[str, Any] = {}
        for name, (category, raw) in _wanted(info, values).items():
            if name in info.generated or name not in info.table.c:
                continue
            updates[name] = validate_value(category, info.table.c[name], raw, region)
        outcome = TableOutcome(schema.datastore.id, table, found=len(rows))
        if updates:
            outcome.rectified = len(rows)
            columns = sorted(updates)
            writes += _by_keys(
                dialect,
                info,
                ("rectify", *columns),
                partial(_update_columns, info.table, columns),
                sorted(rows, key=repr),
                {f"v_{i}": updates[c] for i, c in enumerate(columns)},
            )
        outcomes.append(outcome)
    return outcomes, writes
