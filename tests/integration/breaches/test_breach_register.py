"""The breach register through the app: record, count the subjects from the datastores, write.

softvendor promises to tell users of a breach "as soon as possible" by e-mail or phone. These
tests record its incident through the admin form and the API, let the embedded worker count the
affected users in a real PostgreSQL database built from softvendor's register, and send the
letters, each in the user's own language (the register below names the users' ``locale``
column): e-mail that the product's own delivery job hands to a real SMTP server (aiosmtpd),
text messages to a real HTTP server standing in for the SMS gateway, and a call list when no
gateway is configured. The evidence PDF is read back as text.
"""

from __future__ import annotations

import html
import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from steward.breaches.tables import Incident, LetterDispatch
from steward.config import Settings, get_settings
from steward.jobs import registry
from steward.notify.outbox import OutboxMessage
from steward.store.db import make_engine, transaction, upgrade
from steward.store.registers import record_register
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...jobs_app import drain, fire
from ...personas import api_token, sign_in_as
from ...smtp_server import Inbox

EXAMPLE = EXAMPLES / "softvendor" / "register.yaml"
# id, name, e-mail, phone, the language the product keeps (None: not known)
USERS = [
    (1, "Anna Petrova", "anna@example.com", "+79123456701", "ru-RU"),
    (2, "Boris Ivanov", "boris@example.com", "+79123456702", "en"),
    (3, "Vera Sidorova", "vera@example.com", None, None),
    (4, "Dieter Kurz", "dieter@example.com", None, "de_DE"),  # no letter in German: English
]
LETTER_LANG = {"anna@example.com": "ru", "boris@example.com": "en", "vera@example.com": "en"}
LETTER_LANG["dieter@example.com"] = "en"


@pytest.fixture
def softvendor_register(tmp_path: Path) -> Path:
    """softvendor's register, its users table naming the column where the product keeps the
    user's language."""
    text = EXAMPLE.read_text(encoding="utf-8")
    marker = "      - name: users\n        subject: user\n"
    assert marker in text
    path = tmp_path / "softvendor.yaml"
    path.write_text(text.replace(marker, marker + "        language_column: locale\n"))
    return path


def pdf_text(document: bytes) -> str:
    """The text of a PDF, page after page, whitespace runs made one space."""
    assert document.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


class _Gateway(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        _Gateway.received.append(
            {"body": json.loads(self.rfile.read(length)), "auth": self.headers["Authorization"]}
        )
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sms_gateway() -> Iterator[str]:
    _Gateway.received = []
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def _tables_of(register_path: Path) -> sa.MetaData:
    """Every table softvendor's register declares, with the columns it names (text)."""
    from steward.register import load_register

    metadata = sa.MetaData()
    for table in load_register(register_path).datastores[0].tables:
        names = {"id", *table.identity, *table.columns}
        if table.language_column:
            names.add(table.language_column)
        names |= {c for ref in table.references for c in ref.columns}
        if table.retention:
            names.add(table.retention.column)
        columns = [sa.Column("id", sa.Integer, primary_key=True)]
        columns += [sa.Column(n, sa.Text) for n in sorted(names - {"id"})]
        sa.Table(table.name, metadata, *columns)
    return metadata


@pytest.fixture
def softvendor_db(postgres_database: Callable[[], str], softvendor_register: Path) -> str:
    url = postgres_database()
    engine = sa.create_engine(url)
    _tables_of(softvendor_register).create_all(engine)
    with engine.begin() as connection:
        for user_id, name, email, phone, locale in USERS:
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, full_name, email, mobile_phone, registration_ip, "
                    "locale) VALUES (:i, :n, :e, :p, '203.0.113.7', :l)"
                ),
                {"i": user_id, "n": name, "e": email, "p": phone, "l": locale},
            )
    engine.dispose()
    return url


@pytest.fixture
def make_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, softvendor_db: str, softvendor_register: Path
) -> Iterator[Callable[..., Any]]:
    store_url = f"sqlite:///{tmp_path / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", store_url)
    monkeypatch.setenv("SOFTVENDOR_DATABASE_URL", softvendor_db)
    monkeypatch.delenv("STEWARD_BROKER_URL", raising=False)
    monkeypatch.setattr(registry, "_runner", None)
    engine = make_engine(store_url)
    upgrade(engine)
    with transaction(sa.orm.sessionmaker(engine)) as session:
        record_register(session, softvendor_register)

    def make(**settings: Any) -> Any:
        for name, value in settings.items():
            monkeypatch.setenv(f"STEWARD_{name.upper()}", value)
        get_settings.cache_clear()
        return create_app(
            Settings(database_url=store_url, register_path=softvendor_register, dev=True)
        )

    yield make
    runner = registry._runner
    if runner is not None:
        runner._pool.shutdown(wait=True)  # type: ignore[union-attr]
    engine.dispose()


def _wait(app: Any, reference: str, done: Callable[[Incident], bool]) -> Incident:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with app.state.sessions() as session:
            incident = session.scalars(
                select(Incident).where(Incident.reference == reference)
            ).one()
            if done(incident):
                return incident
        time.sleep(0.1)
    raise AssertionError(f"{reference}: the job did not finish")


def _record(client: TestClient, csrf: str, **fields: str) -> Any:
    data = {
        "csrf_token": csrf,
        "detected_at": (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "nature": "A backup of the users table was readable from the internet.",
        "consequences": "Phishing e-mails in the users' names.",
        "measures": "Access closed; passwords reset.",
        "datastores": "app",
        "categories": "contact.email",
        **fields,
    }
    return client.post("/admin/breaches", data=data, follow_redirects=False)


def _evidence_until(client: TestClient, reference: str, done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = client.get(f"/admin/breaches/{reference}/evidence.json").json()
        if done(body):
            return body
        time.sleep(0.1)
    raise AssertionError(f"{reference}: the evidence never showed it: {body['letters']}")


def test_softvendor_breach_writes_to_every_user_in_their_language_by_email_and_sms(
    make_app: Callable[..., Any], sms_gateway: str, smtp_inbox: Inbox
) -> None:
    app = make_app(
        sms_gateway_url=sms_gateway,
        sms_gateway_token="gw-token",
        smtp_url=smtp_inbox.url,
        mail_from="privacy@softvendor.example",
    )
    client = TestClient(app)
    csrf = sign_in_as(client, "dpo")
    answer = _record(client, csrf)
    assert answer.status_code == 303, answer.text
    reference = answer.headers["location"].rsplit("/", 1)[1]

    page = client.get(f"/admin/breaches/{reference}")
    assert "Roskomnadzor" in page.text and "152-FZ Art. 21 p.3.1(1)" in page.text
    # the letter as it will go out, in every language it may be written in
    assert 'id="draft-subject-letter-en"' in page.text
    assert "Важно: инцидент, затронувший ваши персональные данные" in page.text
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "count"})
    counted = _wait(app, reference, lambda i: i.count_state in ("complete", "incomplete"))
    assert counted.count_state == "complete"
    assert counted.subjects_count == len(USERS)
    assert json.loads(counted.counts) == {"contact.email": len(USERS)}
    assert json.loads(counted.channels) == {"email": 4, "sms": 2, "call": 0}
    assert smtp_inbox.messages == [] and _Gateway.received == []  # counting sends nothing

    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "letters"})
    # Only what the servers received: the product's delivery job sends the outbox by itself.
    received = smtp_inbox.wait(len(USERS))
    by_address = {m["To"]: m for m in received}
    assert sorted(by_address) == sorted(u[2] for u in USERS)
    for address, message in by_address.items():
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = str(body.get_content())
        assert "Phishing e-mails in the users' names." in text  # what the DPO wrote
        if LETTER_LANG[address] == "ru":
            assert message["Subject"] == "Важно: инцидент, затронувший ваши персональные данные"
            assert "Что произошло" in text and "SoftVendor LLC" in text
            assert "What happened" not in text
        else:
            assert message["Subject"] == (
                "Important: a security incident involving your personal data"
            )
            assert "What happened" in text and "Что произошло" not in text
    assert smtp_inbox.envelopes[0][0] == "privacy@softvendor.example"

    deadline = time.monotonic() + 30
    while len(_Gateway.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    texts = {r["body"]["to"]: r["body"]["text"] for r in _Gateway.received}
    assert sorted(texts) == ["+79123456701", "+79123456702"]
    assert "инцидент затронул ваши персональные данные" in texts["+79123456701"]
    assert "a security incident involved your personal data" in texts["+79123456702"]
    assert {r["auth"] for r in _Gateway.received} == {"Bearer gw-token"}

    # the evidence counts an e-mail as sent once the SMTP server accepted it
    body = _evidence_until(
        client,
        reference,
        lambda e: sum(r["status"] == "sent" for r in e["letters"]) == len(USERS) + 2,
    )
    assert body["letters_summary"] == [
        {"channel": "email", "lang": "en", "status": "sent", "count": 3},
        {"channel": "email", "lang": "ru", "status": "sent", "count": 1},
        {"channel": "sms", "lang": "en", "status": "sent", "count": 1},
        {"channel": "sms", "lang": "ru", "status": "sent", "count": 1},
    ]
    with app.state.sessions() as session:
        letters = session.scalars(select(LetterDispatch)).all()
    assert all("@" not in d.recipient_digest and d.phone is None for d in letters)

    # sending again writes to nobody twice
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "letters"})
    drain()  # every job the runner was given has ended
    assert len(_Gateway.received) == 2
    with app.state.sessions() as session:
        assert session.scalar(select(sa.func.count()).select_from(LetterDispatch)) == 6
    assert len(smtp_inbox.messages) == len(USERS)

    kinds = [t["kind"] for t in body["timeline"]]
    assert kinds[:1] == ["recorded"] and "counted" in kinds and "letters" in kinds
    assert {d["id"] for d in body["drafts"]} >= {"rkn-first-notice", "gdpr-authority"}


def test_the_evidence_pdf_says_what_was_done_and_what_was_counted(
    make_app: Callable[..., Any], sms_gateway: str
) -> None:
    app = make_app(sms_gateway_url=sms_gateway)
    client = TestClient(app)
    csrf = sign_in_as(client, "dpo")
    reference = _record(client, csrf).headers["location"].rsplit("/", 1)[1]
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "count"})
    _wait(app, reference, lambda i: i.count_state == "complete")
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "letters"})
    _wait(app, reference, lambda i: i.subjects_notified_at is not None)
    drain()
    client.post(
        f"/admin/breaches/{reference}",
        data={"csrf_token": csrf, "action": "done", "duty": "rkn-first-notice", "text": "RKN-77"},
    )

    answer = client.get(f"/admin/breaches/{reference}/evidence.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert f'filename="{reference}-evidence.pdf"' in answer.headers["content-disposition"]
    text = pdf_text(answer.content)
    assert f"Breach {reference}: evidence" in text
    assert f"Affected subjects: {len(USERS)}. Count complete: yes." in text
    assert "152-FZ Art. 21 p.3.1(1)" in text and "GDPR Art. 33(1)" in text
    assert "(reference RKN-77)" in text  # the notice recorded as sent
    assert "not recorded as sent" in text  # the 72-hour results are still owed
    # letters: 3 e-mails in English and 1 in Russian wait in the outbox (no SMTP server
    # configured here); the 2 texts went to the gateway, one in each language
    assert "email en queued 3" in text and "email ru queued 1" in text
    assert "sms en sent 1" in text and "sms ru sent 1" in text
    assert f"Letters written: {len(USERS) + 2}." in text
    assert "counted:" in text and "letters:" in text  # the timeline
    assert "anna@example.com" not in text and "+79123456701" not in text

    token = api_token(app, {"breaches:read"})
    headers = {"Authorization": f"Bearer {token}"}
    api = client.get(f"/api/v1/breaches/{reference}/evidence.pdf", headers=headers)
    assert api.status_code == 200 and api.headers["content-type"] == "application/pdf"
    assert "Count complete: yes" in pdf_text(api.content)
    as_json = client.get(f"/api/v1/breaches/{reference}/evidence", headers=headers).json()
    assert as_json["affected"] == {**as_json["affected"], "complete": True, "subjects": 4}
    missing = client.get("/api/v1/breaches/BR-NOPE/evidence.pdf", headers=headers)
    assert missing.status_code == 404


def test_without_a_gateway_phones_go_on_a_call_list(make_app: Callable[..., Any]) -> None:
    app = make_app()
    client = TestClient(app)
    csrf = sign_in_as(client, "dpo")
    reference = _record(client, csrf).headers["location"].rsplit("/", 1)[1]
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "letters"})
    _wait(app, reference, lambda i: i.subjects_notified_at is not None)
    drain()
    page = client.get(f"/admin/breaches/{reference}")
    assert "+79123456701" in page.text and "to call" in page.text
    with app.state.sessions() as session:
        letter = session.scalars(
            select(LetterDispatch).where(LetterDispatch.status == "to-call")
        ).first()
    assert letter is not None
    client.post(
        f"/admin/breaches/{reference}",
        data={"csrf_token": csrf, "action": "called", "letter": str(letter.id)},
    )
    with app.state.sessions() as session:
        called = session.get(LetterDispatch, letter.id)
        assert called is not None and called.status == "called" and called.phone is None


def test_a_datastore_down_while_counting_leaves_the_count_incomplete(
    make_app: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    monkeypatch.setenv("SOFTVENDOR_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    client = TestClient(app)
    csrf = sign_in_as(client, "dpo")
    reference = _record(client, csrf).headers["location"].rsplit("/", 1)[1]
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "count"})
    counted = _wait(app, reference, lambda i: i.count_state in ("complete", "incomplete"))
    assert counted.count_state == "incomplete"
    assert "app" in json.loads(counted.count_problems)
    assert "cannot read it" in counted.count_problems
    assert "postgres@" not in counted.count_problems  # never the URL: it may carry a password
    page = client.get(f"/admin/breaches/{reference}")
    assert "incomplete" in page.text and page.status_code == 200
    text = pdf_text(client.get(f"/admin/breaches/{reference}/evidence.pdf").content)
    assert "Affected subjects: 0. Count complete: no, the count is at least 0." in text
    assert "Not counted: app: cannot read it" in text


def _record_occurred_after_detection(
    client: TestClient, headers: dict[str, str]
) -> tuple[Any, dict[str, Any]]:
    """The API asked to record a breach that occurred half an hour after it was detected."""
    detected = datetime.now(UTC) - timedelta(hours=1)
    body = {
        "detected_at": detected.isoformat(),
        "occurred_at": (detected + timedelta(minutes=30)).isoformat(),
        "nature": "x",
    }
    return client.post("/api/v1/breaches", json=body, headers=headers), body


def test_impossible_times_are_refused_and_nothing_is_recorded(
    make_app: Callable[..., Any],
) -> None:
    app = make_app()
    client = TestClient(app)
    csrf = sign_in_as(client, "dpo")
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = _record(client, csrf, detected_at=future)
    assert refused.status_code == 400 and "in the future" in refused.text
    token = api_token(app, {"breaches:write"})
    headers = {"Authorization": f"Bearer {token}"}
    answer, body = _record_occurred_after_detection(client, headers)
    assert answer.status_code == 422 and "after detected_at" in answer.json()["error"]["message"]
    answer = client.post(
        "/api/v1/breaches",
        json={**body, "occurred_at": None, "datastores": ["crm"]},
        headers=headers,
    )
    assert answer.status_code == 422 and "unknown datastore" in answer.json()["error"]["message"]
    with app.state.sessions() as session:
        assert session.scalar(select(sa.func.count()).select_from(Incident)) == 0
    made = client.post("/api/v1/breaches", json={**body, "occurred_at": None}, headers=headers)
    assert made.status_code == 201, made.text
    duties = {c["duty"] for c in made.json()["clocks"]}
    assert {"rkn-first-notice", "rkn-investigation-results", "gdpr-authority"} <= duties
    reader = api_token(app, {"requests:read"})
    forbidden = client.get(
        f"/api/v1/breaches/{made.json()['reference']}",
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert forbidden.status_code == 403


def test_anyone_can_report_a_problem_and_learns_nothing_else(
    make_app: Callable[..., Any],
) -> None:
    app = make_app()
    client = TestClient(app)
    form = client.get("/privacy/security/report?lang=ru")
    assert "Сообщить о проблеме безопасности" in form.text
    csrf = client.cookies.get("steward_csrf")
    assert csrf
    from steward.web.auth import csrf_token_for

    token = csrf_token_for(app.state.settings.secret_key.get_secret_value(), csrf)
    answers = [
        client.post(
            "/privacy/security/report",
            data={"csrf_token": token, "description": text, "email": email, "lang": "en"},
        )
        for text, email in (
            ("My account sent mails I never wrote", "anna@example.com"),
            ("Someone else's data appeared on my page", "nobody@example.org"),
        )
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].text == answers[1].text
    with app.state.sessions() as session:
        reported = session.scalars(select(Incident).where(Incident.status == "reported")).all()
    assert len(reported) == 2 and {r.source for r in reported} == {"public"}
    limited = [
        client.post(
            "/privacy/security/report",
            data={"csrf_token": token, "description": "again", "lang": "en"},
        ).status_code
        for _ in range(5)
    ]
    assert 429 in limited


def fire_clocks(app: Any) -> None:
    """One tick of the real scheduler with only the breach clocks due, then wait for the worker."""
    fire(app, "breaches.clocks")


def test_the_dpo_is_reminded_once_before_and_once_after_a_clock_runs_out(
    make_app: Callable[..., Any],
) -> None:
    app = make_app()
    client = TestClient(app)
    csrf = sign_in_as(client, "dpo")
    detected = datetime.now(UTC) - timedelta(hours=20)  # the 24-hour RKN notice is 4 h away
    reference = (
        _record(client, csrf, detected_at=detected.strftime("%Y-%m-%dT%H:%M"))
        .headers["location"]
        .rsplit("/", 1)[1]
    )

    def reminders() -> list[OutboxMessage]:
        with app.state.sessions() as session:
            return list(
                session.scalars(
                    select(OutboxMessage).where(OutboxMessage.kind == "breach.reminder")
                )
            )

    fire_clocks(app)
    fire_clocks(app)  # the same period again: nothing more is owed yet
    soon = reminders()
    assert len(soon) == 1, [m.subject for m in soon]
    assert "Roskomnadzor" in soon[0].subject and "due" in soon[0].subject
    register = app.state.register
    assert soon[0].to_address == str(
        register.operator.contacts.dpo.email
        if register.operator.contacts.dpo
        else register.operator.contacts.privacy_email
    )
    with transaction(app.state.sessions) as session:
        incident = session.scalars(select(Incident).where(Incident.reference == reference)).one()
        incident.detected_at = datetime.now(UTC) - timedelta(hours=25)
    fire_clocks(app)
    subjects = [m.subject for m in reminders()]
    assert len(subjects) == 2 and "OVERDUE" in subjects[1]
    page = client.get("/admin/breaches")
    assert "overdue" in page.text
    client.post(
        f"/admin/breaches/{reference}",
        data={"csrf_token": csrf, "action": "done", "duty": "rkn-first-notice", "text": "RKN-1"},
    )
    fire_clocks(app)
    assert len(reminders()) == 2
    detail = client.get(f"/admin/breaches/{reference}")
    assert "RKN-1" in detail.text


def test_the_clocks_own_refusals_reach_a_russian_reader_in_russian(
    make_app: Callable[..., Any],
) -> None:
    """Times out of order and an unknown duty are refused by ``law/breaches.py`` itself; the
    admin and the API tell them in the reader's language, with the same values."""
    app = make_app()
    client = TestClient(app, follow_redirects=False)
    csrf = sign_in_as(client, "dpo")
    ru = {"Accept-Language": "ru"}
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "csrf_token": csrf,
        "detected_at": future,
        "nature": "A backup of the users table was readable from the internet.",
    }
    refused = client.post("/admin/breaches", data=data, headers=ru)
    assert refused.status_code == 400
    assert "в будущем" in refused.text and "is in the future" not in refused.text
    token = api_token(app, {"breaches:write"})
    headers = {"Authorization": f"Bearer {token}", **ru}
    answer, body = _record_occurred_after_detection(client, headers)
    message = answer.json()["error"]["message"]
    assert answer.status_code == 422 and "позже detected_at" in message, message
    assert body["occurred_at"] in message
    made = client.post("/api/v1/breaches", json={**body, "occurred_at": None}, headers=headers)
    reference = made.json()["reference"]
    done = client.post(
        f"/admin/breaches/{reference}",
        data={"csrf_token": csrf, "action": "done", "duty": "no-such-duty"},
        headers=ru,
    )
    assert done.status_code == 400
    assert "обязанности уведомления «no-such-duty» нет" in done.text, done.text[-3000:]
    assert "no breach duty" not in done.text


def _section(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:ol|table)>', page, re.S)
    assert found, f"the incident page shows no #{element_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found[1])).split())


def test_the_incident_timeline_and_clock_notes_speak_the_readers_language(
    make_app: Callable[..., Any],
) -> None:
    """Steward's own lines on an incident's timeline (recorded, confirmed, a job queued, the
    risk assessed) and its clocks' notes (how each is counted, why one is not owed) are told
    in the reader's language; a person's text and the law's citations stay as they are."""
    app = make_app()
    client = TestClient(app, follow_redirects=False)
    csrf = sign_in_as(client, "dpo")
    answer = _record(client, csrf)
    assert answer.status_code == 303, answer.text
    reference = answer.headers["location"].rsplit("/", 1)[1]
    url = f"/admin/breaches/{reference}"
    waiting = _section(client.get(url, headers={"Accept-Language": "ru"}).text, "clocks")
    assert "применяется, если инцидент может повлечь высокий риск" in waiting, waiting
    client.post(url, data={"csrf_token": csrf, "action": "count"})
    _wait(app, reference, lambda i: i.count_state in ("complete", "incomplete"))
    assessed = {"csrf_token": csrf, "action": "assess", "risk": "low", "text": "encrypted backup"}
    assert client.post(url, data=assessed).status_code == 303

    ru, en = {"Accept-Language": "ru"}, {"Accept-Language": "en"}
    timeline = _section(client.get(url, headers=ru).text, "timeline")
    for english in ("recorded from", "job queued", "subject", "risk low"):
        assert english not in timeline, (english, timeline)
    assert "задание поставлено в очередь" in timeline, timeline
    assert "encrypted backup" in timeline  # typed: as typed
    clocks = _section(client.get(url, headers=ru).text, "clocks")
    assert "152-FZ Art. 21 p.3.1(1)" in clocks  # the law's citation as it is
    assert "не требуется" in clocks and "not owed" not in clocks, clocks
    english = _section(client.get(url, headers=en).text, "clocks")
    assert "not owed: not owed" not in english and "not owed: the breach was assessed" in english
    assert "job queued" in _section(client.get(url, headers=en).text, "timeline")


def test_the_evidence_says_once_why_a_clock_is_not_owed(make_app: Callable[..., Any]) -> None:
    """A clock not owed carries its reason, which begins "not owed: ..."; the evidence (HTML
    and the PDF made from it) shows that reason once, not "not owed: not owed: ..."."""
    app = make_app()
    client = TestClient(app, follow_redirects=False)
    csrf = sign_in_as(client, "dpo")
    reference = _record(client, csrf).headers["location"].rsplit("/", 1)[1]
    assessed = {"csrf_token": csrf, "action": "assess", "risk": "low", "text": "encrypted"}
    assert client.post(f"/admin/breaches/{reference}", data=assessed).status_code == 303
    reason = "not owed: the breach was assessed as not likely to result in a high risk"
    clocks = client.get(f"/admin/breaches/{reference}/evidence.json").json()["clocks"]
    assert any(c["applies"] is False and c["note"] == reason for c in clocks), clocks
    page = client.get(f"/admin/breaches/{reference}/evidence.html")
    assert page.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page.text)).split())
    assert reason in text, text
    assert "not owed: not owed" not in text, text
    pdf = pdf_text(client.get(f"/admin/breaches/{reference}/evidence.pdf").content)
    assert "not owed: not owed" not in pdf and "not owed: the breach was assessed" in pdf, pdf


def test_a_russian_reader_reads_the_duties_the_risk_and_each_step_in_russian(
    make_app: Callable[..., Any],
) -> None:
    """The incident pages name each duty's recipient and what it asks in the reader's
    language, the assessed risk as a word of it and each timeline step by its label; the stored
    codes (``risk-assessed``, ``high``) and the law's citation stay as they are."""
    app = make_app()
    client = TestClient(app, follow_redirects=False)
    csrf = sign_in_as(client, "dpo")
    reference = _record(client, csrf).headers["location"].rsplit("/", 1)[1]
    url = f"/admin/breaches/{reference}"
    assessed = {"csrf_token": csrf, "action": "assess", "risk": "high", "text": "passwords"}
    assert client.post(url, data=assessed).status_code == 303
    ru, en = {"Accept-Language": "ru"}, {"Accept-Language": "en"}
    page = client.get(url, headers=ru).text
    clocks = _section(page, "clocks")
    assert "Роскомнадзор" in clocks and "первичное уведомление" in clocks, clocks
    for english in ("Roskomnadzor", "first notice", "the data subjects", "internal investigation"):
        assert english not in clocks, (english, clocks)
    assert "152-FZ Art. 21 p.3.1(1)" in clocks
    risk = re.search(r'id="risk">(.*?)</dd>', page, re.S)
    assert risk and risk[1].startswith("высокий"), risk
    timeline = _section(page, "timeline")
    assert "Инцидент: записан" in timeline and "Инцидент: риск оценён" in timeline, timeline
    assert "risk-assessed" not in timeline and "recorded" not in timeline, timeline
    listed = client.get("/admin/breaches", headers=ru).text
    assert "Роскомнадзор" in listed and "Roskomnadzor" not in listed
    english_page = client.get(url, headers=en).text
    assert "Roskomnadzor" in _section(english_page, "clocks")
    assert "Breach: risk assessed" in _section(english_page, "timeline")
    evidence = client.get(f"{url}/evidence.json").json()["clocks"]
    assert "Roskomnadzor" in {c["recipient"] for c in evidence}  # the evidence: English
