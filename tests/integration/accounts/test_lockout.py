"""Sign-in lockout on the real path: counts that hold under parallel guesses, a TOTP count of its
own, and a stranger who cannot lock the owner out of a browser the owner signed in with before.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pyotp
import sqlalchemy as sa
from fastapi.testclient import TestClient

from steward.accounts.people import MAX_FAILURES, create_person, sign_in
from steward.accounts.tables import Person
from steward.config import Settings
from steward.store.db import session_factory, transaction
from steward.web.app import create_app

from ...personas import PASSWORD, enrol_second_factor, ensure_person


def test_parallel_wrong_guesses_lock_the_account_after_the_limit(store_engine: sa.Engine) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        create_person(session, "dpo@example.com", role="dpo", password=PASSWORD)

    def guess(n: int) -> str:
        with transaction(sessions) as session:
            return sign_in(session, "dpo@example.com", f"wrong guess number {n}").reason

    with ThreadPoolExecutor(max_workers=8) as pool:
        reasons = list(pool.map(guess, range(24)))
    assert reasons.count("wrong") <= MAX_FAILURES  # only that many passwords were even tried
    with transaction(sessions) as session:
        assert sign_in(session, "dpo@example.com", PASSWORD).reason == "locked"


def _form_csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _password_step(client: TestClient, email: str, password: str):
    csrf = _form_csrf(client, "/admin/sign-in")
    return client.post(
        "/admin/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )


def _totp_step(client: TestClient, code: str):
    csrf = _form_csrf(client, "/admin/sign-in/totp")
    return client.post(
        "/admin/sign-in/totp", data={"code": code, "csrf_token": csrf}, follow_redirects=False
    )


def _app(store_url: str):
    return create_app(Settings(database_url=store_url))


def test_wrong_second_factor_codes_lock_even_though_the_password_is_right(
    store_engine: sa.Engine, store_url: str
) -> None:
    app = _app(store_url)
    secret = enrol_second_factor(app, ensure_person(app, "owner"))
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"
    with TestClient(app) as client:
        for _ in range(MAX_FAILURES):
            assert _password_step(client, "owner@example.com", PASSWORD).status_code == 303
            assert _totp_step(client, wrong).status_code == 400
        _password_step(client, "owner@example.com", PASSWORD)
        assert _totp_step(client, right).status_code != 303  # locked: the right code fails too
    with app.state.sessions() as session:
        person = session.scalars(sa.select(Person)).one()
        assert person.totp_locked_until is not None and person.locked_until is None


def test_a_stranger_cannot_lock_the_owner_out_of_a_browser_they_used_before(
    store_engine: sa.Engine, store_url: str
) -> None:
    app = _app(store_url)
    ensure_person(app, "agent")  # no second factor needed for this role
    owner = TestClient(app)
    assert _password_step(owner, "agent@example.com", PASSWORD).status_code == 303
    owner.post("/admin/sign-out", data={"csrf_token": _form_csrf(owner, "/admin/account")})
    stranger = TestClient(app)
    for n in range(MAX_FAILURES + 3):
        assert _password_step(stranger, "agent@example.com", f"guess {n} wrong").status_code == 400
    assert _password_step(stranger, "agent@example.com", PASSWORD).status_code == 400  # locked
    back = _password_step(owner, "agent@example.com", PASSWORD)
    assert back.status_code == 303, back.text  # the owner's own browser still gets in
