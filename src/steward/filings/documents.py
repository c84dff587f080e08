"""Filings and records as documents: XLSX, CSV, HTML and PDF.

    record_xlsx(record) -> bytes          # two sheets: Art. 30(1) and Art. 30(2)
    record_csv(record, "controller")      # one view as CSV text (UTF-8, header row)
    record_html(record) -> str            # both views, printable
    draft_html(draft, due=..., changes=...) -> str   # Russian: Roskomnadzor's form
    pdf(html) -> bytes                    # lib.pdf.html_to_pdf, from any of the HTML documents

The documents only lay out what ``art30.py`` and ``rkn.py`` built; a document whose language is
fixed by its addressee (a notification to Roskomnadzor is in Russian) has one template.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape

from steward.filings.art30 import CONTROLLER_COLUMNS, NOT_DECLARED, PROCESSOR_COLUMNS, Record
from steward.filings.rkn import Draft
from steward.law.filings import NOTIFICATION_FORMS_RU, FilingDue, FilingKind
from steward.lib.cells import safe_cell
from steward.lib.pdf import html_to_pdf
from steward.notices.phrases import long_date
from steward.notices.plural import duration_phrase
from steward.register.countries import country_name
from steward.register.duration import Duration

TEMPLATES = Path(__file__).parent / "templates"
View = Literal["controller", "processor"]
TITLES_RU = {
    FilingKind.INTENTION: "Уведомление о намерении осуществлять обработку персональных данных",
    FilingKind.CHANGE: "Уведомление об изменении сведений, содержащихся в уведомлении о "
    "намерении осуществлять обработку персональных данных",
    FilingKind.CESSATION: "Уведомление о прекращении обработки персональных данных",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html.j2", "html"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["country_name"] = lambda code: country_name(code, "ru")
    env.globals["duration"] = lambda text: duration_phrase(Duration.parse(text), "ru")
    return env


def _css() -> str:
    return (TEMPLATES / "filing.css").read_text(encoding="utf-8")


def _columns(view: View) -> tuple[tuple[str, str], ...]:
    return CONTROLLER_COLUMNS if view == "controller" else PROCESSOR_COLUMNS


def _rows(record: Record, view: View) -> list[dict[str, str]]:
    return record.controller if view == "controller" else record.processors


def record_csv(record: Record, view: View = "controller") -> str:
    out = io.StringIO()
    columns = _columns(view)
    writer = csv.writer(out)
    writer.writerow([heading for _, heading in columns])
    for row in _rows(record, view):
        writer.writerow([_cell(row[key]) for key, _ in columns])
    return out.getvalue()


_cell = safe_cell  # a spreadsheet never runs a cell (lib/cells.py)


def record_xlsx(record: Record) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for view, title in (
        ("controller", "Art. 30(1) controller"),
        ("processor", "Art. 30(2) processors"),
    ):
        sheet = book.create_sheet(title)
        columns = _columns(view)  # type: ignore[arg-type]
        sheet.append([heading for _, heading in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in _rows(record, view):  # type: ignore[arg-type]
            sheet.append([_cell(row[key]) for key, _ in columns])
        for index in range(1, len(columns) + 1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 40
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    book.properties.title = f"Record of processing activities: {record.operator}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def record_html(record: Record, generated: date | None = None) -> str:
    return (
        environment()
        .get_template("en/art30.html.j2")
        .render(
            record=record,
            controller_columns=CONTROLLER_COLUMNS,
            processor_columns=PROCESSOR_COLUMNS,
            not_declared=NOT_DECLARED,
            generated=long_date(generated, "en") if generated else None,
            css=_css(),
        )
    )


def draft_html(
    draft: Draft,
    *,
    due: FilingDue | None = None,
    changes: list[dict[str, Any]] | None = None,
    generated: date | None = None,
) -> str:
    """The draft as Roskomnadzor's form, in Russian with Russian citations."""
    template = "ru/art12.html.j2" if draft.kind is FilingKind.TRANSFER else "ru/art22.html.j2"
    return (
        environment()
        .get_template(template)
        .render(
            f=draft.fields,
            missing=draft.missing,
            title=TITLES_RU.get(draft.kind, ""),
            forms=NOTIFICATION_FORMS_RU,
            due=long_date(due.due, "ru") if due else None,
            due_citation=due.citation_ru if due else None,
            changes=changes or [],
            generated=long_date(generated, "ru") if generated else None,
            css=_css(),
        )
    )


pdf = html_to_pdf
