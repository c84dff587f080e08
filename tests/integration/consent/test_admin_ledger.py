"""The Consents page of the admin: find a subject by an identifier, see its consents, events and
signed receipts, verify the ledger. Consents are recorded through the real API first."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from steward.consent.receipts import b64url_decode, verify_receipt
from steward.ledger.audit import AuditEntry

from ...personas import PASSWORD, ensure_person

ANNA = {"identifiers": {"email": "anna@example.com"}}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def _signed_in(app) -> TestClient:
    ensure_person(app, "agent")
    client = TestClient(app)
    token = _csrf(client.get("/admin/sign-in").text)
    answer = client.post(
        "/admin/sign-in",
        data={"email": "agent@example.com", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def _search(client: TestClient, kind: str, value: str) -> str:
    token = _csrf(client.get("/admin/consents").text)
    answer = client.post(
        "/admin/consents", data={"kind": kind, "value": value, "csrf_token": token}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def test_an_agent_finds_a_subject_and_reads_its_events_and_receipts(app, client) -> None:
    given = client.post(
        "/api/v1/consents/events", json=ANNA | {"action": "given", "item": "marketing-email"}
    )
    assert given.status_code == 201, given.text
    withdrawn = client.post("/api/v1/consents/withdraw", json=ANNA | {"item": "marketing-email"})
    assert withdrawn.status_code == 201, withdrawn.text
    subject = given.json()["subject_id"]

    with _signed_in(app) as admin:
        page = _search(admin, "email", "  Anna@Example.com ")  # the one normaliser applies
        assert subject in page
        assert "anna@example.com" not in page.lower()  # the identifier is not echoed
        events = re.search(r'<table id="events">(.*?)</table>', page, re.S)
        assert events is not None
        assert events.group(1).count("<tr>") == 1 + 2  # heading and both events
        assert "withdrawn" in events.group(1) and "given" in events.group(1)
        current = re.search(r'<table id="current">(.*?)</table>', page, re.S)
        assert current is not None and ">no <small>consent withdrawn" in current.group(1)

        receipts = re.findall(r'href="(/admin/consents/receipts/[0-9a-f-]+)"', page)
        assert len(receipts) == 2
        document = admin.get(receipts[0]).json()
        jwk = admin.get("/.well-known/steward-consent-key.json").json()["keys"][0]
        assert verify_receipt(document, b64url_decode(jwk["x"]))
        assert document["receipt"]["consentReceiptID"] in receipts[0]

        checked = unescape(admin.get("/admin/consents?verify=1").text)
        assert "Every check of `steward ledger verify` passes" in checked
        assert "every hash link verifies" in checked
        assert "2 events, 1 subject" in checked
        with app.state.engine.begin() as connection:  # an edited event breaks the chain
            connection.execute(text("UPDATE consent_events SET method = 'forged'"))
        broken = unescape(admin.get("/admin/consents?verify=1").text)
        assert "The ledger does not verify" in broken and "is broken" in broken

        nobody = _search(admin, "email", "nobody@example.com")
        assert "holds no consent event for this identifier" in nobody
        assert admin.get("/admin/consents/receipts/not-a-receipt").status_code == 404

    with app.state.sessions() as session:
        lookups = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "consent.lookup")
        ).all()
    assert [(e.actor, e.object_id) for e in lookups] == [("agent@example.com", subject)]


def test_a_search_without_a_session_or_csrf_token_is_refused(app) -> None:
    with TestClient(app) as anonymous:
        answer = anonymous.post(
            "/admin/consents",
            data={"kind": "email", "value": "anna@example.com"},
            follow_redirects=False,
        )
        assert answer.status_code in (303, 401)
    with _signed_in(app) as admin:
        answer = admin.post("/admin/consents", data={"kind": "email", "value": "a@example.com"})
        assert answer.status_code == 403
        bad = _search_status(admin, "fax", "123")
        assert bad == 400


def _search_status(client: TestClient, kind: str, value: str) -> int:
    token = _csrf(client.get("/admin/consents").text)
    return client.post(
        "/admin/consents", data={"kind": kind, "value": value, "csrf_token": token}
    ).status_code


def test_an_empty_identifier_is_refused_in_the_admins_language(app) -> None:
    with _signed_in(app) as admin:
        admin.headers["Accept-Language"] = "ru"
        token = _csrf(admin.get("/admin/consents").text)
        answer = admin.post(
            "/admin/consents", data={"kind": "phone", "value": "   ", "csrf_token": token}
        )
    assert answer.status_code == 400
    assert "Идентификатор phone пуст" in unescape(answer.text)
