"""Password reset by e-mail: a signed link, valid an hour, bound to the password it replaces.

    enqueue("accounts.password_reset", email=typed, ip=ip)  # the page: the same for everyone
    send_link(session, typed, secret_key=..., base_url=..., ip=ip)  # the job: looks the account up
    person_for(session, token, secret_key=...)            # the person a link resets, or None

The page does the same work whatever was typed (it hands the address to this job and answers),
so neither its answer nor its timing tells whether an account exists; only the job, after the
answer, looks the address up and writes the e-mail and the audit entry for a real account.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from steward.accounts.people import find_person, staff_language
from steward.accounts.tables import Person
from steward.jobs.registry import job, store_sessions
from steward.ledger.audit import record
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.lib.signing import Signer, TokenInvalid
from steward.notify.outbox import queue
from steward.store.db import transaction

MAX_AGE = 3600
PURPOSE = "steward.password-reset"
RESET_EMAIL = (
    N_("Set a new Steward password"),
    N_(
        "Someone asked to reset the password of your Steward account.\n\n"
        "Set a new one within an hour: %(link)s\n\n"
        "If it was not you, ignore this message; your password stays as it is."
    ),
)
"""The reset e-mail's subject and body, English here, each other language from the catalogue;
in the account's own language (``people.staff_language``)."""


def _signer(secret_key: str) -> Signer:
    return Signer(secret_key, PURPOSE)


def _binding(person: Person) -> str:
    return hashlib.sha256(person.password_hash.encode()).hexdigest()[:16]


def send_link(
    session: Session, email: str, *, secret_key: str, base_url: str, ip: str | None
) -> bool:
    """Queue the reset e-mail when ``email`` names an active account; True when it did."""
    person = find_person(session, email)
    if person is None or not person.active:
        return False
    token = _signer(secret_key).dumps({"p": person.id, "b": _binding(person)})
    link = f"{base_url.rstrip('/')}/admin/password-reset/{token}"
    lang = staff_language(session, person)
    queue(
        session,
        to=person.email,
        subject=i18n.say(RESET_EMAIL[0], lang),
        text=i18n.say(RESET_EMAIL[1], lang, {"link": link}),
        lang=lang,
        kind="admin.password_reset",
        related=f"person:{person.id}",
    )
    record(
        session,
        actor=person.email,
        action="auth.password_reset_request",
        object_type="person",
        object_id=person.id,
        ip=ip,
    )
    return True


def person_for(session: Session, token: str, *, secret_key: str) -> Person | None:
    """The active person a reset link was made for, while the link is valid and unused."""
    try:
        data = _signer(secret_key).loads(token[:500], max_age=MAX_AGE)
    except TokenInvalid:
        return None
    person = session.get(Person, data.get("p")) if isinstance(data, dict) else None
    if person is None or not person.active or data.get("b") != _binding(person):
        return None
    return person


@job("accounts.password_reset")
def password_reset(email: str, ip: str | None = None) -> str:
    from steward.config import get_settings

    settings = get_settings()
    with transaction(store_sessions()) as session:
        sent = send_link(
            session,
            email,
            secret_key=settings.secret_key.get_secret_value(),
            base_url=settings.base_url,
            ip=ip,
        )
    return "sent" if sent else "no such account"
