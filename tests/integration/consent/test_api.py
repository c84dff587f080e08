import time
from datetime import UTC, datetime, timedelta

from steward.client import ConsentClient, StewardError
from steward.consent.receipts import b64url_decode, verify_receipt

ANNA = {"identifiers": {"email": "anna@example.com"}}


def test_record_check_withdraw_and_history_through_the_api(client) -> None:
    given = client.post(
        "/api/v1/consents/events",
        json=ANNA
        | {
            "action": "given",
            "item": "marketing-email",
            "method": "web-form",
            "evidence": {"form_id": "signup", "ip": "198.51.100.9"},
        },
    )
    assert given.status_code == 201, given.text
    subject = given.json()["subject_id"]
    check = client.post(
        "/api/v1/consents/check", json=ANNA | {"purpose": "marketing", "channel": "email"}
    ).json()
    assert check == check | {
        "allowed": True,
        "reason": "given",
        "event_id": given.json()["event_id"],
        "subject_id": subject,
    }
    withdrawn = client.post("/api/v1/consents/withdraw", json=ANNA | {"item": "marketing-email"})
    assert withdrawn.status_code == 201
    check = client.post(
        "/api/v1/consents/check", json=ANNA | {"purpose": "marketing", "channel": "email"}
    ).json()
    assert check["allowed"] is False and check["reason"] == "withdrawn"
    history = client.get(f"/api/v1/consents/subjects/{subject}/history").json()["events"]
    assert [e["action"] for e in history] == ["given", "withdrawn"]
    evidence = history[0]["evidence"]
    assert evidence | {"recorded_via": "-"} == {
        "form_id": "signup",
        "ip": "198.51.100.0/24",
        "recorded_via": "-",
    }
    assert evidence["recorded_via"].startswith("token:") and "backend" in evidence["recorded_via"]
    state = client.get(f"/api/v1/consents/subjects/{subject}").json()["consents"]
    assert [(c["purpose"], c["channel"], c["allowed"]) for c in state] == [
        ("marketing", "email", False)
    ]


def test_api_errors_use_the_envelope_and_say_what_is_right(client) -> None:
    bad = client.post("/api/v1/consents/events", json=ANNA | {"action": "given", "item": "nope"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "unknown-item"
    assert "marketing-email" in bad.json()["error"]["message"]
    child = client.post(
        "/api/v1/consents/events",
        json=ANNA
        | {"action": "given", "item": "registration", "age": 12, "jurisdiction": "us-coppa"},
    )
    assert child.json()["error"]["code"] == "below-minimum-age"
    unknown = client.post(
        "/api/v1/consents/check", json={"identifiers": {"email": "x@y.z"}, "purpose": "marketing"}
    ).json()
    assert unknown["allowed"] is False and unknown["reason"] == "unknown-subject"


def test_receipt_from_the_api_verifies_with_the_well_known_key(client) -> None:
    given = client.post(
        "/api/v1/consents/events", json=ANNA | {"action": "given", "item": "registration"}
    ).json()
    document = client.get(f"/api/v1/consents/receipts/{given['receipt_id']}").json()
    jwk = client.get("/.well-known/steward-consent-key.json").json()["keys"][0]
    assert jwk["crv"] == "Ed25519"
    assert verify_receipt(document, b64url_decode(jwk["x"]))
    assert document["receipt"]["consentReceiptID"] == given["receipt_id"]
    assert "anna" not in str(document).lower()


def test_api_refuses_without_a_token(app) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as bare:
        response = bare.post("/api/v1/consents/check", json=ANNA | {"purpose": "marketing"})
    assert response.status_code in (401, 403)


def test_sdk_answers_from_memory_and_sees_a_withdrawal_through_the_change_feed(client) -> None:
    sdk = ConsentClient(
        "http://testserver",
        token=client.headers["Authorization"].removeprefix("Bearer "),
        http=client,
        poll_interval=None,
    )
    other = ConsentClient(
        "http://testserver",
        token=client.headers["Authorization"].removeprefix("Bearer "),
        http=client,
        poll_interval=None,
    )
    other.record("anna@example.com", item="marketing-email")
    assert sdk.may("anna@example.com", "marketing", "email") is True
    calls = []
    client.event_hooks["request"].append(calls.append)
    assert all(sdk.may("anna@example.com", "marketing", "email") for _ in range(100))
    assert calls == []  # answered from memory
    other.withdraw("anna@example.com", item="marketing-email")
    assert sdk.may("anna@example.com", "marketing", "email") is True  # not yet refreshed
    assert sdk.refresh() == 1
    assert sdk.may("anna@example.com", "marketing", "email") is False
    client.event_hooks["request"].clear()


def test_sdk_cached_time_limited_permission_lapses_by_the_clock(client) -> None:
    sdk = ConsentClient(
        "http://testserver",
        token=client.headers["Authorization"].removeprefix("Bearer "),
        http=client,
        poll_interval=None,
    )
    # three seconds: recording and the first check must fit in the window on a loaded machine
    soon = datetime.now(UTC) + timedelta(seconds=3)
    sdk.record("42", kind="account-id", item="support-access", expires_at=soon)
    assert datetime.now(UTC) < soon, "the machine took the whole window to record"
    assert sdk.may("42", "support-access", kind="account-id") is True
    time.sleep(max((soon - datetime.now(UTC)).total_seconds(), 0) + 0.2)
    assert sdk.may("42", "support-access", kind="account-id") is False


def test_sdk_raises_steward_errors_with_the_message(client) -> None:
    sdk = ConsentClient(
        "http://testserver",
        token=client.headers["Authorization"].removeprefix("Bearer "),
        http=client,
        poll_interval=None,
    )
    try:
        sdk.record("anna@example.com", item="nope")
    except StewardError as exc:
        assert (exc.status, exc.code) == (422, "unknown-item"), exc
    else:
        raise AssertionError("no error")


def test_consent_api_is_in_the_openapi_document(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/consents/events",
        "/api/v1/consents/check",
        "/api/v1/consents/subjects/{subject_id}/history",
        "/.well-known/steward-consent-key.json",
    ):
        assert path in paths


def test_backend_forwards_gpc_and_advertising_is_refused_once(client) -> None:
    first = client.post("/api/v1/consents/gpc", json=ANNA).json()
    again = client.post("/api/v1/consents/gpc", json=ANNA).json()
    assert first["refused"] == ["ads"] and again["refused"] == []
    check = client.post(
        "/api/v1/consents/check", json=ANNA | {"purpose": "ads", "channel": "web"}
    ).json()
    assert check["allowed"] is False and check["reason"] == "refused"
    history = client.get(f"/api/v1/consents/subjects/{first['subject_id']}/history").json()
    assert [e["method"] for e in history["events"]] == ["gpc"]


def test_consent_writes_by_a_token_reach_the_audit_log_with_their_actor(client, app) -> None:
    from sqlalchemy import select

    from steward.consent.tables import ConsentEvent
    from steward.ledger.audit import AuditEntry

    given = client.post(
        "/api/v1/consents/events", json=ANNA | {"action": "given", "item": "marketing-email"}
    )
    assert given.status_code == 201, given.text
    withdrawn = client.post("/api/v1/consents/withdraw", json=ANNA | {"item": "marketing-email"})
    assert withdrawn.status_code == 201, withdrawn.text
    with app.state.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("consent.%")).order_by(AuditEntry.id)
        ).all()
        events = session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
    assert [e.action for e in entries] == ["consent.given", "consent.withdrawn"]
    assert all(e.actor.startswith("token:") for e in entries)
    assert [e.object_id for e in entries] == [ev.receipt_id for ev in events]
    assert all('"recorded_via":"token:' in ev.evidence for ev in events)
