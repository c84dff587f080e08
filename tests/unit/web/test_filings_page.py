"""The Filings page: the Art. 30 record to download, each draft with status, due date, history."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from steward.config import Settings
from steward.filings.tables import FilingDraft
from steward.ledger.audit import AuditEntry
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...personas import sign_in_as


@pytest.fixture
def client(store_file_url: str, tmp_path: Path):
    target = tmp_path / "register.yaml"
    target.write_text((EXAMPLES / "activecloud" / "register.yaml").read_text(encoding="utf-8"))
    app = create_app(Settings(database_url=store_file_url, register_path=target))
    with TestClient(app) as test_client:
        csrf = sign_in_as(test_client, "dpo")
        test_client.post("/admin/register/reload", data={"csrf_token": csrf})
        test_client.cookies.clear()
        yield test_client


def test_page_lists_the_art22_and_art12_drafts_with_their_due_dates(client: TestClient) -> None:
    sign_in_as(client, "auditor")
    page = client.get("/admin/filings")
    assert page.status_code == 200
    assert "Art. 22 notification of intention" in page.text
    assert "Art. 12 cross-border transfer" in page.text
    assert "Record filing" not in page.text  # auditors read, never file
    with client.app.state.sessions() as session:
        rows = session.scalars(select(FilingDraft)).all()
        transfer = next(r for r in rows if r.kind == "ru-12-transfer")
        assert transfer.due_on is not None and transfer.due_on.isoformat() in page.text
    draft = client.get(f"/admin/filings/{transfer.id}.html")
    assert draft.status_code == 200 and "ч. 3, 4 ст. 12" in draft.text


def test_record_downloads_as_an_xlsx_that_openpyxl_opens(client: TestClient) -> None:
    sign_in_as(client, "auditor")
    answer = client.get("/admin/filings/record.xlsx")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    assert "Art. 30(1)(b)" in str(next(book.worksheets[0].iter_rows(values_only=True)))
    assert client.get("/admin/filings/record.doc").status_code == 404


def test_dpo_records_a_filing_with_its_number_and_it_is_audited(client: TestClient) -> None:
    csrf = sign_in_as(client, "dpo")
    page = client.get("/admin/filings")
    found = re.search(r'action="/admin/filings/(\d+)/filed"', page.text)
    assert found
    draft_id = int(found.group(1))
    answer = client.post(
        f"/admin/filings/{draft_id}/filed",
        data={"csrf_token": csrf, "filed_on": "2026-03-04", "registry_number": "77-26-000123"},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    filed = 'filed on <time datetime="2026-03-04">Mar 4, 2026</time>, No. 77-26-000123'
    assert filed in answer.text
    refused = client.post(
        f"/admin/filings/{draft_id}/filed",
        data={"csrf_token": csrf, "filed_on": "04.03.2026", "registry_number": "1"},
    )
    assert "is not a date" in refused.text
    with client.app.state.sessions() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry))]
        assert "filing.filed" in actions


def test_the_drafts_names_are_in_the_readers_language(client: TestClient) -> None:
    sign_in_as(client, "auditor")
    page = client.get("/admin/filings", headers={"Accept-Language": "ru"}).text
    assert "Уведомление о трансграничной передаче персональных данных (ст. 12 152-ФЗ)" in page
    assert "Art. 12 cross-border transfer" not in page
    assert "Art. 22 notification of intention" not in page
    english = client.get("/admin/filings", headers={"Accept-Language": "en"}).text
    assert "152-FZ Art. 12 cross-border transfer notification" in english
