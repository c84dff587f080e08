"""Counting the affected subjects and writing to them: the work of the breach jobs.

    count(session_factory, incident_id)                 # reads the datastores; stores counts
    send_letters(session_factory, incident_id, settings, dry_run=False)

Both run in a job (``breaches/jobs.py``), never in an HTTP request: they read the operator's
databases. Each letter is recorded per subject and channel (the recipient only as a digest), so
sending again skips whoever was already written to. The channels are the register's promise
(``policy.breaches.notify_subjects``; e-mail when it says nothing): e-mail goes through the
outbox, a phone through the SMS gateway or, with none configured, onto a call list for agents.

Each letter is in the subject's own language where the register says where it is kept (a
table's ``language_column``) and Steward writes in it (``i18n.LANGUAGES``: en, ru; the words
from the gettext catalogue, ``drafts.subject_letter``);
otherwise in the operator's first language (``operator.languages[0]``). See ``letter_language``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.breaches import drafts, service
from steward.breaches.tables import Incident, LetterDispatch
from steward.config import Settings
from steward.datastores.affected import AffectedSubjects, Contact, affected_subjects
from steward.lib import i18n
from steward.lib.i18n import N_, Phrase
from steward.notify.outbox import queue
from steward.notify.sms import SmsFailed, send_sms
from steward.register import Register
from steward.store.registers import stored_register

OUTCOMES = {
    "email": N_("e-mail %(num)s"),
    "sms": N_("SMS %(num)s"),
    "call": N_("to call %(num)s"),
    "failed": N_("failed %(num)s"),
    "skipped": N_("skipped %(num)s"),
}
"""Each count of a round of letters as the incident's timeline says it."""


@dataclass
class LetterPlan:
    email: list[Contact] = field(default_factory=list)
    sms: list[Contact] = field(default_factory=list)
    call: list[Contact] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"email": len(self.email), "sms": len(self.sms), "call": len(self.call)}


def channels(register: Register | None) -> list[str]:
    promised = register.policy.breaches if register else None
    return [str(c) for c in promised.notify_subjects] if promised else ["email"]


def plan(register: Register | None, contacts: list[Contact], sms_gateway: bool) -> LetterPlan:
    """Who gets which letter: each subject by every promised channel they can be reached on."""
    wanted = set(channels(register))
    by_phone = bool(wanted & {"phone", "sms", "any"})
    by_email = bool(wanted & {"email", "any"})
    result = LetterPlan()
    for contact in contacts:
        if by_email and contact.email:
            result.email.append(contact)
        if by_phone and contact.phone:
            (result.sms if sms_gateway else result.call).append(contact)
    return result


def letter_language(register: Register, contact: Contact) -> str:
    """The subject's own language when known and written in; else the operator's first."""
    if contact.lang and contact.lang in i18n.LANGUAGES:
        return contact.lang
    return register.operator.languages[0]


def letter_languages(register: Register | None) -> list[str]:
    """The languages letters may go out in: the operator's first, and, when a table names a
    ``language_column``, every other language Steward writes letters in."""
    if register is None:
        return ["en"]
    first = register.operator.languages[0]
    first = drafts.letter_lang(first)
    known = any(t.language_column for d in register.datastores for t in d.tables)
    return [first] + ([lang for lang in i18n.LANGUAGES if lang != first] if known else [])


def digest(secret: bytes, value: str) -> str:
    return hashlib.sha256(secret + b"breach-letter:" + value.encode()).hexdigest()


def scope(incident: Incident) -> tuple[list[str], list[str]]:
    return service.listed(incident.datastores), service.listed(incident.categories)


def _load(session: Session, incident_id: int) -> tuple[Incident, Register | None]:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise LookupError(f"no incident {incident_id}")
    return incident, stored_register(session, incident.register_id)


def count(factory: sessionmaker[Session], incident_id: int, *, sms_gateway: bool) -> None:
    """Count the incident's affected subjects from its datastores and store the result."""
    with factory() as session, session.begin():
        incident, register = _load(session, incident_id)
        incident.count_state = "counting"
        stores, categories = (
            service.listed(incident.datastores),
            service.listed(incident.categories),
        )
    found = affected_subjects(register, stores, categories) if register else AffectedSubjects()
    if register is None:
        found.problems["register"] = "no register is loaded"
    letters = plan(register, found.contacts, sms_gateway)
    with factory() as session, session.begin():
        incident, _ = _load(session, incident_id)
        incident.subjects_count = len(found.contacts)
        incident.counts = json.dumps(found.records, sort_keys=True)
        incident.channels = json.dumps(letters.counts(), sort_keys=True)
        incident.count_problems = json.dumps(found.problems, sort_keys=True)
        incident.count_state = "complete" if found.complete else "incomplete"
        incident.counted_at = datetime.now(UTC)
        counted = Phrase.ngettext(
            "%(num)s subject, records %(records)s",
            "%(num)s subjects, records %(records)s",
            len(found.contacts),
            records=str(found.records),
        )
        if found.problems:
            missing = Phrase(
                N_("; not counted: %(datastores)s"), datastores=", ".join(sorted(found.problems))
            )
            counted = Phrase.join(counted, missing)
        service.log_event(session, incident, "steward", "counted", counted)


def send_letters(
    factory: sessionmaker[Session], incident_id: int, settings: Settings
) -> dict[str, int]:
    """Write to every affected subject not written to yet; returns letters per outcome."""
    with factory() as session:
        incident, register = _load(session, incident_id)
        stores, categories = (
            service.listed(incident.datastores),
            service.listed(incident.categories),
        )
    if register is None:
        raise LookupError("no register is loaded: nobody can be found to write to")
    found = affected_subjects(register, stores, categories)
    gateway = settings.sms_gateway_url
    token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None
    secret = settings.secret_key.get_secret_value().encode()
    outcome = {"email": 0, "sms": 0, "call": 0, "failed": 0, "skipped": 0}
    letters = plan(register, found.contacts, bool(gateway))
    with factory() as session, session.begin():
        incident, _ = _load(session, incident_id)
        done = {
            (d.channel, d.recipient_digest)
            for d in session.scalars(
                select(LetterDispatch).where(LetterDispatch.incident_id == incident.id)
            )
        }
        written: dict[str, tuple[drafts.Draft, str, str]] = {}

        def words(contact: Contact) -> tuple[drafts.Draft, str, str]:
            """The letter, its text and the SMS, in the contact's language (made once each)."""
            lang = letter_language(register, contact)
            if lang not in written:
                letter = drafts.subject_letter(register, incident, lang)
                body = "\n\n".join(f"{k}\n{v}" if k else v for k, v in letter.fields)
                written[lang] = (letter, body, drafts.sms_text(register, incident, letter.lang))
            return written[lang]

        for contact in letters.email:
            assert contact.email is not None
            key = digest(secret, contact.email)
            if ("email", key) in done:
                outcome["skipped"] += 1
                continue
            letter, body, _ = words(contact)
            message = queue(
                session,
                to=contact.email,
                subject=letter.title,
                text=body,
                kind="breach.letter",
                lang=letter.lang,
                related=f"breach:{incident.reference}",
            )
            session.add(
                LetterDispatch(
                    incident_id=incident.id,
                    channel="email",
                    recipient_digest=key,
                    status="queued",
                    outbox_id=message.id,
                    lang=letter.lang,
                )
            )
            outcome["email"] += 1
        for contact in letters.sms + letters.call:
            assert contact.phone is not None
            channel = "sms" if gateway else "call"
            key = digest(secret, contact.phone)
            if (channel, key) in done:
                outcome["skipped"] += 1
                continue
            letter, _, text = words(contact)
            status, error = "to-call", None
            if gateway:
                try:
                    send_sms(gateway, token, to=contact.phone, text=text)
                    status = "sent"
                except SmsFailed as exc:
                    status, error = "failed", str(exc)
                    outcome["failed"] += 1
            if status != "failed":
                outcome[channel] += 1
            session.add(
                LetterDispatch(
                    incident_id=incident.id,
                    channel=channel,
                    recipient_digest=key,
                    status=status,
                    error=error,
                    # kept only while an agent still has to call (cleared once called)
                    phone=contact.phone if status == "to-call" else None,
                    lang=letter.lang,
                )
            )
        if incident.subjects_notified_at is None and (outcome["email"] or outcome["sms"]):
            incident.subjects_notified_at = datetime.now(UTC)
        sent = [Phrase(OUTCOMES[k], num=v) for k, v in outcome.items() if v]
        round_said = Phrase.join(*sent, sep=", ") if sent else Phrase(N_("nobody left to write to"))
        service.log_event(session, incident, "steward", "letters", round_said)
    return outcome
