"""Filings of the five seed operators, each expectation derived from the operator's register.

The Art. 30 record opens in openpyxl with the Art. 30(1) columns and one row per purpose; the
Art. 22 draft of every operator under 152-FZ has a row per purpose and names where each
database is; the Art. 12 draft lists exactly the countries of the recipients abroad.
"""

from __future__ import annotations

import csv
import html
import io
import re
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from steward.filings.art30 import CONTROLLER_COLUMNS, PROCESSOR_COLUMNS, build_record
from steward.filings.documents import draft_html, pdf, record_csv, record_html, record_xlsx
from steward.filings.rkn import intention_draft, transfer_draft, under_152fz
from steward.register import load_register
from steward.register.countries import country_name
from steward.register.models import Register
from steward.register.taxonomy import RecipientRole

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
OPERATORS = ("activecloud", "softvendor", "acrcloud", "amrcloud", "almis")
ART_30_1 = ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)")


@cache
def register(operator: str) -> Register:
    return load_register(EXAMPLES / operator / "register.yaml")


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[-1])).split())


def _en(names: dict[str, str]) -> str:
    return names.get("en") or next(iter(names.values()))


@pytest.mark.parametrize("operator", OPERATORS)
def test_art30_xlsx_opens_with_the_art30_1_columns_and_a_row_per_purpose(operator: str) -> None:
    reg = register(operator)
    book = load_workbook(io.BytesIO(record_xlsx(build_record(reg))), read_only=True)
    controller, processors = book.worksheets
    rows = list(controller.iter_rows(values_only=True))
    header = rows[0]
    assert list(header) == [heading for _, heading in CONTROLLER_COLUMNS]
    for point in ART_30_1:
        assert any(f"Art. 30(1){point}" in str(h) for h in header), point
    assert len(rows) - 1 == len(reg.purposes)
    column = {key: i for i, (key, _) in enumerate(CONTROLLER_COLUMNS)}
    home = reg.operator.country
    for purpose, row in zip(reg.purposes, rows[1:], strict=True):
        assert str(row[column["purpose"]]).startswith(_en(purpose.names))
        assert reg.operator.legal_name in str(row[column["controller"]])
        for recipient_id in purpose.recipients:
            recipient = reg.recipient(recipient_id)
            assert recipient.name in str(row[column["recipients"]])
            assert (recipient.name in str(row[column["transfers"]])) == (recipient.country != home)
        for category_id in purpose.categories:
            assert reg.category(category_id).en in str(row[column["categories"]])
    processor_rows = list(processors.iter_rows(values_only=True))
    assert list(processor_rows[0]) == [heading for _, heading in PROCESSOR_COLUMNS]
    declared = [r for r in reg.recipients if r.role is RecipientRole.PROCESSOR]
    assert len(processor_rows) - 1 == len(declared)
    for recipient, row in zip(declared, processor_rows[1:], strict=True):
        assert str(row[0]).startswith(recipient.name)


@pytest.mark.parametrize("operator", OPERATORS)
def test_art30_csv_and_html_carry_the_same_rows(operator: str) -> None:
    record = build_record(register(operator))
    rows = list(csv.reader(io.StringIO(record_csv(record))))
    assert len(rows) == 1 + len(register(operator).purposes)
    page = record_html(record)
    for row in record.controller:
        assert html.escape(row["purpose"], quote=False)[:60] in page


def test_art30_pdf_is_a_pdf() -> None:
    document = pdf(record_html(build_record(register("almis"))))
    assert document.startswith(b"%PDF-") and len(document) > 2000


@pytest.mark.parametrize("operator", [op for op in OPERATORS if under_152fz(register(op))])
def test_art22_draft_has_a_row_per_purpose_with_its_categories(operator: str) -> None:
    reg = register(operator)
    draft = intention_draft(reg)
    assert [p["id"] for p in draft.fields["purposes"]] == [p.id for p in reg.purposes]
    for purpose, entry in zip(reg.purposes, draft.fields["purposes"], strict=True):
        assert [c["id"] for c in entry["categories"]] == purpose.categories
        assert entry["basis"] == purpose.basis.value
        assert ("transfer" in entry["actions"]) == bool(purpose.recipients)
    abroad = sorted({r.country for r in reg.recipients if r.country != "RU"})
    assert draft.fields["cross_border"] == bool(abroad)
    assert draft.fields["countries"] == abroad
    page = text_of(draft_html(draft))
    assert "ч. 3 ст. 22" in page and "Уведомление о намерении" in page
    for purpose in reg.purposes:
        assert (purpose.names.get("ru") or _en(purpose.names)) in page


@pytest.mark.parametrize("operator", ["activecloud", "almis"])
def test_art22_draft_names_the_russian_database_location(operator: str) -> None:
    reg = register(operator)
    draft = intention_draft(reg)
    assert [d["id"] for d in draft.fields["databases"]] == [s.id for s in reg.datastores]
    page = text_of(draft_html(draft))
    section = page.split("10.1.", 1)[1].split("11.", 1)[0]
    assert "Место нахождения базы данных" in section
    for store in reg.datastores:
        assert store.location == "RU"
        assert country_name(store.location, "ru") in section
        if store.descriptions and store.descriptions.get("ru"):
            assert store.descriptions["ru"] in section


@pytest.mark.parametrize("operator", [op for op in OPERATORS if under_152fz(register(op))])
def test_art12_draft_exists_exactly_when_a_recipient_is_abroad(operator: str) -> None:
    reg = register(operator)
    abroad = [r for r in reg.recipients if r.country != "RU"]
    draft = transfer_draft(reg)
    assert (draft is not None) == bool(abroad)
    if draft is None:
        return
    assert draft.fields["countries"] == sorted({r.country for r in abroad})
    listed = {r["name"] for p in draft.fields["purposes"] for r in p["recipients"]}
    used = {r.id for p in reg.purposes for r in [reg.recipient(x) for x in p.recipients]}
    assert listed == {(r.names or {}).get("ru") or r.name for r in abroad if r.id in used}
    page = text_of(draft_html(draft))
    assert "ч. 3, 4 ст. 12" in page
    for code in draft.fields["countries"]:
        assert country_name(code, "ru") in page


def test_no_roskomnadzor_draft_for_an_operator_outside_152fz() -> None:
    assert not under_152fz(register("acrcloud"))
