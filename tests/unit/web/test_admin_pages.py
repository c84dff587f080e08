"""Admin pages through the real app and store: invitations, reset, tokens, exports, TOTP rule."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.accounts.tables import ApiToken, Person
from steward.ledger.audit import AuditEntry, record
from steward.notify.outbox import OutboxMessage

from ...personas import PASSWORD, ensure_person, sign_in_as


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _actions(app) -> list[str]:
    with app.state.sessions() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_owner_invites_and_the_link_creates_the_account_once(web_app) -> None:
    with TestClient(web_app) as owner:
        csrf = sign_in_as(owner, "owner")
        page = owner.post(
            "/admin/people/invite",
            data={"csrf_token": csrf, "email": "new@example.com", "role": "auditor"},
        )
        link = re.search(r'id="invite-link">([^<]+)<', page.text).group(1)
    path = "/admin/" + link.split("/admin/", 1)[1]
    with web_app.state.sessions() as session:
        mail = session.scalars(select(OutboxMessage)).one()
        assert mail.to_address == "new@example.com" and link in mail.body_text
    with TestClient(web_app, follow_redirects=False) as guest:
        form = {
            "csrf_token": _csrf(guest, path),
            "name": "New",
            "password": PASSWORD,
            "password_again": PASSWORD,
        }
        assert guest.post(path, data=form).status_code == 303
        assert guest.post(path, data=form).status_code == 404
    with web_app.state.sessions() as session:
        assert (
            session.scalars(select(Person.role).where(Person.email == "new@example.com")).one()
            == "auditor"
        )
    assert {"person.invite", "person.invitation_accept"} <= set(_actions(web_app))


def test_password_reset_answers_alike_for_known_and_unknown_addresses(
    tmp_path, monkeypatch
) -> None:
    from ...jobs_app import drain, embedded_app

    web_app = embedded_app(tmp_path, monkeypatch)
    ensure_person(web_app, "agent")
    with TestClient(web_app) as client:
        csrf = _csrf(client, "/admin/password-reset")
        known = client.post(
            "/admin/password-reset", data={"csrf_token": csrf, "email": "agent@example.com"}
        )
        unknown = client.post(
            "/admin/password-reset", data={"csrf_token": csrf, "email": "ghost@example.com"}
        )
        assert known.status_code == unknown.status_code == 200
        assert known.text == unknown.text
        drain()  # the e-mail is written by a job, after the answer
        with web_app.state.sessions() as session:
            mail = session.scalars(select(OutboxMessage)).one()
        path = "/admin/" + re.search(r"https?://\S+", mail.body_text).group(0).split("/admin/")[1]
        new = "a completely new passphrase 3"
        form = {"csrf_token": csrf, "password": new, "password_again": new}
        assert client.post(path, data=form, follow_redirects=False).status_code == 303
        assert client.post(path, data=form).status_code == 404  # bound to the old password


def test_a_token_is_shown_once_and_only_its_hash_is_kept(web_app) -> None:
    with TestClient(web_app) as client:
        csrf = sign_in_as(client, "dpo")
        page = client.post(
            "/admin/settings/tokens",
            data={
                "csrf_token": csrf,
                "name": "shop backend",
                "scope": ["consents:write", "consents:read"],
            },
        )
        raw = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
        assert raw not in client.get("/admin/settings").text
    with web_app.state.sessions() as session:
        row = session.scalars(select(ApiToken)).one()
    assert row.scopes == "consents:read consents:write" and raw not in row.token_hash
    assert "token.create" in _actions(web_app)


def test_audit_export_is_recorded_and_neutralises_spreadsheet_formulas(web_app) -> None:
    with web_app.state.sessions() as session, session.begin():
        record(session, actor="=HYPERLINK(1)", action="person.invite", details={"n": 1})
    with TestClient(web_app) as client:
        sign_in_as(client, "auditor")
        text = client.get("/admin/audit/export.csv").text
        lines = client.get("/admin/audit/export.jsonl?action=person.").text.splitlines()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["actor"] == "'=HYPERLINK(1)"
    assert [json.loads(line)["action"] for line in lines] == ["person.invite"]
    assert _actions(web_app).count("audit.export") == 2


def test_mandatory_totp_sends_people_without_it_to_enrolment(web_app) -> None:
    with TestClient(web_app, follow_redirects=False) as owner:
        csrf = sign_in_as(owner, "owner")
        owner.post("/admin/settings/totp", data={"csrf_token": csrf, "required": "1"})
    with TestClient(web_app, follow_redirects=False) as agent:
        sign_in_as(agent, "agent")
        response = agent.get("/admin/")
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/account/totp"
        assert agent.get("/admin/account/totp").status_code == 200


def test_the_auditor_sees_e_mails_but_not_the_secret_links_in_them(web_app) -> None:
    with TestClient(web_app) as owner:
        csrf = sign_in_as(owner, "owner")
        owner.post(
            "/admin/people/invite",
            data={"csrf_token": csrf, "email": "x@example.com", "role": "agent"},
        )
        assert "/admin/invitations/inv_" in owner.get("/admin/outbox/1").text
    with TestClient(web_app) as auditor:
        sign_in_as(auditor, "auditor")
        page = auditor.get("/admin/outbox/1").text
    assert "x@example.com" in page and "inv_" not in page and "link hidden" in page


def test_sign_in_is_rate_limited_per_address(web_app) -> None:
    with TestClient(web_app) as client:
        csrf = _csrf(client, "/admin/sign-in")
        codes = [
            client.post(
                "/admin/sign-in",
                data={"csrf_token": csrf, "email": f"n{i}@example.com", "password": "x"},
            ).status_code
            for i in range(21)
        ]
    assert codes[:20] == [400] * 20 and codes[20] == 429


def test_an_audit_export_carries_the_signed_head_that_verify_accepts(web_app) -> None:
    from steward.consent.identity import ConsentKeys
    from steward.ledger.anchors import check_heads, parse_head
    from steward.ledger.audit import AuditEntry

    with TestClient(web_app) as client:
        sign_in_as(client, "auditor")
        exported = client.get("/admin/audit/export.jsonl")
    document = json.loads(exported.headers["Steward-Chain-Head"])
    key = ConsentKeys.from_settings(web_app.state.settings).public_key_raw()
    head = parse_head(document, "the export", key)
    assert head.signed is True and head.chain == "audit"
    with web_app.state.sessions() as session:
        assert check_heads(session, AuditEntry, [head]) == []
