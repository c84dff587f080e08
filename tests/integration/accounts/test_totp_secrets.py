"""Second-factor secrets are kept encrypted with a key derived from the secret key: a copy of
the store alone gives no one the codes. Enrolment and sign-in go through the real pages; the
migration encrypts the secrets a store kept in clear before it."""

from __future__ import annotations

import re
import time

import pyotp
import sqlalchemy as sa
from fastapi.testclient import TestClient

from steward.accounts.passwords import hash_password
from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app
from steward.web.security import SESSION_COOKIE

from ...personas import PASSWORD, ensure_person, sign_in_as


def _stored_secrets(app) -> list[str | None]:  # type: ignore[no-untyped-def]
    with app.state.engine.connect() as connection:
        return list(connection.execute(sa.text("SELECT totp_secret FROM people")).scalars())


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _next_code(secret: str) -> str:
    """The code of the next time step (accepted: one step of drift), never one the enrolment
    already used (a used step is refused as a replay)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def _sign_in_with_code(client: TestClient, email: str, secret: str) -> None:
    first = client.post(
        "/admin/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/admin/sign-in")},
        follow_redirects=False,
    )
    assert first.headers["location"].startswith("/admin/sign-in/totp"), first.text[:300]
    half = client.cookies.get(SESSION_COOKIE)
    second = client.post(
        "/admin/sign-in/totp",
        data={"csrf_token": _csrf(client, "/admin/sign-in/totp"), "code": _next_code(secret)},
        follow_redirects=False,
    )
    assert second.status_code == 303, second.text[:300]
    assert client.cookies.get(SESSION_COOKIE) not in (None, half)  # rotated
    assert client.get("/admin/", follow_redirects=False).status_code == 200


def _enrol(app, role: str) -> str:  # type: ignore[no-untyped-def]
    """Enrol through the account pages; the secret the page shows."""
    with TestClient(app) as client:
        csrf = sign_in_as(client, role)
        page = client.get("/admin/account/totp").text
        secret = re.search(r"\b([A-Z2-7]{32})\b", page).group(1)  # shown once, to enrol
        done = client.post(
            "/admin/account/totp", data={"csrf_token": csrf, "code": pyotp.TOTP(secret).now()}
        )
        assert "Second factor set up" in done.text
    return secret


def test_an_enrolled_secret_is_stored_encrypted_and_still_signs_in(store_engine) -> None:
    app = create_app(Settings(database_url=store_engine.url.render_as_string(False)))
    secret = _enrol(app, "agent")
    stored = [s for s in _stored_secrets(app) if s]
    assert len(stored) == 1
    assert secret not in stored[0] and secret.lower() not in stored[0].lower()
    with TestClient(app) as client:
        _sign_in_with_code(client, "agent@example.com", secret)


def test_the_stored_secret_is_useless_without_the_secret_key(store_engine) -> None:
    url = store_engine.url.render_as_string(False)
    secret = _enrol(create_app(Settings(database_url=url)), "agent")
    other = create_app(Settings(database_url=url, secret_key="another long secret key 0123456789"))
    with TestClient(other) as client:
        first = client.post(
            "/admin/sign-in",
            data={
                "email": "agent@example.com",
                "password": PASSWORD,
                "csrf_token": _csrf(client, "/admin/sign-in"),
            },
            follow_redirects=False,
        )
        assert first.headers["location"].startswith("/admin/sign-in/totp")
        second = client.post(
            "/admin/sign-in/totp",
            data={
                "csrf_token": _csrf(client, "/admin/sign-in/totp"),
                "code": _next_code(secret),
            },
            follow_redirects=False,
        )
    assert second.status_code == 400


def test_the_migration_encrypts_secrets_kept_in_clear(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine, "0022_rate_counters")  # a store from before encryption
    clear = pyotp.random_base32()
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO people (email, name, role, password_hash, active, totp_secret,"
                " password_changed_at, totp_enabled, totp_last_step, failed_sign_ins, failed_totp,"
                " created_at)"
                " VALUES ('owner@example.com', 'Owner', 'owner', :hash, :yes, :secret,"
                " CURRENT_TIMESTAMP, :yes,"
                " 0, 0, 0, CURRENT_TIMESTAMP)"
            ),
            {"hash": hash_password(PASSWORD), "secret": clear, "yes": True},
        )
    upgrade(engine)
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT totp_secret FROM people")).scalar_one()
    engine.dispose()
    assert stored and clear not in stored
    app = create_app(Settings(database_url=store_url))
    ensure_person(app, "owner")
    with TestClient(app) as client:
        _sign_in_with_code(client, "owner@example.com", clear)


def test_after_a_new_secret_key_the_cli_resets_a_second_factor_and_the_person_enrols_again(
    store_engine, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from steward.cli.admin import app as admin_cli
    from steward.config import get_settings

    url = store_engine.url.render_as_string(False)
    _enrol(create_app(Settings(database_url=url)), "agent")
    new_key = "another long secret key 0123456789"
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_SECRET_KEY", new_key)
    get_settings.cache_clear()
    done = CliRunner().invoke(admin_cli, ["reset-totp", "agent@example.com"])
    assert done.exit_code == 0, done.output
    assert "second factor of agent@example.com removed" in done.output
    assert _stored_secrets(create_app(Settings(database_url=url))) == [None]
    # under the new key the person signs in with the password and sets up a new second factor
    secret = _enrol(create_app(Settings(database_url=url, secret_key=new_key)), "agent")
    with TestClient(create_app(Settings(database_url=url, secret_key=new_key))) as client:
        _sign_in_with_code(client, "agent@example.com", secret)
    missing = CliRunner().invoke(admin_cli, ["reset-totp", "nobody@example.com"])
    assert missing.exit_code == 1 and "no account" in missing.output
