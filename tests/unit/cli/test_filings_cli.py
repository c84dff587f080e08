import io
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from steward.cli import app
from steward.register import load_register

from ...conftest import EXAMPLES

runner = CliRunner()


def test_filings_record_writes_an_xlsx_with_a_row_per_purpose(tmp_path: Path) -> None:
    register = EXAMPLES / "almis" / "register.yaml"
    target = tmp_path / "record.xlsx"
    result = runner.invoke(app, ["filings", "record", str(register), "-o", str(target)])
    assert result.exit_code == 0, result.output
    book = load_workbook(io.BytesIO(target.read_bytes()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + len(load_register(register).purposes)


def test_filings_draft_prints_the_russian_form_and_what_to_complete() -> None:
    register = str(EXAMPLES / "activecloud" / "register.yaml")
    result = runner.invoke(app, ["filings", "draft", register, "--kind", "art12"])
    assert result.exit_code == 0, result.output
    assert "трансграничную передачу" in result.stdout
    assert "to complete before filing: assessment_date" in result.stderr


def test_filings_draft_refuses_an_operator_outside_152fz() -> None:
    result = runner.invoke(app, ["filings", "draft", str(EXAMPLES / "acrcloud" / "register.yaml")])
    assert result.exit_code == 1 and "not under ru-152fz" in result.stderr


def test_filings_consent_writes_the_written_consent_of_an_item() -> None:
    register = str(EXAMPLES / "almis" / "register.yaml")
    result = runner.invoke(app, ["filings", "consent", register, "feedback-form", "--lang", "ru"])
    assert result.exit_code == 0 and "п. 9 ч. 4 ст. 9" in result.stdout
    missing = runner.invoke(app, ["filings", "consent", register, "nope"])
    assert missing.exit_code == 1 and "feedback-form" in missing.stderr
