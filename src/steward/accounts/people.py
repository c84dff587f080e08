"""People: creation, sign-in with lockout, role changes, admin settings.

    person = create_person(session, "dpo@example.com", role="dpo", password="...")
    result = sign_in(session, "dpo@example.com", "...")   # SignInResult(person or None)

Every function works in the caller's transaction and never commits. Errors a person can fix
raise ``AccountError`` with a message that says what would be right (English, marked ``N_``,
told in the reader's language with ``i18n.told``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from steward.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from steward.accounts.tables import ROLES, AdminSetting, Person
from steward.lib import i18n
from steward.lib.i18n import N_, Told
from steward.lib.identifiers import IdentifierError, clean_email
from steward.lib.identifiers import normalise_email as lenient_email
from steward.store.tables import utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15
TOTP_REQUIRED = "totp_required"


class AccountError(Told, ValueError):
    """A request about an account that cannot be done as asked; the message says why."""

    @classmethod
    def of(cls, told: Told) -> AccountError:
        return cls(told.text, **told.params)


def normalise_email(email: str) -> str:
    """The account's address as ``lib/identifiers`` normalises it; raises ``AccountError``."""
    try:
        return clean_email(email)
    except IdentifierError:
        raise AccountError(
            N_("%(email)r is not an e-mail address; write it as name@example.com"),
            email=email.strip()[:100],
        ) from None


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(
            N_("unknown role %(role)r; use one of: %(roles)s"),
            role=role[:30],
            roles=", ".join(ROLES),
        )
    return role


def find_person(session: Session, email: str) -> Person | None:
    address = lenient_email(email)
    return session.scalars(select(Person).where(Person.email == address)).first()


def staff_language(session: Session, person: Person | None) -> str:
    """The language Steward writes to a member of staff in, outside a page (the password reset
    and the deadline reminder e-mails): their admin language (Account -> Language) where they
    chose one, else the operator's first language Steward writes (the register in force),
    else English. A job has no browser to ask, and the reset form is filled by whoever types
    the address, so no browser chooses for the account's owner."""
    from steward.register import RegisterError
    from steward.store.registers import register_in_force

    chosen = person.language if person is not None else None
    if chosen in i18n.LANGUAGES:
        return str(chosen)
    try:
        found = register_in_force(session)
    except RegisterError:  # a stored register this Steward no longer reads: English
        found = None
    declared = found[0].operator.languages if found else []
    return next((lang for lang in declared if lang in i18n.LANGUAGES), i18n.LANGUAGES[0])


def create_person(
    session: Session, email: str, *, role: str, password: str, name: str = ""
) -> Person:
    email = normalise_email(email)
    check_role(role)
    if find_person(session, email) is not None:
        raise AccountError(N_("%(email)s already has an account"), email=email)
    problem = password_problem(password, email=email)
    if problem:
        raise AccountError.of(problem)
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
        raise AccountError.of(problem)
    person.password_hash = hash_password(password)
    person.password_changed_at = utcnow()
    person.failed_sign_ins = 0
    person.locked_until = None
    person.failed_totp = 0
    person.totp_locked_until = None


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
        raise AccountError(N_("this is the last owner; make someone else owner first"))
    person.role = role


def deactivate(session: Session, person: Person) -> None:
    if person.role == "owner" and count_owners(session) <= 1:
        raise AccountError(N_("this is the last owner; make someone else owner first"))
    person.active = False


@dataclass(frozen=True, slots=True)
class SignInResult:
    person: Person | None  # the person signed in, or None
    reason: str  # "ok", "wrong", "locked", "inactive"
    account: Person | None = None  # the account tried, when it exists (for the audit log)


def _bump(
    session: Session, column: Any, where: Any, *, separate: bool = True
) -> tuple[int, int] | None:
    """Add one to ``column`` of the person matched by ``where``, committed at once.

    One UPDATE ... RETURNING in a transaction of its own (on the caller's engine): parallel
    attempts each see the count the one before left, none is lost, and the count stands even
    if the caller's transaction fails. Call it before the caller's transaction writes (SQLite
    has one writer). Returns (person id, new count), or None when no person matches.
    """
    statement = (
        update(Person).where(where).values({column.key: column + 1}).returning(Person.id, column)
    )
    options = {"synchronize_session": False}
    if separate:
        with Session(bind=session.get_bind()) as own, own.begin():
            row = own.execute(statement, execution_options=options).first()
    else:  # in the caller's transaction (it may already hold SQLite's write lock)
        row = session.execute(statement, execution_options=options).first()
    return (int(row[0]), int(row[1])) if row else None


def sign_in(
    session: Session,
    email: str,
    password: str,
    now: datetime | None = None,
    *,
    known_device: bool = False,
) -> SignInResult:
    """Check a password. Every attempt counts before the password is checked (atomically), so
    parallel guesses get ``MAX_FAILURES`` tries in all; then the account is locked for
    ``LOCK_MINUTES``. ``known_device``: a browser that signed in to this account before (the
    caller checked its signed cookie and limits it on its own) is not held by that lock, so a
    stranger's guesses cannot lock the owner out. Every path verifies one hash, so timing does
    not tell which accounts exist; callers show one message for every failure."""
    now = now or utcnow()
    address = email[:320].strip().lower()
    bumped = None
    if not known_device:
        bumped = _bump(session, Person.failed_sign_ins, Person.email == address)
    person = find_person(session, email[:320])
    if person is None:
        verify_password(None, password)
        return SignInResult(None, "wrong")
    session.refresh(person)
    if not known_device:
        if person.locked_until is not None and person.locked_until <= now:
            person.locked_until, person.failed_sign_ins = None, 1  # the lock ran out
        elif person.locked_until is not None or (bumped and bumped[1] > MAX_FAILURES):
            if person.locked_until is None:
                person.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            verify_password(None, password)
            return SignInResult(None, "locked", person)
    if not verify_password(person.password_hash, password):
        if not known_device and person.failed_sign_ins >= MAX_FAILURES:
            person.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        return SignInResult(None, "wrong", person)
    if not person.active:
        return SignInResult(None, "inactive", person)
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    if not known_device:
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


def register_totp_failure(session: Session, person: Person, now: datetime | None = None) -> None:
    """A wrong second-factor code: its own count (a right password does not reset it), atomic;
    ``MAX_FAILURES`` lock the second factor for ``LOCK_MINUTES``."""
    now = now or utcnow()
    bumped = _bump(session, Person.failed_totp, Person.id == person.id, separate=False)
    session.refresh(person)
    if bumped and bumped[1] >= MAX_FAILURES:
        person.totp_locked_until = now + timedelta(minutes=LOCK_MINUTES)
        person.failed_totp = 0


def totp_locked(person: Person, now: datetime | None = None) -> bool:
    until = person.totp_locked_until
    return until is not None and until > (now or utcnow())


def is_locked(person: Person, now: datetime | None = None) -> bool:
    return person.locked_until is not None and person.locked_until > (now or utcnow())


def totp_required(session: Session) -> bool:
    return get_setting(session, TOTP_REQUIRED) == "1"
