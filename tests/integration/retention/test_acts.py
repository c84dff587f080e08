"""Destruction acts as PDF: downloaded from the admin and written by the CLI, read back as text.

The sweep is fired by the scheduler of an app serving the PhoneCo register; the PDF bytes are
opened with pypdf and must carry the act's own words (Russian and English), the table swept and
the number of records destroyed, as the stored HTML whose SHA-256 the audit log holds.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from steward.cli import app as cli
from steward.retention.tables import RetentionRun
from steward.store.db import transaction
from steward.store.registers import record_register

from ...jobs_app import embedded_app
from ...personas import sign_in_as
from .test_sweeps import REGISTER, _fill, _fire_scheduler


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture
def swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An app on the PhoneCo register after one scheduled sweep of its SQLite datastore."""
    operator = f"sqlite:///{tmp_path / 'operator.db'}"
    _fill(operator)
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER.replace("KIND", "sqlite"))
    monkeypatch.setenv("PHONECO_DATABASE_URL", operator)
    app = embedded_app(tmp_path, monkeypatch, register_path=str(path), dev="1")
    with transaction(app.state.sessions) as session:
        record_register(session, path)
    run = _fire_scheduler(app.state.sessions)
    assert run.status == "done" and run.destroyed > 0, run.error
    return {"app": app, "run": run}


def test_the_admin_downloads_the_act_as_a_pdf_with_its_text(swept: dict[str, Any]) -> None:
    app, run = swept["app"], swept["run"]
    client = TestClient(app, follow_redirects=False)
    sign_in_as(client, "auditor")
    page = client.get("/admin/retention")
    assert f'href="/admin/retention/acts/{run.id}.pdf"' in page.text
    subjects = json.loads(run.result)["subjects"]["count"]
    assert subjects > 0 and f"({subjects} subject(s))" in page.text  # besides the records
    answer = client.get(f"/admin/retention/acts/{run.id}.pdf")
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == "application/pdf"
    assert f"destruction-act-{run.id}.pdf" in answer.headers["content-disposition"]
    text = _text(answer.content)
    assert "Акт об уничтожении персональных данных" in text
    assert "Act of destruction of personal data" in text
    assert "PhoneCo LLC" in text and "recordings" in text
    assert str(run.destroyed) in text
    assert "Subjects whose data was destroyed" in text and "Количество субъектов" in text
    missing = client.get(f"/admin/retention/acts/{run.id + 100}.pdf")
    assert missing.status_code == 404


def test_the_cli_writes_the_act_as_pdf_or_html(swept: dict[str, Any], tmp_path: Path) -> None:
    run = swept["run"]
    runner = CliRunner()
    target = tmp_path / "act.pdf"
    written = runner.invoke(cli, ["retention", "act", str(run.id), "--output", str(target)])
    assert written.exit_code == 0, written.output
    text = _text(target.read_bytes())
    assert "Акт об уничтожении персональных данных" in text and "recordings" in text
    html = runner.invoke(cli, ["retention", "act", str(run.id), "--format", "html"])
    assert html.exit_code == 0, html.output
    with swept["app"].state.sessions() as session:
        stored = session.scalars(select(RetentionRun).where(RetentionRun.id == run.id)).one()
    assert stored.act_html and stored.act_html in html.output  # the hashed HTML, unchanged
    unknown = runner.invoke(cli, ["retention", "act", "9999"])
    assert unknown.exit_code == 1 and "no sweep 9999" in unknown.output


def test_the_retention_page_states_the_periods_of_stewards_own_data(
    swept: dict[str, Any],
) -> None:
    client = TestClient(swept["app"], follow_redirects=False)
    sign_in_as(client, "dpo")
    page = client.get("/admin/retention")
    assert page.status_code == 200
    own = page.text[page.text.index('id="own-data"') : page.text.index("<h2>Holds</h2>")]
    assert "7 day(s) after the request was completed" in own  # STEWARD_REQUESTS_RESULT_LINK_DAYS
    assert "1095 day(s) after the request was closed" in own
    assert "destruction acts (the sweeps above): 1095 day(s) after the sweep" in own
    assert "as soon as it is sent" in own
