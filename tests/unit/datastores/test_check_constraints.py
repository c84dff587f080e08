"""Reading CHECK constraints as each database spells them back."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from steward.datastores.constraints import column_checks
from steward.datastores.masking import default_rule


def _column(*checks: str, kind: sa.types.TypeEngine[object] | None = None) -> sa.Column[object]:
    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("c", kind or sa.Integer(), nullable=False),
        *(sa.CheckConstraint(sa.text(check)) for check in checks),
    )
    return table.c.c


def test_a_strict_bound_stays_strict_beside_an_equal_closed_one() -> None:
    allowed = column_checks(_column("c > 0", "c BETWEEN 0 AND 10000"))
    assert (allowed.low, allowed.low_open, allowed.high) == (Decimal(0), True, Decimal(10000))
    assert (
        default_rule(_column("c > 0", "c BETWEEN 0 AND 10000"), unique=False, linked=False).value(5)
        == 1
    )


def test_postgresql_spellings_are_understood() -> None:
    assert column_checks(_column("(c >= '-10'::integer) AND (c <= 100)")).low == Decimal(-10)
    listed = column_checks(
        _column("c = ANY (ARRAY['gold'::text, 'silver'::text])", kind=sa.String(10))
    )
    assert listed.values == ["gold", "silver"]
    assert column_checks(_column("char_length((c)::text) >= 3", kind=sa.String(10))).min_length == 3


@given(
    low=st.integers(-1000, 1000),
    width=st.integers(1, 1000),
    strict=st.booleans(),
    order=st.booleans(),
)
def test_the_default_integer_mask_lies_within_every_bound(
    low: int, width: int, strict: bool, order: bool
) -> None:
    high = low + width + 1
    checks = [f"c {'>' if strict else '>='} {low}", f"c BETWEEN {low} AND {high}"]
    column = _column(*(checks if order else reversed(checks)))
    value = default_rule(column, unique=False, linked=False).value(None)
    assert (value > low if strict else value >= low) and value <= high
