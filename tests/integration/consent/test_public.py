"""Webhooks, one-click unsubscribe, the Privacy Center page, GPC files, the ledger CLI."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from steward.cli import app as cli
from steward.client import ConsentClient
from steward.config import Settings
from steward.consent import signature
from steward.consent.identity import ConsentKeys

from .conftest import make_app

ANNA = {"identifiers": {"email": "anna@example.com"}}


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[bytes, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers.get("Steward-Signature", "")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_withdrawal_sends_a_signed_webhook_the_sdk_verifies(tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.received = []
    url = f"http://127.0.0.1:{server.server_port}/hooks"
    try:
        app = make_app(tmp_path, consent_webhook_url=url, consent_webhook_secret="s3cret")
        with TestClient(
            app, headers={"Authorization": f"Bearer {app.state.test_api_token}"}
        ) as client:
            client.post(
                "/api/v1/consents/events",
                json=ANNA | {"action": "given", "item": "marketing-email"},
            )
            assert _Receiver.received == []  # giving consent is not announced
            client.post("/api/v1/consents/withdraw", json=ANNA | {"item": "marketing-email"})
    finally:
        server.shutdown()
        server.server_close()
    [(body, header)] = _Receiver.received
    sdk = ConsentClient("http://unused", token="t", poll_interval=None, webhook_secret="s3cret")
    payload = sdk.handle_webhook(body, header)
    assert payload["type"] == "consent.withdrawn" and payload["purpose"] == "marketing"
    assert "anna" not in body.decode()
    assert not signature.verify(b"other", body, header)
    assert not signature.verify(b"s3cret", body.replace(b"marketing", b"analytics"), header)


def test_unsubscribe_link_withdraws_in_one_click_without_sign_in(client) -> None:
    client.post("/api/v1/consents/events", json=ANNA | {"action": "given", "purpose": "marketing"})
    link = client.post(
        "/api/v1/consents/unsubscribe-links",
        json=ANNA | {"purpose": "marketing", "channel": "email"},
    ).json()
    path = link["url"].removeprefix("http://127.0.0.1:8000")
    page = client.get(path)
    assert page.status_code == 200 and "<form" in page.text
    check = {"purpose": "marketing", "channel": "email"}
    assert client.post("/api/v1/consents/check", json=ANNA | check).json()["allowed"]
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "unsubscribed" in done.text
    answer = client.post("/api/v1/consents/check", json=ANNA | check).json()
    assert answer["allowed"] is False and answer["reason"] == "withdrawn"
    phone = client.post(
        "/api/v1/consents/check", json=ANNA | {"purpose": "marketing", "channel": "phone"}
    ).json()
    assert phone["allowed"] is True  # the token withdrew e-mail only
    assert client.post(path).status_code == 200  # a second click is harmless
    forged = client.post(path[:-3] + "abc")
    assert forged.status_code == 400 and "not valid" in forged.text


def test_privacy_center_shows_every_consent_and_changes_one(client, app) -> None:
    client.post(
        "/api/v1/consents/events", json=ANNA | {"action": "given", "item": "marketing-email"}
    )
    page = client.get("/privacy/consents")
    assert page.status_code == 200
    sent = client.post("/privacy/consents", data={"email": "ANNA@example.com"})
    unknown = client.post("/privacy/consents", data={"email": "nobody@example.com"})
    assert re.sub(r"\s+", " ", sent.text) == re.sub(r"\s+", " ", unknown.text)
    with app.state.sessions() as s:
        [text] = s.execute(sa.text("SELECT body_text FROM outbox")).scalars().all()
    path = "/privacy/consents/" + text.split("/privacy/consents/")[1].split("?")[0].strip()
    center = client.get(path)
    assert 'id="consent-marketing-email" data-state="on"' in center.text
    assert 'id="consent-marketing-calls" data-state="off"' in center.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', center.text).group(1)
    refused = client.post(
        path, data={"item": "marketing-email", "action": "withdrawn", "csrf": "0" * 64}
    )
    assert refused.status_code == 403
    changed = client.post(
        path, data={"item": "marketing-email", "action": "withdrawn", "csrf": csrf}
    )
    assert changed.status_code == 200 and "Saved" in changed.text
    assert 'id="consent-marketing-email" data-state="off"' in changed.text
    receipt_link = re.search(r'href="(/privacy/consents/[^"]+/receipts/[^"]+)"', changed.text)
    document = client.get(receipt_link.group(1)).json()
    assert document["receipt"]["steward"]["action"] == "withdrawn"
    assert document["receipt"]["steward"]["method"] == "web-form"


def test_gpc_json_and_public_key_are_served(client) -> None:
    assert client.get("/.well-known/gpc.json").json()["gpc"] is True
    key = client.get("/.well-known/steward-consent-key.json").json()
    assert key["keys"][0]["kty"] == "OKP" and "BEGIN PUBLIC KEY" in key["pem"]


def test_banner_choice_refuses_a_foreign_origin_and_non_json(client) -> None:
    foreign = client.post(
        "/consent/choice",
        json={"choices": {"ads": True}},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "origin-not-allowed"
    form = client.post(
        "/consent/choice",
        content=b"choices=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415
    bad = client.post("/consent/choice", json={"method": "banner", "choices": {"nope": True}})
    assert bad.status_code == 422 and "offered: analytics, ads" in bad.json()["error"]["message"]


def test_ledger_verify_cli_reports_a_tampered_event(tmp_path: Path, monkeypatch) -> None:
    app = make_app(tmp_path)
    with TestClient(app, headers={"Authorization": f"Bearer {app.state.test_api_token}"}) as client:
        given = client.post(
            "/api/v1/consents/events", json=ANNA | {"action": "given", "item": "registration"}
        ).json()
        receipt = client.get(f"/api/v1/consents/receipts/{given['receipt_id']}").json()
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'steward.db'}")
    runner = CliRunner()
    ok = runner.invoke(cli, ["ledger", "verify"])
    assert ok.exit_code == 0 and "consent ledger: 1 entries, every hash link verifies" in ok.output
    (tmp_path / "r.json").write_text(json.dumps(receipt))
    good = runner.invoke(cli, ["ledger", "verify-receipt", str(tmp_path / "r.json")])
    assert good.exit_code == 0, good.output
    receipt["receipt"]["piiPrincipalId"] = "someone-else"
    (tmp_path / "r.json").write_text(json.dumps(receipt))
    bad = runner.invoke(cli, ["ledger", "verify-receipt", str(tmp_path / "r.json")])
    assert bad.exit_code == 1
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'steward.db'}")
    with engine.begin() as c:
        c.execute(sa.text("UPDATE consent_artefacts SET text = 'I agree to everything'"))
        c.execute(sa.text("UPDATE consent_events SET channel = 'sms'"))
    broken = runner.invoke(cli, ["ledger", "verify"])
    assert broken.exit_code == 1
    assert "entry 1 is broken" in broken.output and "shown text" in broken.output
    assert ConsentKeys.from_settings(Settings(dev=True)).key_id()


def test_privacy_center_link_requests_are_rate_limited(client) -> None:
    codes = [
        client.post("/privacy/consents", data={"email": f"p{n}@example.com"}).status_code
        for n in range(7)
    ]
    assert codes == [200] * 5 + [429] * 2
