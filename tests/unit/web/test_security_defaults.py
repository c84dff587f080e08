"""Security defaults: HTTPS-only headers, limits on anonymous traffic, nothing secret in logs."""

from __future__ import annotations

import logging
import re

from fastapi.testclient import TestClient

from steward.config import Settings
from steward.web.app import create_app

from ...personas import PASSWORD, enrol_second_factor, ensure_person


def test_behind_https_cookies_are_secure_and_hsts_is_sent(store_file_url: str) -> None:
    app = create_app(Settings(database_url=store_file_url, base_url="https://privacy.example"))
    ensure_person(app, "dpo")
    with TestClient(app, base_url="https://privacy.example") as client:
        page = client.get("/admin/sign-in")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "Secure" in page.headers["set-cookie"]
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
        signed = client.post(
            "/admin/sign-in",
            data={"csrf_token": csrf, "email": "dpo@example.com", "password": PASSWORD},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        assert "steward_session=" in signed.headers["set-cookie"]
        assert "Secure" in signed.headers["set-cookie"]


def test_plain_http_gets_no_hsts(web_app) -> None:
    with TestClient(web_app) as client:
        assert "strict-transport-security" not in client.get("/admin/sign-in").headers


def test_anonymous_requests_are_limited_per_address(store_file_url: str) -> None:
    app = create_app(Settings(database_url=store_file_url, rate_limit_per_minute=3))
    with TestClient(app) as client:
        codes = [client.get("/admin/sign-in").status_code for _ in range(4)]
        assert client.get("/healthz").status_code == 200  # probes are never limited
    assert codes == [200, 200, 200, 429]


def test_sign_in_and_invitations_write_no_secret_to_the_logs(web_app, caplog) -> None:
    import pyotp

    secret = enrol_second_factor(web_app, ensure_person(web_app, "owner"))
    caplog.set_level(logging.DEBUG)
    with TestClient(web_app) as client:
        page = client.get("/admin/sign-in")
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
        client.post(
            "/admin/sign-in",
            data={"csrf_token": csrf, "email": "owner@example.com", "password": PASSWORD},
        )
        client.post(
            "/admin/sign-in/totp",
            data={"csrf_token": csrf, "code": pyotp.TOTP(secret).now()},
        )
        invited = client.post(
            "/admin/people/invite",
            data={"csrf_token": csrf, "email": "n@example.com", "role": "agent"},
        )
        link = re.search(r'id="invite-link">([^<]+)<', invited.text).group(1)
    token = link.rsplit("/", 1)[1]
    assert PASSWORD not in caplog.text and token not in caplog.text
    assert client.cookies.get("steward_session", "x") not in caplog.text
