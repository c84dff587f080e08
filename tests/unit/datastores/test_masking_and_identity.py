"""Masking strategies and identifier normalisation, without a database."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from steward.datastores.errors import InvalidRequest
from steward.datastores.identity import Identifiers, candidates, normalise_phone
from steward.datastores.masking import ERASED, mask_value
from steward.register.models import ColumnSpec
from steward.register.taxonomy import IdentityKind

META = sa.MetaData()
T = sa.Table(
    "t",
    META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text_null", sa.String(50), nullable=True),
    sa.Column("text_req", sa.String(6), nullable=False),
    sa.Column("born", sa.Date, nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
)


def spec(mask: str | None, value: str | None = None) -> ColumnSpec:
    return ColumnSpec(category="identity.name", mask=mask, value=value)  # type: ignore[arg-type]


def test_keyed_hash_is_stable_per_key_and_fits_the_column() -> None:
    a = mask_value(spec("hash"), T.c.text_null, "Anna", secret=b"one", unique=False)
    assert a == mask_value(spec("hash"), T.c.text_null, "Anna", secret=b"one", unique=False)
    assert a != mask_value(spec("hash"), T.c.text_null, "Anna", secret=b"two", unique=False)
    assert len(a) == 50 and "Anna" not in a


def test_pseudonyms_differ_every_time() -> None:
    values = {
        mask_value(spec("pseudonym"), T.c.text_null, "x", secret=b"k", unique=False)
        for _ in range(20)
    }
    assert len(values) == 20


def test_year_generalises_dates_and_text_dates() -> None:
    assert mask_value(spec("year"), T.c.born, date(1990, 7, 3), secret=b"", unique=False) == date(
        1990, 1, 1
    )
    assert mask_value(
        spec("year"), T.c.born, datetime(1990, 7, 3, 12), secret=b"", unique=False
    ) == datetime(1990, 1, 1)
    assert mask_value(spec("year"), T.c.text_null, "1990-07-03", secret=b"", unique=False) == "1990"


def test_defaults_respect_not_null_and_length() -> None:
    assert mask_value(None, T.c.text_null, "Anna", secret=b"", unique=False) is None
    assert mask_value(None, T.c.text_req, "Anna", secret=b"", unique=False) == ERASED[:6]
    assert mask_value(None, T.c.amount, 12, secret=b"", unique=False) == 0
    assert mask_value(spec("fixed", "n/a"), T.c.text_req, "Anna", secret=b"", unique=False) == "n/a"
    unique = mask_value(None, T.c.text_req, "Anna", secret=b"", unique=True)
    assert unique != "Anna" and len(unique) == 6  # a random token that fits the column
    assert unique != mask_value(None, T.c.text_req, "Anna", secret=b"", unique=True)


@pytest.mark.parametrize(
    "raw", ["+7 912 345-67-89", "8 (912) 345-67-89", "+79123456789", "7 912 3456789"]
)
def test_phone_spellings_normalise_to_one_e164(raw: str) -> None:
    assert normalise_phone(raw, "RU") == "+79123456789"


def test_candidates_cover_the_usual_spellings() -> None:
    ids = Identifiers.parse({"phone": "+7 912 345-67-89"}, "RU")
    spellings = candidates(IdentityKind.PHONE, ids)
    assert "+79123456789" in spellings and "8 (912) 345-67-89" in spellings


def test_email_is_case_folded_and_checked() -> None:
    assert Identifiers.parse({"email": " Anna@Example.COM "}).email == "anna@example.com"
    with pytest.raises(InvalidRequest):
        Identifiers.parse({"email": "anna@@example"})
