import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.ledger.audit import AuditEntry
from steward.web.security import SESSION_COOKIE

from ...personas import PASSWORD, ensure_person


def _csrf(client: TestClient, path: str = "/admin/sign-in") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str, next: str = ""):
    return client.post(
        "/admin/sign-in",
        data={"email": email, "password": password, "next": next, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )


def test_signing_in_with_the_right_password_opens_the_dashboard_and_is_audited(web_app) -> None:
    ensure_person(web_app, "dpo")
    with TestClient(web_app) as client:
        response = sign_in(client, "DPO@example.com ", PASSWORD, next="/admin/audit")
        assert response.status_code == 303 and response.headers["location"] == "/admin/audit"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert client.get("/admin/").status_code == 200
    with web_app.state.sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "auth.sign_in" in actions


def test_wrong_password_and_unknown_account_get_the_same_answer(web_app) -> None:
    ensure_person(web_app, "agent")
    with TestClient(web_app) as client:
        wrong = sign_in(client, "agent@example.com", "not the password at all")
        unknown = sign_in(client, "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.text).replace("agent@example.com", "X") == strip.sub(
        "", unknown.text
    ).replace("nobody@example.com", "X")
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(web_app) -> None:
    ensure_person(web_app, "agent")
    with TestClient(web_app) as client:
        for _ in range(5):
            assert sign_in(client, "agent@example.com", "wrong password here").status_code == 400
        locked = sign_in(client, "agent@example.com", PASSWORD)
    assert locked.status_code == 400
    assert "locked" in locked.text


def test_sign_in_never_redirects_off_site(web_app) -> None:
    ensure_person(web_app, "dpo")
    with TestClient(web_app) as client:
        response = sign_in(client, "dpo@example.com", PASSWORD, next="//evil.example/admin")
    assert response.headers["location"] == "/admin/"
