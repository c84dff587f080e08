"""Personas for web tests: a signed-in owner, dpo, agent or auditor, or an API token.

    client = TestClient(app)
    csrf = sign_in_as(client, "agent")                 # cookies set; post forms with csrf
    client.post("/admin/x", data={"csrf_token": csrf, ...})
    token = api_token(app, {"consents:write"})  # headers={"Authorization": f"Bearer {token}"}

They write real rows in the app's store (a person, a session, a token); nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from steward.accounts.people import create_person, find_person
from steward.accounts.sessions import start_session
from steward.accounts.tokens import create_token
from steward.store.db import transaction
from steward.web.auth import csrf_token_for
from steward.web.security import CSRF_COOKIE, SESSION_COOKIE

PASSWORD = "a long test passphrase 42"
CSRF_SEED = "test-csrf-seed"


def ensure_person(app: Any, role: str, email: str | None = None) -> int:
    email = email or f"{role}@example.com"
    with transaction(app.state.sessions) as session:
        person = find_person(session, email) or create_person(
            session, email, role=role, password=PASSWORD, name=role.title()
        )
        return person.id


def enrol_second_factor(app: Any, person_id: int) -> str:
    """Set up TOTP for a person (as the enrolment page does); returns the secret."""
    from steward.accounts.tables import Person
    from steward.accounts.totp import new_secret, seal, unseal

    key = app.state.settings.secret_key.get_secret_value()
    with transaction(app.state.sessions) as session:
        person = session.get(Person, person_id)
        assert person is not None
        if not person.totp_enabled:
            secret = new_secret()
            person.totp_secret, person.totp_enabled = seal(key, secret), True
            return secret
        return unseal(key, person.totp_secret) or ""


def sign_in_as(client: Any, role: str, email: str | None = None) -> str:
    """Give ``client`` a signed-in session as a person with ``role``; returns the CSRF token.

    Roles that must use a second factor (``STEWARD_TOTP_ROLES``) get one set up, and the
    session is the one they hold after giving both factors.
    """
    app = client.app
    person_id = ensure_person(app, role, email)
    if role in {r.strip() for r in app.state.settings.totp_roles.split(",")}:
        enrol_second_factor(app, person_id)
    with transaction(app.state.sessions) as session:
        from steward.accounts.tables import Person

        person = session.get(Person, person_id)
        assert person is not None
        raw, _ = start_session(session, person, ip="127.0.0.1", user_agent="tests")
    client.cookies.set(SESSION_COOKIE, raw)
    client.cookies.set(CSRF_COOKIE, CSRF_SEED)
    return csrf_token_for(app.state.settings.secret_key.get_secret_value(), CSRF_SEED)


def api_token(app: Any, scopes: Iterable[str], name: str = "test backend") -> str:
    with transaction(app.state.sessions) as session:
        raw, _ = create_token(session, name, scopes, created_by=None)
    return raw
