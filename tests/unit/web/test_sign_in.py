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
    ensure_person(web_app, "agent")
    with TestClient(web_app) as client:
        response = sign_in(client, "Agent@example.com ", PASSWORD, next="/admin/audit")
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


def _app_with(store_file_url: str, **settings):
    from steward.config import Settings
    from steward.web.app import create_app

    return create_app(Settings(database_url=store_file_url, **settings))


def test_owner_and_dpo_must_set_up_a_second_factor_by_default(web_app) -> None:
    for role in ("owner", "dpo", "agent"):
        ensure_person(web_app, role)
    for role, must in (("owner", True), ("dpo", True), ("agent", False)):
        with TestClient(web_app) as client:
            signed = sign_in(client, f"{role}@example.com", PASSWORD)
            assert signed.status_code == 303
            page = client.get("/admin/requests", follow_redirects=False)
        if must:
            assert page.status_code == 303, role
            assert page.headers["location"] == "/admin/account/totp"
        else:
            assert page.status_code == 200, role


def test_the_roles_that_need_a_second_factor_are_configurable_and_the_page_says_so(
    store_file_url: str,
) -> None:
    app = _app_with(store_file_url, totp_roles="")
    ensure_person(app, "owner")
    with TestClient(app) as client:
        form = client.get("/admin/sign-in")
        assert "second factor is off" in form.text
        sign_in(client, "owner@example.com", PASSWORD)
        assert client.get("/admin/requests", follow_redirects=False).status_code == 200
    strict = _app_with(store_file_url, totp_roles="owner,dpo,agent,auditor")
    ensure_person(strict, "agent")
    with TestClient(strict) as client:
        assert "second factor is off" not in client.get("/admin/sign-in").text
        sign_in(client, "agent@example.com", PASSWORD)
        page = client.get("/admin/requests", follow_redirects=False)
        assert page.headers["location"] == "/admin/account/totp"


def test_the_session_is_rotated_after_the_second_factor(web_app) -> None:
    import pyotp

    from ...personas import enrol_second_factor

    secret = enrol_second_factor(web_app, ensure_person(web_app, "owner"))
    with TestClient(web_app) as client:
        sign_in(client, "owner@example.com", PASSWORD)
        before = client.cookies.get(SESSION_COOKIE)
        csrf = _csrf(client, "/admin/sign-in/totp")
        done = client.post(
            "/admin/sign-in/totp",
            data={"csrf_token": csrf, "code": pyotp.TOTP(secret).now()},
            follow_redirects=False,
        )
        assert done.status_code == 303
        after = client.cookies.get(SESSION_COOKIE)
        assert after and after != before
        assert client.get("/admin/", follow_redirects=False).status_code == 200
    with TestClient(web_app) as replay:
        replay.cookies.set(SESSION_COOKIE, before or "")
        assert replay.get("/admin/", follow_redirects=False).status_code == 303
