"""A Russian operator's staff read every admin page in Russian: no English sentence, and the
state of each record (an incident, a letter, an e-mail) as a word of their language.

The operator is activecloud (its register writes Russian only); the store holds an incident
recorded through the admin form and a request filed through the Privacy Center, whose
acknowledgement waits in the outbox. Each page is read as a person sees it (tags, scripts and
styles left out) and every line of two Latin words or more with no Cyrillic in it is an English
sentence, save what is not language: a command to type, a law's citation, a file format.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from steward.web.auth import csrf_token_for
from steward.web.security import CSRF_COOKIE

from ...apps import fresh_app
from ...personas import sign_in_as

RU = {"Accept-Language": "ru"}
PAGES = (
    "/admin/",
    "/admin/requests",
    "/admin/consents",
    "/admin/people",
    "/admin/audit",
    "/admin/settings",
    "/admin/breaches",
    "/admin/register",
    "/admin/notices",
    "/admin/filings",
    "/admin/retention",
    "/admin/discovery",
    "/admin/outbox",
    "/admin/account",
)
# not language: commands to type, laws' citations, formats, the log's stored details
NOT_LANGUAGE = re.compile(
    r"^(steward [a-z]|GDPR Art\.|152-FZ|JSON Lines$|\{\"|breach BR-|request R-|PDF$|CSV$)"
)


@pytest.fixture
def app(tmp_path: Path):
    return fresh_app(tmp_path, "activecloud")


def _shown(page: str) -> list[str]:
    """The page's text lines as a person reads them."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", text))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _english(lines: list[str]) -> list[str]:
    return [
        line
        for line in lines
        if re.search(r"[A-Za-z]{3,}(\s+[A-Za-z]{2,})+", line)
        and not re.search(r"[А-Яа-яЁё]", line)
        and not NOT_LANGUAGE.search(line)
    ]


def _cell(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|td)>', page, re.S)
    assert found, f"the page shows no #{element_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found[1])).split())


def test_every_admin_page_of_a_russian_operator_speaks_russian(app) -> None:
    public = TestClient(app)
    public.cookies.set(CSRF_COOKIE, "seed")
    csrf = csrf_token_for(app.state.settings.secret_key.get_secret_value(), "seed")
    filed = public.post(
        "/privacy/requests/new",
        data={"csrf_token": csrf, "kind": "access", "email": "ivan@example.com", "lang": "ru"},
    )
    assert filed.status_code == 200, filed.text[-2000:]
    client = TestClient(app, follow_redirects=False)
    csrf = sign_in_as(client, "owner")
    detected = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    recorded = client.post(
        "/admin/breaches",
        data={"csrf_token": csrf, "detected_at": detected, "nature": "Утечка резервной копии"},
        headers=RU,
    )
    assert recorded.status_code == 303, recorded.text[-2000:]
    incident = recorded.headers["location"]

    for path in (*PAGES, incident):
        page = client.get(path, headers=RU)
        assert page.status_code == 200, (path, page.status_code)
        assert _english(_shown(page.text)) == [], path

    detail = client.get(incident, headers=RU).text
    assert _cell(detail, "status") == "открыт", _cell(detail, "status")
    assert _cell(detail, "risk") == "ещё не оценён"
    outbox = client.get("/admin/outbox", headers=RU).text
    states = re.findall(r'<td class="status">(.*?)</td>', outbox, re.S)
    assert states and all(s.startswith("в очереди") for s in states), states
    assert "обращение: получено" in outbox and "request.receipt" not in outbox
    listed = client.get("/admin/breaches", headers=RU).text
    assert re.search(r'<td class="status">открыт</td>', listed), listed[-3000:]
    english = client.get(incident, headers={"Accept-Language": "en"}).text
    assert _cell(english, "status") == "open"  # the stored code's English word

    # the register in force: each purpose's basis, categories and retention in words
    purposes = re.search(
        r'<table id="purposes">(.*?)</table>', client.get("/admin/register", headers=RU).text, re.S
    )
    assert purposes, "the register page shows no purposes"
    rows = re.findall(r"<tr id=\"purpose-[^\"]+\">(.*?)</tr>", purposes[1], re.S)
    assert rows
    for row in rows:
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        name, basis, categories, retention, _recipients = cells
        for cell in (name, basis, categories):
            assert re.search(r"[А-Яа-яЁё]", cell), cells
        assert not re.search(r"\bP\d+[YMWD]\b| from ", retention), retention
    queue = client.get("/admin/requests", headers=RU).text
    request_page = re.search(r'href="(/admin/requests/\d+)"', queue)
    assert request_page, "the queue lists no request"
    assert "канал: Центр конфиденциальности" in client.get(request_page[1], headers=RU).text
    form = client.get("/admin/breaches", headers=RU).text
    assert '<option value="contact.email">Адрес электронной почты (contact.email)</option>' in form
