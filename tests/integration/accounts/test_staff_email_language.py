"""The e-mails Steward writes to its own staff (the password reset, the request deadline
reminder, the breach clock reminder and the filing reminder) are in the person's admin
language (Account -> Language) where they chose one, else in the operator's first language
Steward writes, else English; a reminder sent to an address no account has (a register's
privacy address) is in the operator's first language. Sent by the product's own jobs, fired by
the real scheduler where they are periodic, to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from steward.accounts.tables import Person
from steward.breaches import service as breaches
from steward.jobs import registry
from steward.requests import service
from steward.store.db import transaction

from ...jobs_app import drain, embedded_app, fire
from ...personas import ensure_person
from ...smtp_server import Inbox


def _choose(app, email: str, language: str | None) -> None:  # type: ignore[no-untyped-def]
    person_id = ensure_person(app, "agent", email)
    with transaction(app.state.sessions) as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.language = language


def _ask_for_reset(client: TestClient, email: str) -> None:
    page = client.get("/admin/password-reset").text
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post("/admin/password-reset", data={"csrf_token": csrf, "email": email})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("operator", "language", "expected"),
    [
        ("demo", "ru", "ru"),  # the person's choice wins over the operator's first language
        ("activecloud", "en", "en"),
        ("activecloud", None, "ru"),  # no choice: the operator writes in Russian
        ("demo", None, "en"),  # no choice: the demo operator's first language is English
    ],
)
def test_the_reset_e_mail_is_in_the_persons_language_else_the_operators(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    smtp_inbox: Inbox,
    operator: str,
    language: str | None,
    expected: str,
) -> None:
    app = embedded_app(tmp_path, monkeypatch, operator, smtp_url=smtp_inbox.url)
    with TestClient(app) as client:
        _choose(app, "olga@example.com", language)
        # the browser asking is a stranger's as far as the account knows: it does not choose
        _ask_for_reset(client, "olga@example.com")
        drain()
        (message,) = smtp_inbox.wait(1, timeout=20)
    body = smtp_inbox.body(0)
    assert message["To"] == "olga@example.com"
    assert "/admin/password-reset/" in body
    if expected == "ru":
        assert message["Subject"] == "Задайте новый пароль Steward", message["Subject"]
        assert "в течение часа" in body and "within an hour" not in body, body
    else:
        assert message["Subject"] == "Set a new Steward password"
        assert "within an hour" in body, body


def test_the_reminder_is_in_each_recipients_language_with_the_days_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_inbox: Inbox
) -> None:
    app = embedded_app(
        tmp_path, monkeypatch, "activecloud", smtp_url=smtp_inbox.url, requests_remind_days="3"
    )
    with TestClient(app):
        _choose(app, "agent@example.com", "en")  # chose English
        ensure_person(app, "dpo", "dpo@example.com")  # chose nothing: the operator's Russian
        with transaction(app.state.sessions) as session:
            found = service.file_request(
                session, app.state.register, service.Intake(kind="access", email="a@example.com")
            )
            service.assign(session, found, assignee="agent@example.com", actor="dpo")
            found.due_on = date.today() + timedelta(days=2)
            reference = found.reference
        registry.call("requests.remind", {})
        drain()
        received = smtp_inbox.wait(3, timeout=20)  # the subject's receipt, two reminders
    by_address = {m["To"]: m for m in received if m["To"] != "a@example.com"}
    assert sorted(by_address) == ["agent@example.com", "dpo@example.com"], [
        (m["To"], m["Subject"]) for m in received
    ]
    english, russian = by_address["agent@example.com"], by_address["dpo@example.com"]
    assert english["Subject"] == f"Request {reference} is due in 2 days", english["Subject"]
    text = english.get_body(preferencelist=("plain",)).get_content()
    assert f"Request {reference} (Access to your data, state: received) is due in 2 days" in text
    assert "under " in text, text
    assert russian["Subject"] == f"Срок ответа на запрос {reference} — через 2 дня", russian[
        "Subject"
    ]
    text = russian.get_body(preferencelist=("plain",)).get_content()
    assert "Доступ к своим данным" in text and "состояние: получено" in text, text
    assert "через 2 дня" in text, text
    assert "day(s)" not in text and "is due" not in text, text


def _account(app, email: str, language: str | None) -> None:  # type: ignore[no-untyped-def]
    """``email`` as a member of staff who chose ``language``; "none": no account at all."""
    if language != "none":
        _choose(app, email, language)


# (operator, the recipient, their account's language or "none", the e-mail's language)
BREACH_CASES = [
    ("demo", "dpo@polar-tea.example", "ru", "ru"),  # the DPO chose Russian; the operator: en
    ("demo", "dpo@polar-tea.example", "none", "en"),  # the DPO has no account: the operator's en
    ("activecloud", "privacy@activecloud.example", "none", "ru"),  # no DPO: the privacy address
    ("activecloud", "privacy@activecloud.example", "en", "en"),  # an account on that address
]


@pytest.mark.parametrize(("operator", "to", "language", "expected"), BREACH_CASES)
def test_the_breach_clock_reminder_is_in_the_recipients_language(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    smtp_inbox: Inbox,
    operator: str,
    to: str,
    language: str | None,
    expected: str,
) -> None:
    app = embedded_app(tmp_path, monkeypatch, operator, smtp_url=smtp_inbox.url)
    with TestClient(app):
        _account(app, to, language)
        with transaction(app.state.sessions) as session:
            detected = datetime.now(UTC) - timedelta(hours=20)  # the 24-hour notice: 4 h away
            found = breaches.record_incident(
                session,
                app.state.register,
                breaches.IncidentInput(detected_at=detected, nature="A backup was public."),
                actor="dpo@example.com",
            )
            reference = found.reference
        fire(app, "breaches.clocks")
        (message,) = smtp_inbox.wait(1, timeout=20)
        with transaction(app.state.sessions) as session:  # and once overdue
            found = breaches.find(session, reference)
            assert found is not None
            found.detected_at = datetime.now(UTC) - timedelta(hours=25)
        fire(app, "breaches.clocks")
        late = smtp_inbox.wait(2, timeout=20)[1]
    body, late_body = smtp_inbox.body(0), smtp_inbox.body(1)
    assert message["To"] == late["To"] == to
    assert f"/admin/breaches/{reference}" in body
    recipient = "Роскомнадзор" if expected == "ru" else "Roskomnadzor"
    assert message["Subject"].startswith(f"[{reference}] {recipient}: "), message["Subject"]
    assert "152-FZ Art. 21 p.3.1(1)" in body  # the law's citation as it is
    if expected == "ru":
        assert "срок" in message["Subject"] and "через 3 ч" in message["Subject"]
        assert "Инцидент" in body and "через 3 ч" in body, body
        assert "is due" not in body and "Record it" not in body, body
        assert "первичное уведомление" in body and "first notice" not in body, body
        assert "ПРОСРОЧЕНО" in late["Subject"] and "ПРОСРОЧЕНО" in late_body, late_body
    else:
        assert message["Subject"].endswith("(in 3 h)"), message["Subject"]
        assert f"Breach {reference}: the notice to Roskomnadzor" in body, body
        assert "Record it once sent:" in body, body
        assert "OVERDUE since" in late["Subject"] and "OVERDUE since" in late_body


@pytest.mark.parametrize(("language", "expected"), [("none", "ru"), ("en", "en"), ("ru", "ru")])
def test_the_filing_reminder_is_in_the_recipients_language(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    smtp_inbox: Inbox,
    language: str | None,
    expected: str,
) -> None:
    """ActiveCloud names no DPO: the reminder of its cross-border transfer notice (due the
    day it is drafted) goes to its privacy address, in its Russian unless an account on that
    address chose otherwise."""
    to = "privacy@activecloud.example"
    app = embedded_app(tmp_path, monkeypatch, "activecloud", smtp_url=smtp_inbox.url)
    with TestClient(app):
        _account(app, to, language)
        fire(app, "filings.remind")
        (message,) = smtp_inbox.wait(1, timeout=20)
    body = smtp_inbox.body(0)
    today = date.today().isoformat()
    assert message["To"] == to
    assert "/admin/filings" in body and today in message["Subject"]
    assert "ч. 3 ст. 12" in body  # the draft's citation, as the law's text gives it
    if expected == "ru":
        assert message["Subject"].startswith(f"Срок подачи {today}: "), message["Subject"]
        assert "трансграничной передаче" in message["Subject"], message["Subject"]
        assert "Черновик" in body and "The draft" not in body, body
        assert "Art. 12" not in body, body
    else:
        assert message["Subject"].startswith(f"Filing due {today}: 152-FZ Art. 12 cross-border")
        assert "The 152-FZ Art. 12 cross-border transfer notification for" in body, body
        assert "is due by" in body and "Filings page" in body, body
