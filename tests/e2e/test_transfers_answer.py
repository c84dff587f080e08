"""softvendor promises that a person can learn to whom their data was transferred, from the
disclosures really made: the operator's backend records each disclosure through the API, the
subject files an information request in the Privacy Center (with the signed scan softvendor
requires), proves their e-mail with the code, an agent executes it, and the answer (e-mail
and download) lists the register's recipients and exactly the disclosures recorded for the
proven identifier: none of another person's, none invented."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.ledger.audit import AuditEntry
from steward.notify.outbox import OutboxMessage

from ..personas import api_token
from .seed_operators import PrivacyCenter, Staff, build_demo


def _record(client: TestClient, token: str, **fields) -> dict:
    answer = client.post(
        "/api/v1/disclosures", json=fields, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _completion_mail(app, email: str) -> str:
    with app.state.sessions() as session:
        mail = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "request.completed")
            .where(OutboxMessage.to_address == email.casefold())
        ).one()
        return mail.body_text


def test_softvendor_transfer_request_lists_the_disclosures_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo("softvendor", tmp_path, monkeypatch)
    person, other = demo.built.people[0], demo.built.people[1]
    backend = TestClient(demo.app)
    token = api_token(demo.app, {"disclosures:write"})
    first, second = date.today() - timedelta(days=40), date.today() - timedelta(days=3)
    _record(
        backend,
        token,
        recipient="service-providers",
        categories=["contact.email", "identity.name"],
        disclosed_on=second.isoformat(),
        email=person.email,
        purpose="service",
        reference="order 1182",
    )
    # another spelling of the same address is the same subject
    _record(
        backend,
        token,
        recipient="authorities",
        categories=["identity.name"],
        disclosed_on=first.isoformat(),
        email=f"  {person.email.upper()} ",
    )
    # someone else's disclosure, and one under an identifier the subject does not prove
    _record(
        backend,
        token,
        recipient="analytics-services",
        categories=["device.cookie_id"],
        disclosed_on=second.isoformat(),
        email=other.email,
    )
    _record(
        backend,
        token,
        recipient="analytics-services",
        categories=["usage.pages"],
        disclosed_on=second.isoformat(),
        account_id=str(person.account),
    )

    center = PrivacyCenter(demo.app)
    status_url = center.file("information", person.email, signed_scan=True)
    center.verify(status_url, person.email)
    agent = Staff(demo.app, "agent")
    request_id = agent.request_id(center.reference(status_url))
    page = agent.act(request_id, "execute")
    assert page.state == "completed", page

    body = _completion_mail(demo.app, person.email)
    assert f"- {second.isoformat()}: to Trusted third-party service providers: " in body
    assert f"- {first.isoformat()}: to Courts and authorities of the Russian Federation: " in body
    recorded = body.split("Disclosures of your data that we recorded:")[1]
    assert "analytics" not in recorded.lower()  # another's, and one under an unproven id
    assert recorded.count(": to ") == 2  # the two recorded for the proven e-mail, nothing else
    for recipient in demo.register.recipients:
        assert recipient.name in body
    assert "/privacy/requests/result/" in body

    data = json.loads(center.download(person.email))
    assert [(d["disclosed_on"], d["recipient"]) for d in data["disclosures"]] == [
        (first.isoformat(), "authorities"),
        (second.isoformat(), "service-providers"),
    ]
    assert [c["id"] for c in data["disclosures"][1]["categories"]] == [
        "contact.email",
        "identity.name",
    ]
    assert data["disclosures"][1]["purpose"] == "service"
    assert [r["id"] for r in data["recipients"]] == [r.id for r in demo.register.recipients]
    providers = next(r for r in data["recipients"] if r["id"] == "service-providers")
    assert [p["id"] for p in providers["purposes"]] == [
        p.id for p in demo.register.purposes if "service-providers" in p.recipients
    ]
    assert data["searched_identifiers"] == ["email"]

    # the log keeps no identifier in clear: neither the API's list nor the audit log shows one
    reader = api_token(demo.app, {"disclosures:read"}, name="reader")
    listed = backend.get("/api/v1/disclosures", headers={"Authorization": f"Bearer {reader}"})
    assert listed.status_code == 200 and len(listed.json()) == 4
    assert person.email.lower() not in listed.text.lower()
    with demo.app.state.sessions() as session:
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "disclosure.record")
        ).all()
        assert len(audited) == 4
        assert all(person.email.lower() not in a.details.lower() for a in audited)
