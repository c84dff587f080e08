"""People: creation, sign-in with lockout, role changes, admin settings.

    person = create_person(session, "dpo@example.com", role="dpo", password="...")
    result = sign_in(session, "dpo@example.com", "...")   # SignInResult(person or None)

Every function works in the caller's transaction and never commits. Errors a person can fix
raise ``AccountError`` with a message that says what would be right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from steward.accounts.tables import ROLES, AdminSetting, Person
from steward.lib.identifiers import IdentifierError, clean_email
from steward.lib.identifiers import normalise_email as lenient_email
from steward.store.tables import utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15
TOTP_REQUIRED = "totp_required"


class AccountError(ValueError):
    """A request about an account that cannot be done as asked; the message says why."""


def normalise_email(email: str) -> str:
    """The account's address as ``lib/identifiers`` normalises it; raises ``AccountError``."""
    try:
        return clean_email(email)
    except IdentifierError:
        raise AccountError(
            f"{email.strip()[:100]!r} is not an e-mail address; write it as name@example.com"
        ) from None


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role[:30]!r}; use one of: {', '.join(ROLES)}")
    return role


def find_person(session: Session, email: str) -> Person | None:
    address = lenient_email(email)
    return session.scalars(select(Person).where(Person.email == address)).first()


def create_person(
    session: Session, email: str, *, role: str, password: str, name: str = ""
) -> Person:
    email = normalise_email(email)
    check_role(role)
    if find_person(session, email) is not None:
        raise AccountError(f"{email} already has an account")
    problem = password_problem(password, email=email)
    if problem:
        raise AccountError(problem)
    person = Person(
        email=email,
        name=name.strip()[:200],
        role=role,
        password_hash=hash_password(password),
        password_changed_at=utcnow(),
        totp_enabled=False,
        totp_last_step=0,
        active=True,
        failed_sign_ins=0,
    )
    session.add(person)
    session.flush()
    return person


def set_password(person: Person, password: str) -> None:
    problem = password_problem(password, email=person.email)
    if problem:
        raise AccountError(problem)
    person.password_hash = hash_password(password)
    person.password_changed_at = utcnow()
    person.failed_sign_ins = 0
    person.locked_until = None


def count_owners(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Person).where(Person.role == "owner", Person.active)
        )
        or 0
    )


def change_role(session: Session, person: Person, role: str) -> None:
    """Give ``person`` a new role; the last active owner keeps theirs, so someone always can
    manage people."""
    check_role(role)
    if person.role == "owner" and role != "owner" and count_owners(session) <= 1:
        raise AccountError("this is the last owner; make someone else owner first")
    person.role = role


def deactivate(session: Session, person: Person) -> None:
    if person.role == "owner" and count_owners(session) <= 1:
        raise AccountError("this is the last owner; make someone else owner first")
    person.active = False


@dataclass(frozen=True, slots=True)
class SignInResult:
    person: Person | None  # the person signed in, or None
    reason: str  # "ok", "wrong", "locked", "inactive"
    account: Person | None = None  # the account tried, when it exists (for the audit log)


def sign_in(
    session: Session, email: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Check a password. Failures count per account; ``MAX_FAILURES`` in a row lock the account
    for ``LOCK_MINUTES``. Every path verifies one hash, so timing does not tell which accounts
    exist; callers show one message for every failure."""
    now = now or utcnow()
    person = find_person(session, email[:320])
    if person is None:
        verify_password(None, password)
        return SignInResult(None, "wrong")
    if person.locked_until is not None and person.locked_until > now:
        verify_password(None, password)
        return SignInResult(None, "locked", person)
    if not verify_password(person.password_hash, password):
        person.failed_sign_ins += 1
        if person.failed_sign_ins >= MAX_FAILURES:
            person.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            person.failed_sign_ins = 0
        return SignInResult(None, "wrong", person)
    if not person.active:
        return SignInResult(None, "inactive", person)
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    person.failed_sign_ins = 0
    person.locked_until = None
    return SignInResult(person, "ok", person)


def get_setting(session: Session, key: str, default: str = "") -> str:
    row = session.get(AdminSetting, key)
    return row.value if row else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(AdminSetting, key)
    if row is None:
        session.add(AdminSetting(key=key, value=value, changed_at=utcnow()))
    else:
        row.value, row.changed_at = value, utcnow()
    session.flush()


def register_totp_failure(person: Person, now: datetime | None = None) -> None:
    """A wrong second-factor code counts towards the same lockout as a wrong password."""
    now = now or utcnow()
    person.failed_sign_ins += 1
    if person.failed_sign_ins >= MAX_FAILURES:
        person.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        person.failed_sign_ins = 0


def is_locked(person: Person, now: datetime | None = None) -> bool:
    return person.locked_until is not None and person.locked_until > (now or utcnow())


def totp_required(session: Session) -> bool:
    return get_setting(session, TOTP_REQUIRED) == "1"
