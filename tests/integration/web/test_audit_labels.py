"""The admin's audit log page labels each entry's action in the reader's language, while the
stored code, the filter by code and the exports stay the codes."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from steward.ledger.audit import record
from steward.requests import service
from steward.store.db import transaction

from ...jobs_app import embedded_app
from ...personas import sign_in_as


def _actions(page: str) -> list[str]:
    cells = re.findall(r'<td class="action" data-action="([^"]+)">(.*?)</td>', page, re.S)
    return [
        f"{code}|{html.unescape(re.sub(r'<[^>]+>', ' ', cell)).split()}" for code, cell in cells
    ]


def test_the_audit_page_labels_actions_in_the_readers_language_and_keeps_the_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = embedded_app(tmp_path, monkeypatch)
    with TestClient(app) as client:
        sign_in_as(client, "dpo")
        with transaction(app.state.sessions) as session:
            found = service.file_request(
                session, app.state.register, service.Intake(kind="access", email="a@example.com")
            )
            service.assign(session, found, assignee="dpo@example.com", actor="dpo@example.com")
            record(session, actor="someone", action="plugin.custom")  # a code with no label
        russian = client.get("/admin/audit", headers={"Accept-Language": "ru"}).text
        english = client.get("/admin/audit", headers={"Accept-Language": "en"}).text
        only = client.get("/admin/audit?action=request.", headers={"Accept-Language": "ru"}).text
        exported = client.get("/admin/audit/export.csv?action=request.").text
    shown = "\n".join(_actions(russian))
    assert "request.file|['Запрос:', 'подан', 'request.file']" in shown, shown
    assert "request.assigned|['Запрос:', 'назначен', 'исполнитель', 'request.assigned']" in shown
    assert "plugin.custom|['plugin.custom']" in shown  # no label: the code alone
    assert "Request: filed" not in russian
    assert "request.file|['Request:', 'filed', 'request.file']" in "\n".join(_actions(english))
    codes = [a.split("|")[0] for a in _actions(only)]
    assert codes and all(c.startswith("request.") for c in codes), codes  # filtered by the code
    assert "request.file" in exported and "request.assigned" in exported
    assert "Запрос" not in exported and "Request: filed" not in exported  # the export: codes
