"""The breach register's jobs: counting, letters, and the clock reminders the scheduler fires.

enqueue("breaches.count", incident_id=7)
enqueue("breaches.letters", incident_id=7)
# "breaches.clocks" runs every few minutes: a reminder to the DPO when a clock is within
# REMIND_BEFORE of its due time, and again when it is overdue; each reminder once per duty.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.accounts.people import find_person, staff_language
from steward.breaches import letters, service
from steward.breaches.tables import Incident, IncidentEvent
from steward.config import get_settings
from steward.jobs.registry import job
from steward.jobs.schedule import periodic
from steward.lib import i18n
from steward.lib.i18n import N_, Phrase
from steward.notify.outbox import queue
from steward.store.db import make_engine, session_factory
from steward.store.registers import stored_register

REMIND_BEFORE = timedelta(hours=6)
REMINDER = {
    "soon": (
        N_("[%(ref)s] %(recipient)s: due %(due)s (in %(hours)s h)"),
        N_(
            "Breach %(ref)s: the notice to %(recipient)s (%(citation)s) is due %(due)s "
            "(in %(hours)s h).\n\n%(what)s.\n\nRecord it once sent: %(link)s\n"
        ),
    ),
    "overdue": (
        N_("[%(ref)s] %(recipient)s: OVERDUE since %(due)s"),
        N_(
            "Breach %(ref)s: the notice to %(recipient)s (%(citation)s) is OVERDUE since "
            "%(due)s.\n\n%(what)s.\n\nRecord it once sent: %(link)s\n"
        ),
    ),
}
"""The reminder e-mail's subject and body by stage, English here, each other language from
the catalogue."""


def _factory() -> sessionmaker[Session]:
    return session_factory(make_engine(get_settings().database_url))


@job("breaches.count")
def count_affected(incident_id: int) -> None:
    """Count the subjects an incident affects, from the datastores it names."""
    letters.count(_factory(), incident_id, sms_gateway=bool(get_settings().sms_gateway_url))


@job("breaches.letters")
def send_letters(incident_id: int) -> None:
    """Write to the incident's affected subjects by the channels the register promises."""
    letters.send_letters(_factory(), incident_id, get_settings())


def remind_due(session: Session, now: datetime, base_url: str) -> int:
    """Queue the reminders now owed for every open incident; returns how many were queued.

    Each goes to the register's DPO, else its privacy address, in that person's language
    (``accounts.people.staff_language``: the language chosen by the account on that address,
    else the operator's first language, else English), the duty's recipient and content too;
    its citation stays as the law writes it."""
    queued = 0
    for incident in session.scalars(select(Incident).where(Incident.status == "open")):
        register = stored_register(session, incident.register_id)
        if register is None:
            continue
        contacts = register.operator.contacts
        to = contacts.staff_address
        lang = staff_language(session, find_person(session, to))
        sent = {
            e.kind
            for e in session.scalars(
                select(IncidentEvent).where(
                    IncidentEvent.incident_id == incident.id,
                    IncidentEvent.kind.like("reminder:%"),
                )
            )
        }
        for clock, done in service.clocks(register, incident, session):
            if done is not None or not clock.applies or clock.due is None:
                continue
            stage = (
                "overdue" if now > clock.due else "soon" if now > clock.due - REMIND_BEFORE else ""
            )
            kind = f"reminder:{clock.duty.id}:{stage}"
            if not stage or kind in sent:
                continue
            hours = int((clock.due - now).total_seconds() // 3600)
            due = f"{clock.due:%Y-%m-%d %H:%M} UTC"
            said = Phrase(
                N_("%(duty)s: OVERDUE since %(due)s")
                if stage == "overdue"
                else N_("%(duty)s: due %(due)s (in %(hours)s h)"),
                duty=clock.duty.id,
                due=due,
                hours=hours,
            )
            subject, text = REMINDER[stage]
            values = {
                "ref": incident.reference,
                "recipient": clock.duty.recipient_in(lang),
                "citation": clock.duty.citation,
                "what": clock.duty.what_in(lang),
                "due": due,
                "hours": hours,
                "link": f"{base_url}/admin/breaches/{incident.reference}",
            }
            queue(
                session,
                to=to,
                subject=i18n.say(subject, lang, values),
                text=i18n.say(text, lang, values),
                kind="breach.reminder",
                lang=lang,
                related=f"breach:{incident.reference}",
            )
            service.log_event(session, incident, "steward", kind, said)
            queued += 1
    return queued


@periodic("breaches.clocks", every=timedelta(minutes=5))
def breach_clock_reminders() -> None:
    """Remind the DPO of breach notification clocks that are close or overdue."""
    settings = get_settings()
    factory = _factory()
    with factory() as session, session.begin():
        remind_due(session, datetime.now(UTC), settings.base_url)
