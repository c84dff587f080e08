"""The breach register through the app: record, count the subjects from the datastores, write.

softvendor promises to tell users of a breach "as soon as possible" by e-mail or phone. These
tests record its incident through the admin form and the API, let the embedded worker count the
affected users in a real PostgreSQL database built from softvendor's register, and send the
letters: e-mail into the outbox, text messages to a real HTTP server standing in for the SMS
gateway, and a call list when no gateway is configured.
"""

from __future__ import annotations

import json
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
from sqlalchemy import select

from steward.breaches.tables import Incident, LetterDispatch
from steward.config import Settings, get_settings
from steward.jobs import registry
from steward.notify.outbox import OutboxMessage
from steward.store.db import make_engine, transaction, upgrade
from steward.store.registers import record_register
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...jobs_app import drain
from ...personas import api_token, sign_in_as

SOFTVENDOR = EXAMPLES / "softvendor" / "register.yaml"
USERS = [
    (1, "Anna Petrova", "anna@example.com", "+79123456701"),
    (2, "Boris Ivanov", "boris@example.com", "+79123456702"),
    (3, "Vera Sidorova", "vera@example.com", None),
]


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
        names |= {c for ref in table.references for c in ref.columns}
        if table.retention:
            names.add(table.retention.column)
        columns = [sa.Column("id", sa.Integer, primary_key=True)]
        columns += [sa.Column(n, sa.Text) for n in sorted(names - {"id"})]
        sa.Table(table.name, metadata, *columns)
    return metadata


@pytest.fixture
def softvendor_db(postgres_database: Callable[[], str]) -> str:
    url = postgres_database()
    engine = sa.create_engine(url)
    _tables_of(SOFTVENDOR).create_all(engine)
    with engine.begin() as connection:
        for user_id, name, email, phone in USERS:
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, full_name, email, mobile_phone, registration_ip) "
                    "VALUES (:i, :n, :e, :p, '203.0.113.7')"
                ),
                {"i": user_id, "n": name, "e": email, "p": phone},
            )
    engine.dispose()
    return url


@pytest.fixture
def make_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, softvendor_db: str
) -> Iterator[Callable[..., Any]]:
    store_url = f"sqlite:///{tmp_path / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", store_url)
    monkeypatch.setenv("SOFTVENDOR_DATABASE_URL", softvendor_db)
    monkeypatch.delenv("STEWARD_BROKER_URL", raising=False)
    monkeypatch.setattr(registry, "_runner", None)
    engine = make_engine(store_url)
    upgrade(engine)
    with transaction(sa.orm.sessionmaker(engine)) as session:
        record_register(session, SOFTVENDOR)

    def make(**settings: Any) -> Any:
        for name, value in settings.items():
            monkeypatch.setenv(f"STEWARD_{name.upper()}", value)
        get_settings.cache_clear()
        return create_app(Settings(database_url=store_url, register_path=SOFTVENDOR, dev=True))

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


def test_softvendor_breach_writes_to_every_user_by_email_and_sms(
    make_app: Callable[..., Any], sms_gateway: str
) -> None:
    app = make_app(sms_gateway_url=sms_gateway, sms_gateway_token="gw-token")
    client = TestClient(app)
    csrf = sign_in_as(client, "dpo")
    answer = _record(client, csrf)
    assert answer.status_code == 303, answer.text
    reference = answer.headers["location"].rsplit("/", 1)[1]

    page = client.get(f"/admin/breaches/{reference}")
    assert "Roskomnadzor" in page.text and "152-FZ Art. 21 p.3.1(1)" in page.text
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "count"})
    counted = _wait(app, reference, lambda i: i.count_state in ("complete", "incomplete"))
    assert counted.count_state == "complete"
    assert counted.subjects_count == len(USERS)
    assert json.loads(counted.counts) == {"contact.email": len(USERS)}
    assert json.loads(counted.channels) == {"email": 3, "sms": 2, "call": 0}

    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "letters"})
    notified = _wait(app, reference, lambda i: i.subjects_notified_at is not None)
    drain()
    with app.state.sessions() as session:
        mails = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "breach.letter")
        ).all()
        letters = session.scalars(
            select(LetterDispatch).where(LetterDispatch.incident_id == notified.id)
        ).all()
    assert sorted(m.to_address for m in mails) == sorted(u[2] for u in USERS)
    assert all("Phishing e-mails" in m.body_text for m in mails)
    texts = sorted(r["body"]["to"] for r in _Gateway.received)
    assert texts == ["+79123456701", "+79123456702"]
    assert {r["auth"] for r in _Gateway.received} == {"Bearer gw-token"}
    assert sorted((d.channel, d.status) for d in letters) == [
        ("email", "queued"),
        ("email", "queued"),
        ("email", "queued"),
        ("sms", "sent"),
        ("sms", "sent"),
    ]
    assert all("@" not in d.recipient_digest and d.phone is None for d in letters)

    # sending again writes to nobody twice
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "letters"})
    drain()  # every job the runner was given has ended
    assert len(_Gateway.received) == 2
    with app.state.sessions() as session:
        assert session.scalar(select(sa.func.count()).select_from(LetterDispatch)) == 5

    evidence = client.get(f"/admin/breaches/{reference}/evidence.json").json()
    kinds = [t["kind"] for t in evidence["timeline"]]
    assert kinds[:1] == ["recorded"] and "counted" in kinds and "letters" in kinds
    assert {d["id"] for d in evidence["drafts"]} >= {"rkn-first-notice", "gdpr-authority"}


def test_without_a_gateway_phones_go_on_a_call_list(make_app: Callable[..., Any]) -> None:
    app = make_app()
    client = TestClient(app)
    csrf = sign_in_as(client, "dpo")
    reference = _record(client, csrf).headers["location"].rsplit("/", 1)[1]
    client.post(f"/admin/breaches/{reference}", data={"csrf_token": csrf, "action": "letters"})
    _wait(app, reference, lambda i: i.subjects_notified_at is not None)
    drain()
    page = client.get(f"/admin/breaches/{reference}")
    assert "+79123456701" in page.text and "to-call" in page.text
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
    detected = datetime.now(UTC) - timedelta(hours=1)
    body = {
        "detected_at": detected.isoformat(),
        "occurred_at": (detected + timedelta(minutes=30)).isoformat(),
        "nature": "x",
    }
    answer = client.post("/api/v1/breaches", json=body, headers=headers)
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
    from steward.jobs.schedule import periodic_jobs
    from steward.jobs.scheduler import Scheduler
    from steward.jobs.tables import ScheduledJob

    now = datetime.now(UTC)
    with transaction(app.state.sessions) as session:
        for job in periodic_jobs():
            row = session.get(ScheduledJob, job.name) or ScheduledJob(
                name=job.name, every_seconds=int(job.every.total_seconds()), runs=0
            )
            due = job.name == "breaches.clocks"
            row.next_run_at = now - timedelta(seconds=1) if due else now + timedelta(days=30)
            session.add(row)
    assert Scheduler(app.state.sessions).tick() == ["breaches.clocks"]
    drain()


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
