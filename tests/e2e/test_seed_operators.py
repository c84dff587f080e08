"""Each seed operator's promises, kept on demo databases built from its register.

A subject files a request in the Privacy Center and confirms it with the code the product
e-mails; agents preview, approve and run it in the admin; the assertions read the operator's
databases. Where the register has several datastores, one of them is a PostgreSQL database.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from steward.law.calendars import calendar_for
from steward.register.duration import Duration

from .seed_operators import Demo, PrivacyCenter, Staff, build_demo, executed, previewed


def _file_and_verify(demo: Demo, kind: str, email: str, **options: object) -> tuple[str, int]:
    center = PrivacyCenter(demo.app)
    status_url = center.file(kind, email, **options)  # type: ignore[arg-type]
    center.verify(status_url, email)
    reference = center.reference(status_url)
    return reference, Staff(demo.app, "agent").request_id(reference)


def _erase(demo: Demo, email: str) -> str:
    """File an erasure by e-mail, preview it as an agent, run it as the DPO; the outcome."""
    _, request_id = _file_and_verify(demo, "erasure", email)
    agent = Staff(demo.app, "agent")
    agent.act(request_id, "preview")
    agent.wait_for(request_id, previewed("erasure"), "previewed")
    agent.act(request_id, "execute")  # an erasure asks for approval, its preview attached
    assert agent.page(request_id).state == "awaiting-approval"
    Staff(demo.app, "dpo").act(request_id, "approve", "checked against the preview")
    return agent.wait_for(request_id, executed("erasure"), "erased").outcome


def _access(demo: Demo, email: str, **options: object) -> tuple[dict, Staff, int]:
    """File an access request, run and complete it as an agent; the subject's data.json."""
    center = PrivacyCenter(demo.app)
    status_url = center.file("access", email, **options)  # type: ignore[arg-type]
    center.verify(status_url, email)
    agent = Staff(demo.app, "agent")
    request_id = agent.request_id(center.reference(status_url))
    _run_access(agent, request_id)
    archive = zipfile.ZipFile(io.BytesIO(center.download(email)))
    return json.loads(archive.read("data.json")), agent, request_id


def _run_access(agent: Staff, request_id: int) -> None:
    """Run an access request; a clean run completes it and e-mails the link (else the agent)."""
    agent.act(request_id, "execute")
    page = agent.wait_for(request_id, executed("access"), "with its access result")
    if page.state != "completed":
        agent.act(request_id, "complete", "Your data is attached.")


def _ids(rows: list) -> set[int]:
    return {int(row[0]) for row in rows}


def _exported_ids(data: dict, datastore: str, table: str) -> set[int]:
    return {int(r["id"]["value"]) for r in data["datastores"].get(datastore, {}).get(table, [])}


# --- activecloud ------------------------------------------------------------------------------


@pytest.fixture
def activecloud(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database, mariadb_database
) -> Demo:
    """Billing on MariaDB (ActivePlatform is MySQL), the service desk and the telephone
    exchange on PostgreSQL, the web-analytics exports in SQLite: as the register declares."""
    servers = {
        "billing": mariadb_database(),
        "servicedesk": postgres_database(),
        "telephony": postgres_database(),
    }
    return build_demo("activecloud", tmp_path, monkeypatch, servers)


def test_activecloud_erasure_keeps_accounting_acts_under_a_five_year_hold(
    activecloud: Demo,
) -> None:
    demo = activecloud
    person = demo.person_with("billing", "SELECT 1 FROM acts WHERE account_code = :account")
    acts = demo.query(
        "billing",
        "SELECT id, issued_at FROM acts WHERE account_code = :a ORDER BY id",
        a=person.account,
    )
    others_before = demo.query("billing", "SELECT count(*) FROM acts")[0][0]

    outcome = _erase(demo, person.email)

    # The account no longer identifies the person; the acts are all still there, held.
    assert demo.query("billing", "SELECT 1 FROM accounts WHERE email = :e", e=person.email) == []
    assert demo.query(
        "billing", "SELECT id FROM acts WHERE account_code = :a", a=person.account
    ) == [(a[0],) for a in acts]
    assert demo.query("billing", "SELECT count(*) FROM acts")[0][0] == others_before
    for _id, issued_at in acts:
        issued = issued_at if isinstance(issued_at, datetime) else datetime.fromisoformat(issued_at)
        until = Duration(years=5).after(issued.date())
        assert f"acts until {until.isoformat()} (accounting)" in outcome, outcome
    mailing = "SELECT 1 FROM mailing_subscriptions WHERE email = :e"
    assert demo.query("billing", mailing, e=person.email) == []


MESSAGES = "SELECT id FROM messenger_messages WHERE account_code = :a"


def test_activecloud_erasure_by_email_reaches_call_recordings_and_messenger_messages(
    activecloud: Demo,
) -> None:
    demo = activecloud
    person = next(
        p
        for p in demo.built.people
        if demo.ids_with_phone("telephony", "call_recordings", "caller_number", p.phone)
        and demo.query("servicedesk", MESSAGES, a=p.account)
    )
    calls = demo.ids_with_phone("telephony", "call_recordings", "caller_number", person.phone)
    everyone = {int(r[0]) for r in demo.query("telephony", "SELECT id FROM call_recordings")}
    assert calls and everyone - calls

    _erase(demo, person.email)

    left = {int(r[0]) for r in demo.query("telephony", "SELECT id FROM call_recordings")}
    assert left == everyone - calls  # the person's recordings, in any spelling, and no other
    assert demo.query("servicedesk", MESSAGES, a=person.account) == []


# --- amrcloud ---------------------------------------------------------------------------------


def test_amrcloud_access_by_email_finds_the_users_access_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database
) -> None:
    demo = build_demo("amrcloud", tmp_path, monkeypatch, {"logs": postgres_database()})
    person = demo.person_with("logs", "SELECT 1 FROM access_log WHERE user_id = :account")
    data, _, _ = _access(demo, person.email)
    assert _exported_ids(data, "app", "users") == {person.account}
    logs = demo.query("logs", "SELECT id FROM access_log WHERE user_id = :u", u=person.account)
    assert _exported_ids(data, "logs", "access_log") == _ids(logs)


def test_amrcloud_access_exports_the_account_and_its_support_requests_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo("amrcloud", tmp_path, monkeypatch)
    person = demo.person_with("app", "SELECT 1 FROM support_requests WHERE email = :email")
    data, _, _ = _access(demo, person.email)
    assert _exported_ids(data, "app", "users") == {person.account}
    support = demo.query("app", "SELECT id FROM support_requests WHERE email = :e", e=person.email)
    assert _exported_ids(data, "app", "support_requests") == _ids(support)
    [user] = data["datastores"]["app"]["users"]
    assert (
        user["password_hash"]["value"]
        != demo.query("app", "SELECT password_hash FROM users WHERE id = :i", i=person.account)[0][
            0
        ]
    ), "the password hash was handed out"


# --- acrcloud ---------------------------------------------------------------------------------


def test_acrcloud_erasure_by_email_deletes_in_both_datastores_and_anonymises_orders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database
) -> None:
    demo = build_demo("acrcloud", tmp_path, monkeypatch, {"crm": postgres_database()})
    person = demo.person_with("crm", "SELECT 1 FROM contacts WHERE email = :email")
    contacts = demo.query("crm", "SELECT id FROM contacts WHERE email = :e", e=person.email)
    calls_of_contacts = demo.query(
        "crm",
        "SELECT id FROM calls WHERE contact_id IN (SELECT id FROM contacts WHERE email = :e)",
        e=person.email,
    )
    orders = demo.query("web", "SELECT id FROM orders WHERE account_id = :a", a=person.account)
    other_contacts = demo.query(
        "crm", "SELECT count(*) FROM contacts WHERE email <> :e", e=person.email
    )

    outcome = _erase(demo, person.email)

    assert "re-search found 0" in outcome, outcome
    assert demo.query("web", "SELECT 1 FROM accounts WHERE email = :e", e=person.email) == []
    assert (
        contacts
        and demo.query("crm", "SELECT 1 FROM contacts WHERE email = :e", e=person.email) == []
    )
    if calls_of_contacts:
        ids = ",".join(str(c[0]) for c in calls_of_contacts)
        assert demo.query("crm", f"SELECT id FROM calls WHERE id IN ({ids})") == []
    assert demo.query("crm", "SELECT count(*) FROM contacts WHERE email <> :e", e=person.email) == (
        other_contacts
    )
    # orders are anonymised, not deleted: the billing name no longer names the person
    for (order_id,) in orders:
        [(name,)] = demo.query("web", "SELECT billing_name FROM orders WHERE id = :i", i=order_id)
        assert name is None or person.names["last"] not in str(name)


# --- softvendor -------------------------------------------------------------------------------


def test_softvendor_signed_access_request_is_due_in_ten_working_days_and_exports_the_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo("softvendor", tmp_path, monkeypatch)
    person = demo.person_with("app", "SELECT 1 FROM inquiries WHERE email = :email")
    center = PrivacyCenter(demo.app)
    status_url = center.file("access", person.email, signed_scan=True)
    center.verify(status_url, person.email)
    agent = Staff(demo.app, "agent")
    request_id = agent.request_id(center.reference(status_url))
    due = agent.page(request_id).due
    expected = calendar_for("RU").nth_working_day_after(date.today(), 10)
    assert due == expected.isoformat()
    _run_access(agent, request_id)
    data = json.loads(zipfile.ZipFile(io.BytesIO(center.download(person.email))).read("data.json"))
    assert _exported_ids(data, "app", "users") == {person.account}
    inquiries = demo.query("app", "SELECT id FROM inquiries WHERE email = :e", e=person.email)
    assert _exported_ids(data, "app", "inquiries") == _ids(inquiries)
    sign_ins = demo.query("app", "SELECT id FROM sign_ins WHERE user_id = :u", u=person.account)
    assert _exported_ids(data, "app", "sign_ins") == _ids(sign_ins)


# --- almis ------------------------------------------------------------------------------------


def test_almis_erasure_destroys_the_correspondents_feedback_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo("almis", tmp_path, monkeypatch)
    person = demo.built.people[0]
    before = demo.query(
        "site", "SELECT id FROM feedback_messages WHERE email <> :e", e=person.email
    )
    logs_before = demo.query("site", "SELECT count(*) FROM access_log")

    outcome = _erase(demo, person.email)

    assert "re-search found 0" in outcome, outcome
    mine = "SELECT 1 FROM feedback_messages WHERE email = :e OR phone = :p"
    assert demo.query("site", mine, e=person.email, p=person.phone) == []
    others = "SELECT id FROM feedback_messages WHERE email <> :e"
    assert demo.query("site", others, e=person.email) == before
    assert demo.query("site", "SELECT count(*) FROM access_log") == logs_before
