"""Every request kind does its work: objection and withdrawal of consent, end to end.

A subject files the request in the Privacy Center and confirms it with the code the product
e-mails; agents work it in the admin; the embedded worker and the real scheduler run what it
starts. The assertions read the operator's demo databases and the consent ledger's API.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from steward.notify.outbox import OutboxMessage
from steward.store.db import transaction

from ..jobs_app import drain, fire
from ..personas import api_token
from .seed_operators import (
    Demo,
    PrivacyCenter,
    Staff,
    build_demo,
    executed,
    file_and_verify,
    previewed,
)


def _completion_mail(demo: Demo, email: str) -> str:
    with demo.app.state.sessions() as session:
        mail = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "request.completed")
            .where(OutboxMessage.to_address == email.casefold())
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert mail is not None, "no completion e-mail was queued"
    return str(mail.body_text)


def _fire(app: Any, job: str, now: datetime) -> list[str]:
    """One tick of the real scheduler at ``now`` with only ``job`` due; wait for the worker."""
    fired = fire(app, job, now)
    drain()  # the destruction job queues a run; the run queues nothing further
    return fired


# --- amrcloud: an objection erases the account ---------------------------------------------


def test_amrcloud_objection_erases_the_account_through_the_approval_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database
) -> None:
    demo = build_demo("amrcloud", tmp_path, monkeypatch, {"logs": postgres_database()})
    person = demo.person_with("app", "SELECT 1 FROM users WHERE email = :email")
    others = demo.query("app", "SELECT count(*) FROM users WHERE email <> :e", e=person.email)
    _, request_id = file_and_verify(demo.app, "objection", person.email)
    agent = Staff(demo.app, "agent")

    agent.act(request_id, "preview")
    agent.wait_for(request_id, previewed("erasure"), "previewed")
    assert demo.query("app", "SELECT 1 FROM users WHERE email = :e", e=person.email)
    agent.act(request_id, "execute")
    assert agent.page(request_id).state == "awaiting-approval"  # the same gate as an erasure
    Staff(demo.app, "dpo").act(request_id, "approve", "objection: the policy erases the account")
    page = agent.wait_for(request_id, executed("erasure"), "erased")

    assert page.state == "completed", page
    assert demo.query("app", "SELECT 1 FROM users WHERE email = :e", e=person.email) == []
    assert demo.query("app", "SELECT count(*) FROM users WHERE email <> :e", e=person.email) == (
        others
    )
    mail = _completion_mail(demo, person.email)
    assert "objection" in mail.lower() and "erased" in mail.lower(), mail


def test_amrcloud_objection_changes_nothing_before_approval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """amrcloud's objection changes data only once approved: executing it only asks."""
    demo = build_demo("amrcloud", tmp_path, monkeypatch)
    person = demo.person_with("app", "SELECT 1 FROM users WHERE email = :email")
    _, request_id = file_and_verify(demo.app, "objection", person.email)
    agent = Staff(demo.app, "agent")
    agent.act(request_id, "execute")
    agent.wait_for(request_id, previewed("erasure"), "previewed")
    assert agent.page(request_id).state == "awaiting-approval"
    assert demo.query("app", "SELECT 1 FROM users WHERE email = :e", e=person.email)


# --- softvendor: withdrawal withdraws every consent; the data goes 30 days later -------------


def test_softvendor_withdrawal_withdraws_every_consent_and_the_job_destroys_the_data_30_days_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database
) -> None:
    demo = build_demo("softvendor", tmp_path, monkeypatch, {"app": postgres_database()})
    person = demo.person_with(
        "app",
        "SELECT 1 FROM users JOIN inquiries ON inquiries.email = users.email "
        "WHERE users.email = :email",
    )
    inquiries = demo.query("app", "SELECT id FROM inquiries WHERE email = :e", e=person.email)
    backend = TestClient(demo.app)
    token = api_token(demo.app, {"consents:write", "consents:read"})
    headers = {"Authorization": f"Bearer {token}"}
    for item in ("registration", "cookies"):  # the software records consent at registration
        given = backend.post(
            "/api/v1/consents/events",
            json={"identifiers": {"email": person.email}, "item": item, "action": "given"},
            headers=headers,
        )
        assert given.status_code == 201, given.text

    def allowed(purpose: str, channel: str = "any") -> bool:
        answer = backend.post(
            "/api/v1/consents/check",
            json={"identifiers": {"email": person.email}, "purpose": purpose, "channel": channel},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        return bool(answer.json()["allowed"])

    assert allowed("service") and allowed("usability", "web")

    _, request_id = file_and_verify(demo.app, "withdraw-consent", person.email, signed_scan=True)
    agent = Staff(demo.app, "agent")
    agent.act(request_id, "execute")
    page = agent.wait_for(request_id, lambda p: p.state == "completed", "completed")

    assert not allowed("service") and not allowed("usability", "web")  # every consent in the ledger
    destroy_on = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    assert f"destruction scheduled on {destroy_on}" in page.outcome, page.outcome
    mail = _completion_mail(demo, person.email)
    assert "withdrawn" in mail.lower() and destroy_on in mail, mail

    shown = agent.client.get(f"/admin/requests/{request_id}").text
    assert 'id="destructions"' in shown and destroy_on in shown and "scheduled" in shown

    # the scheduler fires the destruction job today: nothing is due, nothing is destroyed
    assert "requests.destructions" in _fire(demo.app, "requests.destructions", datetime.now(UTC))
    assert demo.query("app", "SELECT 1 FROM users WHERE email = :e", e=person.email)

    # the test clock moves 30 days (and a minute) on; the job the scheduler fires destroys it
    later = datetime.now(UTC) + timedelta(days=30, minutes=1)
    from steward.requests import destructions

    monkeypatch.setattr(destructions, "now", lambda: later)
    assert "requests.destructions" in _fire(demo.app, "requests.destructions", later)
    timeline = agent.wait_for(
        request_id, lambda p: "destruction run" in p.timeline, "destroyed"
    ).timeline
    assert demo.query("app", "SELECT 1 FROM users WHERE email = :e", e=person.email) == []
    if person.phone:
        assert (
            demo.query("app", "SELECT 1 FROM users WHERE mobile_phone = :p", p=person.phone) == []
        )
    # data of purposes that do not count from the withdrawal stays (contract, legal obligation)
    assert demo.query("app", "SELECT id FROM inquiries WHERE email = :e", e=person.email) == (
        inquiries
    )
    assert "erasure: " in timeline and "re-search found 0" in timeline, timeline
    if inquiries:  # found, and left as they are: they serve a contract, not the consent
        assert "left for other purposes: " in timeline and "inquiries" in timeline, timeline
    with demo.app.state.sessions() as session:
        from steward.ledger.audit import AuditEntry

        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"requests.destruction", "execution.erasure"} <= actions, actions

    # a second firing destroys nothing more and queues no second run
    assert "requests.destructions" in _fire(
        demo.app, "requests.destructions", later + timedelta(hours=2)
    )
    with demo.app.state.sessions() as session:
        from steward.datastores.tables import ExecutionRun

        runs = session.scalars(
            select(ExecutionRun).where(
                ExecutionRun.request_id == request_id, ExecutionRun.dry_run.is_(False)
            )
        ).all()
    assert len(runs) == 1 and runs[0].status == "done"
    # its evidence: per table what was destroyed and what was left for another purpose
    summary = json.loads(runs[0].result)
    tables = {t["table"]: t for d in summary["datastores"] for t in d["tables"]}
    assert tables["users"]["deleted"] + tables["users"]["masked"] == 1, tables["users"]
    left = tables["inquiries"]
    assert (left["out_of_scope"], left["shared"], left["deleted"]) == (len(inquiries), 0, 0)
    assert left["left"]["residual"] == 0 and left["left"]["shared"] == 0, left


# --- activecloud: an objection stops the legitimate-interest purposes; portability's limits --


def test_activecloud_objection_stops_its_purposes_in_the_ledger_and_on_the_restriction_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.client import ConsentClient

    demo = build_demo("activecloud", tmp_path, monkeypatch)
    person = demo.person_with("billing", "SELECT 1 FROM accounts WHERE email = :email")
    lists = demo.query("billing", "SELECT count(*) FROM mailing_subscriptions")
    backend = TestClient(demo.app)
    reader = {"Authorization": f"Bearer {api_token(demo.app, {'restrictions:read'})}"}
    consents = {"Authorization": f"Bearer {api_token(demo.app, {'consents:read'})}"}

    def restricted(purpose: str | None = None, **who: str) -> bool:
        params = {**(who or {"email": person.email}), **({"purpose": purpose} if purpose else {})}
        answer = backend.get("/api/v1/restrictions", params=params, headers=reader)
        assert answer.status_code == 200, answer.text
        identifiers = {k.replace("_", "-"): v for k, v in (who or {"email": person.email}).items()}
        posted = backend.post(
            "/api/v1/restrictions/check",
            json={"identifiers": identifiers, "purpose": purpose},
            headers=reader,
        )
        assert posted.status_code == 200, posted.text
        assert posted.json() == answer.json()  # the same answer, the identifier kept out of URLs
        return bool(answer.json()["restricted"])

    assert not restricted() and not restricted("mailings")
    assert backend.get("/api/v1/restrictions", params={"email": person.email}, headers=consents)
    assert (
        backend.get(
            "/api/v1/restrictions", params={"email": person.email}, headers=consents
        ).status_code
        == 403
    )  # least privilege: a consent token does not read the restriction list

    _, request_id = file_and_verify(demo.app, "objection", person.email)
    agent = Staff(demo.app, "agent")
    page = agent.act(request_id, "execute")  # no run on the databases: done in the store

    assert page.state == "completed", page
    assert "mailings" in page.outcome and "call-quality" in page.outcome, page.outcome
    assert restricted("mailings") and restricted("statistics") and restricted()
    assert not restricted("services")  # a contract, not objectable
    assert not restricted("mailings", email="someone.else@example.com")
    check = backend.post(
        "/api/v1/consents/check",
        json={"identifiers": {"email": person.email}, "purpose": "mailings"},
        headers=consents,
    )
    assert check.status_code == 200 and check.json()["allowed"] is False, check.text
    sdk_token = api_token(demo.app, {"restrictions:read"})
    urls: list[str] = []
    backend.event_hooks["request"].append(lambda sent: urls.append(str(sent.url)))
    with ConsentClient("http://testserver", sdk_token, http=backend, poll_interval=None) as sdk:
        assert sdk.is_restricted(person.email, "mailings") is True
        asked = [u for u in urls if "/api/v1/restrictions" in u]
        assert asked and not any(person.email.split("@")[0] in u for u in asked), asked
        assert sdk.is_restricted(person.email, "services") is False
        assert sdk.is_restricted("someone.else@example.com") is False

        # the operator's systems may spell the address any way the normaliser folds
        @settings(max_examples=40, deadline=None)
        @given(
            upper=st.lists(st.booleans(), min_size=len(person.email), max_size=len(person.email)),
            pad=st.sampled_from(["", " ", "  ", "\t"]),
        )
        def spelled(upper: list[bool], pad: str) -> None:
            email = "".join(c.upper() if u else c for c, u in zip(person.email, upper, strict=True))
            assert sdk.is_restricted(pad + email + pad, "mailings") is True
            local, _, domain = email.partition("@")
            assert sdk.is_restricted(f"{local}x@{domain}", "mailings") is False

        spelled()
    # nothing ran on the operator's databases
    assert demo.query("billing", "SELECT count(*) FROM mailing_subscriptions") == lists
    mail = _completion_mail(demo, person.email)
    assert "objection" in mail.lower() and "restriction" in mail.lower(), mail


def test_activecloud_portability_exports_consent_and_contract_data_only_and_says_what_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import json
    import zipfile

    demo = build_demo("activecloud", tmp_path, monkeypatch)
    person = next(
        p
        for p in demo.built.people
        if demo.ids_with_phone("telephony", "call_recordings", "caller_number", p.phone)
        and demo.query("billing", "SELECT 1 FROM accounts WHERE email = :e", e=p.email)
    )
    center = PrivacyCenter(demo.app)
    status_url = center.file("portability", person.email)
    center.verify(status_url, person.email)
    agent = Staff(demo.app, "agent")
    request_id = agent.request_id(center.reference(status_url))
    agent.act(request_id, "execute")
    page = agent.wait_for(request_id, executed("portability"), "with its export")
    if page.state != "completed":
        agent.act(request_id, "complete", "Your data is attached.")
    data = json.loads(zipfile.ZipFile(io.BytesIO(center.download(person.email))).read("data.json"))

    assert "accounts" in data["datastores"]["billing"]  # contract: portable
    assert "call_recordings" not in data["datastores"].get("telephony", {})  # legit. interests
    excluded = {e["table"]: e for e in data["excluded"]}
    assert "telephony.call_recordings" in excluded, data["excluded"]
    assert excluded["telephony.call_recordings"]["bases"] == ["legitimate-interests"]
    assert "Art. 20" in excluded["telephony.call_recordings"]["why"]
    assert not any(t.startswith("billing.accounts") for t in excluded)
    mail = _completion_mail(demo, person.email)
    assert "telephony.call_recordings (legitimate-interests)" in mail, mail


def test_amrcloud_restriction_request_is_on_the_list_the_operators_systems_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo("amrcloud", tmp_path, monkeypatch)
    person = demo.person_with("app", "SELECT 1 FROM users WHERE email = :email")
    backend = TestClient(demo.app)
    reader = {"Authorization": f"Bearer {api_token(demo.app, {'restrictions:read'})}"}

    def answer() -> dict:
        got = backend.get("/api/v1/restrictions", params={"email": person.email}, headers=reader)
        assert got.status_code == 200, got.text
        return dict(got.json())

    assert answer() == {"restricted": False, "restrictions": []}
    reference, request_id = file_and_verify(demo.app, "restriction", person.email)
    agent = Staff(demo.app, "agent")
    agent.act(request_id, "preview")
    agent.wait_for(request_id, previewed("restriction"), "previewed")
    agent.act(request_id, "execute")
    assert answer()["restricted"] is False  # asked for approval: nothing is restricted yet
    Staff(demo.app, "dpo").act(request_id, "approve", "checked")
    page = agent.wait_for(request_id, lambda p: p.state == "completed", "completed")

    assert "restriction list: 1 identifier(s), every purpose" in page.outcome, page.outcome
    found = answer()
    assert found["restricted"] is True
    assert [(r["purpose"], r["reason"], r["reference"]) for r in found["restrictions"]] == [
        (None, "restriction", reference)
    ]


def test_amrcloud_withdrawal_destroys_the_consent_only_data_a_day_on_and_keeps_the_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A withdrawal covers every consent, recorded in Steward's ledger or not: amrcloud counts
    a day from the withdrawal for its newsletter, shares and administration access, and the
    account (a contract) stays."""
    demo = build_demo("amrcloud", tmp_path, monkeypatch)
    person = demo.person_with(
        "app",
        "SELECT 1 FROM users JOIN newsletter_subscribers n ON n.email = users.email "
        "WHERE users.email = :email",
    )
    others = demo.query(
        "app", "SELECT id FROM newsletter_subscribers WHERE email <> :e", e=person.email
    )
    _, request_id = file_and_verify(demo.app, "withdraw-consent", person.email)
    agent = Staff(demo.app, "agent")
    page = agent.act(request_id, "execute")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert page.state == "completed", page
    assert f"destruction scheduled on {tomorrow}" in page.outcome, page.outcome

    from steward.requests import destructions

    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    monkeypatch.setattr(destructions, "now", lambda: later)
    assert "requests.destructions" in _fire(demo.app, "requests.destructions", later)
    agent.wait_for(request_id, lambda p: "re-search found" in p.timeline, "destroyed")

    subscribed = "SELECT 1 FROM newsletter_subscribers WHERE email = :e"
    assert demo.query("app", subscribed, e=person.email) == []
    assert (
        demo.query("app", "SELECT id FROM newsletter_subscribers WHERE email <> :e", e=person.email)
        == others
    )
    assert demo.query("app", "SELECT 1 FROM users WHERE email = :e", e=person.email)  # contract


def test_almis_withdrawal_through_the_api_destroys_the_feedback_30_days_on_and_not_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same kind on another channel: the operator's backend files the withdrawal by API
    with its signed assertion and executes it; the scheduled job does the rest."""
    from steward.requests import destructions, verification

    monkeypatch.setenv("STEWARD_REQUESTS_OPERATOR_SECRET", "almis backend secret")
    demo = build_demo("almis", tmp_path, monkeypatch)
    person = demo.built.people[0]
    mine = "SELECT id FROM feedback_messages WHERE email = :e"
    assert demo.query("site", mine, e=person.email)
    others = demo.query(
        "site", "SELECT id FROM feedback_messages WHERE email <> :e", e=person.email
    )
    logs = demo.query("site", "SELECT count(*) FROM access_log")
    backend = TestClient(demo.app)
    headers = {"Authorization": f"Bearer {api_token(demo.app, {'requests:write'})}"}
    assertion = verification.assertion_token(
        "almis backend secret", email=person.email, account_id=None
    )
    filed = backend.post(
        "/api/v1/requests",
        json={
            "kind": "withdraw-consent",
            "email": person.email,
            "channel": "email",
            "assertion": assertion,
        },
        headers=headers,
    )
    assert filed.status_code == 201, filed.text
    reference = filed.json()["reference"]
    done = backend.post(f"/api/v1/requests/{reference}/execute", headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "completed", done.json()
    destroy_on = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    assert f"destruction scheduled on {destroy_on}" in done.json()["outcome"], done.json()

    almost = datetime.now(UTC) + timedelta(days=29, hours=23)
    monkeypatch.setattr(destructions, "now", lambda: almost)
    _fire(demo.app, "requests.destructions", almost)
    assert demo.query("site", mine, e=person.email)  # not before the 30 days are over

    later = datetime.now(UTC) + timedelta(days=30, minutes=1)
    monkeypatch.setattr(destructions, "now", lambda: later)
    _fire(demo.app, "requests.destructions", later)
    deadline = time.monotonic() + 60
    while True:  # the run the job queued goes on the request's timeline once it is done
        shown = backend.get(f"/api/v1/requests/{reference}", headers=headers)
        notes = " ".join(e["note"] for e in shown.json()["timeline"])
        if "re-search found" in notes or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "destruction run" in notes and "re-search found 0" in notes, notes
    assert demo.query("site", mine, e=person.email) == []
    assert demo.query(
        "site", "SELECT id FROM feedback_messages WHERE email <> :e", e=person.email
    ) == (others)
    assert demo.query("site", "SELECT count(*) FROM access_log") == logs


def test_a_destruction_that_cannot_run_waits_with_its_reason_and_holds_up_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database
) -> None:
    """The earliest due destruction's request is for a subject kind the register no longer
    declares: it waits, says why once on its request, and the next one is still destroyed."""
    demo = build_demo("softvendor", tmp_path, monkeypatch, {"app": postgres_database()})
    has_account = "SELECT 1 FROM users WHERE users.email = :email"
    first = demo.person_with("app", has_account)
    second = demo.person_with("app", has_account + f" AND users.email <> '{first.email}'")
    agent = Staff(demo.app, "agent")
    requests = []
    for person in (first, second):
        _, request_id = file_and_verify(
            demo.app, "withdraw-consent", person.email, signed_scan=True
        )
        agent.act(request_id, "execute")
        agent.wait_for(request_id, lambda p: p.state == "completed", "completed")
        requests.append(request_id)
    from steward.requests.destructions import ScheduledDestruction
    from steward.requests.tables import SubjectRequest

    with transaction(demo.app.state.sessions) as session:
        # as if the first was filed for a kind a later register dropped; it is due first
        session.get(SubjectRequest, requests[0]).subject_kind = "former-member"
        for row in session.scalars(select(ScheduledDestruction)):
            if row.request_id == requests[0]:
                row.due_at = row.due_at - timedelta(hours=1)

    later = datetime.now(UTC) + timedelta(days=30, minutes=1)
    from steward.requests import destructions

    monkeypatch.setattr(destructions, "now", lambda: later)
    for tick in range(2):
        fired = _fire(demo.app, "requests.destructions", later + timedelta(hours=2 * tick))
        assert "requests.destructions" in fired
    agent.wait_for(requests[1], lambda p: "destruction run" in p.timeline, "destroyed")
    assert demo.query("app", "SELECT 1 FROM users WHERE email = :e", e=second.email) == []
    assert demo.query("app", "SELECT 1 FROM users WHERE email = :e", e=first.email)
    with demo.app.state.sessions() as session:
        waiting = session.scalars(
            select(ScheduledDestruction).where(ScheduledDestruction.request_id == requests[0])
        ).all()
        from steward.jobs.tables import ScheduledJob

        job = session.get(ScheduledJob, "requests.destructions")
        assert job is not None
        last = f"{job.last_status} {job.last_note}"
    assert waiting and all(row.status == "scheduled" for row in waiting)
    timeline = agent.page(requests[0]).timeline
    assert timeline.count("no longer declares the subject kind 'former-member'") == 1, timeline
    assert "1 destruction(s) waiting" in last, last


# --- the lines Steward writes about them, in the reader's language ---------------------------


def _said(agent: Staff, request_id: int, lang: str) -> tuple[str, str]:
    """The request page's *Outcome* and its timeline as text, read in ``lang``."""
    import html
    import re

    shown = agent.client.get(
        f"/admin/requests/{request_id}", headers={"Accept-Language": lang}
    ).text
    outcome = re.search(r'<dd id="outcome">(.*?)</dd>', shown, re.S)
    timeline = re.search(r'<ol id="timeline">(.*?)</ol>', shown, re.S)
    assert outcome and timeline, shown[-2000:]
    return html.unescape(outcome[1]), html.unescape(re.sub(r"<[^>]+>", " ", timeline[1]))


def test_the_objection_lines_are_told_in_the_readers_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An objection's result line on the request page (its *Outcome* and the timeline) is
    Steward's sentence: Russian for a Russian reader, the purposes' ids put in as they are;
    English for an English reader."""
    demo = build_demo("activecloud", tmp_path, monkeypatch)
    person = demo.person_with("billing", "SELECT 1 FROM accounts WHERE email = :email")
    _, request_id = file_and_verify(demo.app, "objection", person.email)
    agent = Staff(demo.app, "agent")
    assert agent.act(request_id, "execute").state == "completed"
    outcome, timeline = _said(agent, request_id, "ru")
    assert outcome.startswith("возражение: остановлены ") and "mailings" in outcome, outcome
    assert "реестр ограничений" in outcome and "objection" not in outcome, outcome
    assert "возражение: остановлены" in timeline and "objection: stopped" not in timeline
    english, _ = _said(agent, request_id, "en")
    assert english.startswith("objection: stopped ") and "mailings" in english, english


def test_the_withdrawal_lines_are_told_in_the_readers_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A withdrawal's result line, the destruction it schedules included, in each reader's
    language; its date as it is."""
    demo = build_demo("softvendor", tmp_path, monkeypatch)
    person = demo.person_with("app", "SELECT 1 FROM users WHERE email = :email")
    _, request_id = file_and_verify(demo.app, "withdraw-consent", person.email, signed_scan=True)
    agent = Staff(demo.app, "agent")
    agent.act(request_id, "execute")
    agent.wait_for(request_id, lambda p: p.state == "completed", "completed")
    day = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    outcome, timeline = _said(agent, request_id, "ru")
    assert outcome.startswith("отзыв согласия:"), outcome
    assert f"уничтожение назначено на {day}" in outcome, outcome
    assert "withdrawal" not in outcome and "destruction scheduled" not in outcome, outcome
    assert "destruction scheduled" not in timeline, timeline
    english, _ = _said(agent, request_id, "en")
    assert f"destruction scheduled on {day}" in english, english
