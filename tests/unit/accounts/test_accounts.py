"""Accounts on a real SQLite store: passwords, TOTP replay, sessions, tokens, invitations."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from steward.accounts import invitations, sessions, tokens
from steward.accounts.passwords import password_problem
from steward.accounts.people import AccountError, change_role, create_person, sign_in
from steward.accounts.tables import ApiToken, SignInSession
from steward.accounts.totp import check_code, qr_svg
from steward.lib import i18n
from steward.store.db import make_engine, session_factory, transaction, upgrade
from steward.store.tables import utcnow

PASSWORD = "plenty of words here 5"


@pytest.fixture
def store(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short", "at least 12"),
        ("password1234", "common"),
        ("aaaaaaaaaaaaaaaa", "different characters"),
        ("xx-johnsmith-xx", "e-mail"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, fragment: str) -> None:
    problem = password_problem(password, email="johnsmith@example.com")
    assert problem is not None and fragment in str(problem)  # the English, for logs and CLI
    russian = i18n.told(problem, "ru")  # the admin's language, from the catalogue
    assert russian != str(problem) and russian == i18n.say(problem.text, "ru", problem.params)


def test_a_totp_code_works_once_and_only_near_its_time() -> None:
    secret = pyotp.random_base32()
    now = 1_800_000_000.0
    code = pyotp.TOTP(secret).at(now)
    step = check_code(secret, code, last_step=0, now=now)
    assert step == int(now // 30)
    assert check_code(secret, code, last_step=step, now=now) is None  # replay
    assert check_code(secret, code, last_step=0, now=now + 600) is None  # too old
    assert check_code(secret, "12345x", last_step=0, now=now) is None
    assert qr_svg("otpauth://totp/x?secret=" + secret).lstrip().startswith("<svg")


def test_emails_are_normalised_and_duplicates_refused(store) -> None:
    with transaction(store) as session:
        person = create_person(session, "  Ann@Example.COM ", role="dpo", password=PASSWORD)
        assert person.email == "ann@example.com"
        assert person.password_hash.startswith("$argon2id$")
        with pytest.raises(AccountError, match="already has an account"):
            create_person(session, "ann@example.com", role="agent", password=PASSWORD)
        with pytest.raises(AccountError, match="not an e-mail"):
            create_person(session, "not an address", role="agent", password=PASSWORD)


def test_the_last_owner_keeps_the_role(store) -> None:
    with transaction(store) as session:
        owner = create_person(session, "o@example.com", role="owner", password=PASSWORD)
        with pytest.raises(AccountError, match="last owner"):
            change_role(session, owner, "dpo")
        create_person(session, "o2@example.com", role="owner", password=PASSWORD)
        change_role(session, owner, "dpo")
        assert owner.role == "dpo"


def test_a_deactivated_person_cannot_sign_in(store) -> None:
    with transaction(store) as session:
        person = create_person(session, "d@example.com", role="agent", password=PASSWORD)
        person.active = False
    # a sign-in is its own transaction: it counts the attempt, committed, before anything else
    with transaction(store) as session:
        assert sign_in(session, "d@example.com", PASSWORD).person is None


def test_sessions_expire_when_idle_and_when_revoked(store) -> None:
    with transaction(store) as session:
        person = create_person(session, "s@example.com", role="agent", password=PASSWORD)
        raw, row = sessions.start_session(session, person, ip=None, user_agent="t")
        assert sessions.load_session(session, raw) is row
        assert session.scalars(select(SignInSession.token_hash)).one() != raw
        later = utcnow() + sessions.IDLE + timedelta(minutes=1)
        assert sessions.load_session(session, raw, now=later) is None
        sessions.revoke_all(session, person.id)
        session.expire_all()
        assert sessions.load_session(session, raw) is None


def test_api_tokens_are_stored_hashed_scoped_and_revocable(store) -> None:
    with transaction(store) as session:
        raw, row = tokens.create_token(session, "backend", {"consents:write"}, created_by=None)
        stored = session.scalars(select(ApiToken)).one()
        assert raw not in (stored.token_hash, stored.prefix) and raw.startswith(stored.prefix)
        found = tokens.authenticate_token(session, raw)
        assert found is row and found.last_used_at is not None
        tokens.revoke_token(row)
        assert tokens.authenticate_token(session, raw) is None
        with pytest.raises(AccountError, match="unknown scope"):
            tokens.create_token(session, "x", {"everything"}, created_by=None)


def test_an_invitation_works_once_and_not_after_it_expires(store) -> None:
    with transaction(store) as session:
        raw, _ = invitations.invite(session, "new@example.com", role="auditor", invited_by=None)
        person = invitations.accept(session, raw, name="New", password=PASSWORD)
        assert person.role == "auditor"
        with pytest.raises(AccountError, match="used, revoked or expired"):
            invitations.accept(session, raw, name="Again", password=PASSWORD)
        raw2, row2 = invitations.invite(session, "late@example.com", role="agent", invited_by=None)
        row2.expires_at = utcnow() - timedelta(seconds=1)
        assert invitations.open_invitation(session, raw2) is None
