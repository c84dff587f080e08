"""The auth contract other sections code against: require, require_scope, CSRF, the envelope."""

from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from steward.web.auth import Principal, require, require_scope

from ...apps import fresh_app
from ...personas import api_token, sign_in_as


@pytest.fixture
def app(tmp_path: Path):
    app = fresh_app(tmp_path)

    @app.post("/admin/_probe")
    def probe(who: Annotated[Principal, Depends(require("requests.approve"))]) -> dict:
        return {"actor": who.actor}

    @app.get("/api/v1/_probe")
    def api_probe(who: Annotated[Principal, Depends(require_scope("consents:write"))]) -> dict:
        return {"actor": who.actor}

    return app


def test_signed_out_pages_redirect_to_sign_in_and_the_api_answers_401(app) -> None:
    with TestClient(app, follow_redirects=False) as client:
        page = client.get("/admin/requests")
        assert page.status_code == 303
        assert page.headers["location"] == "/admin/sign-in?next=%2Fadmin%2Frequests"
        api = client.get("/api/v1/_probe")
        assert api.status_code == 401
        assert api.json()["error"]["code"] == "unauthenticated"


def test_a_role_without_the_permission_gets_403_and_one_with_it_passes(app) -> None:
    with TestClient(app) as client:
        csrf = sign_in_as(client, "agent")
        refused = client.post("/admin/_probe", data={"csrf_token": csrf})
        assert refused.status_code == 403 and "requests.approve" in refused.text
    with TestClient(app) as client:
        csrf = sign_in_as(client, "dpo")
        allowed = client.post("/admin/_probe", data={"csrf_token": csrf})
        assert allowed.json() == {"actor": "dpo@example.com"}


def test_a_post_without_the_csrf_token_is_refused_even_when_signed_in(app) -> None:
    with TestClient(app) as client:
        sign_in_as(client, "owner")
        missing = client.post("/admin/_probe", data={})
        forged = client.post("/admin/_probe", data={"csrf_token": "0" * 64})
        assert missing.status_code == forged.status_code == 403
        assert "csrf" in missing.text.lower() or "expired" in missing.text


def test_api_tokens_need_the_scope_the_route_asks_for(app) -> None:
    writer = api_token(app, {"consents:write"})
    reader = api_token(app, {"consents:read"})
    with TestClient(app) as client:
        ok = client.get("/api/v1/_probe", headers={"Authorization": f"Bearer {writer}"})
        assert ok.status_code == 200 and ok.json()["actor"].startswith("token:")
        lacking = client.get("/api/v1/_probe", headers={"Authorization": f"Bearer {reader}"})
        assert lacking.status_code == 403
        message = "This API token lacks the scope consents:write."
        assert lacking.json() == {"error": {"code": "forbidden", "message": message}}
        unknown = client.get("/api/v1/_probe", headers={"Authorization": "Bearer stw_nope"})
        assert unknown.status_code == 401


def test_every_response_carries_the_security_headers(app) -> None:
    with TestClient(app) as client:
        response = client.get("/admin/sign-in")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert "steward_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
