"""Ugly input to the consent API and banner gets a clear 4xx and records nothing."""

import pytest
import sqlalchemy as sa

ANNA = {"identifiers": {"email": "anna@example.com"}}

UGLY_EVENTS = [
    {
        "subject_id": "00000000-0000-0000-0000-000000000000",
        "action": "given",
        "item": "registration",
    },
    ANNA | {"action": "given", "item": "marketing-email", "channel": "phone"},
    ANNA | {"action": "given", "purpose": "marketing", "channel": "fax"},
    ANNA | {"action": "given", "purpose": "marketing", "channel": "../../etc"},
    ANNA | {"action": "given", "item": "registration", "expires_at": "2030-01-01T00:00:00"},
    ANNA | {"action": "given", "item": "registration", "evidence": {"password": "x"}},
    ANNA | {"action": "given", "item": "registration", "recorded_by": "guardian"},
    ANNA | {"action": "given", "item": "registration", "guardian": {"passport": "1"}},
    ANNA | {"action": "given", "item": "marketing-email", "purpose": "analytics"},
    {"identifiers": {"email": "   "}, "action": "given", "item": "registration"},
    {"identifiers": {}, "action": "given", "item": "registration"},
    {"action": "given", "item": "registration"},
    ANNA | {"action": "given"},
    ANNA | {"action": "expired", "item": "registration"},
    ANNA | {"action": "given", "item": "registration", "age": -1},
    ANNA | {"action": "given", "item": "registration", "identifiers": {"email": 5}},
    ANNA | {"action": "given", "item": "x" * 500},
    "not an object",
]


@pytest.mark.parametrize("body", UGLY_EVENTS)
def test_ugly_event_gets_a_4xx_and_records_nothing(client, app, body) -> None:
    response = client.post("/api/v1/consents/events", json=body)
    assert 400 <= response.status_code < 500, response.text
    with app.state.sessions() as s:
        assert s.scalar(sa.text("SELECT count(*) FROM consent_events")) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"method": "banner", "choices": {"ads": "yes"}},
        {"method": "banner", "choices": ["ads"]},
        {"method": "banner", "choices": {"ads": True}, "copy": "0" * 64},
        {"method": "gpc", "choices": {}},
        {"method": "sell-everything", "choices": {}},
        [],
        None,
    ],
)
def test_ugly_banner_choice_gets_a_4xx(client, body) -> None:
    response = client.post("/consent/choice", json=body)
    assert response.status_code in (400, 415, 422), response.text
    assert "error" in response.json()


def test_garbage_consent_cookie_is_ignored(client) -> None:
    for value in ("", "%%%", "bm90IGpzb24", "W10", "eyJ2IjogNX0"):
        client.cookies.set("steward_consent", value)
        script = client.get("/consent/banner.js")
        assert script.status_code == 200 and '"choices":null' in script.text
