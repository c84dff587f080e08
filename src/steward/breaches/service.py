"""The breach register's one service: every face (admin, API, Privacy Center, jobs) calls it.

    incident = record_incident(session, register, IncidentInput(detected_at=..., ...), actor=...)
    report_problem(session, description="...", email=None)     # the public form; triaged later
    assess_risk(session, incident, "high", reason="...", actor=...)
    mark_done(session, incident, "rkn-first-notice", actor=..., reference="...")
    clocks(register, incident, session)      # [(BreachClock, DutyDone | None)], earliest first
    close(session, incident, note="...", actor=...)

Every step writes the incident's timeline and the audit log in the caller's transaction.
Incidents that needed no notification are kept and documented all the same (GDPR Art. 33(5)).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.breaches.tables import DutyDone, Incident, IncidentEvent, LetterDispatch
from steward.law.breaches import (
    BreachClock,
    BreachTimeError,
    UnknownDuty,
    breach_clocks,
    check_times,
    duty,
)
from steward.ledger.audit import record
from steward.lib import i18n
from steward.lib.i18n import N_, Phrase, Told
from steward.register import Register
from steward.store.registers import latest_register

RISKS: dict[str, str] = {
    "unassessed": N_("not assessed yet"),
    "low": N_("low"),
    "high": N_("high"),
}
"""An incident's risk to the subjects: the stored value and its word in English (the admin says
it in the reader's language)."""
MAX_TEXT = 20_000


class BreachInputError(Told, ValueError):
    """What was given cannot describe an incident; the message says what would be right
    (English, marked ``N_``, told in the reader's language with ``i18n.told``)."""


@dataclass
class IncidentInput:
    detected_at: datetime
    nature: str
    occurred_at: datetime | None = None
    cause: str = ""
    consequences: str = ""
    measures: str = ""
    contact: str = ""
    datastores: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    risk: str = "unassessed"
    risk_reason: str = ""
    source: str = "admin"


def log_event(
    session: Session, incident: Incident, actor: str, kind: str, summary: str | Phrase
) -> None:
    """Append one step to the incident's timeline and to the audit log. ``summary``: a person's
    text as typed (a ``str``), or Steward's own line as a ``Phrase``, kept as its message id and
    values (``message``) beside its English so that the admin says it in the reader's language.
    """
    english, message = str(summary), i18n.phrase_json(summary)
    session.add(
        IncidentEvent(
            incident_id=incident.id, actor=actor, kind=kind, summary=english, message=message
        )
    )
    record(
        session,
        actor=actor,
        action=f"breach.{kind}",
        object_type="breach",
        object_id=incident.reference,
        details={"summary": english[:300]},
    )


def _text(name: str, value: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise BreachInputError(
            N_("%(name)s is %(length)s characters; keep it under %(limit)s"),
            name=name,
            length=len(value),
            limit=limit,
        )
    return value


def _validate(register: Register | None, data: IncidentInput, now: datetime) -> None:
    try:
        check_times(data.detected_at, data.occurred_at, now=now)
    except BreachTimeError as exc:
        raise BreachInputError(exc.text, **exc.params) from None
    if not data.nature.strip():
        raise BreachInputError(
            N_("nature is empty; say what happened (what data, how it was exposed)")
        )
    if data.risk not in RISKS:
        raise BreachInputError(
            N_("risk '%(risk)s' is not one of %(risks)s"), risk=data.risk, risks=", ".join(RISKS)
        )
    if register is None:
        return
    stores = {d.id for d in register.datastores}
    unknown = sorted(set(data.datastores) - stores)
    if unknown:
        raise BreachInputError(
            N_("unknown datastore(s) %(unknown)s; the register has %(known)s"),
            unknown=", ".join(unknown),
            known=", ".join(sorted(stores)) or "—",
        )
    declared = {
        c.category for d in register.datastores for t in d.tables for c in t.columns.values()
    }
    declared |= {c for p in register.purposes for c in p.categories}
    unknown = sorted(set(data.categories) - declared)
    if unknown:
        raise BreachInputError(
            N_("unknown categor(y/ies) %(unknown)s; the register declares %(known)s"),
            unknown=", ".join(unknown),
            known=", ".join(sorted(declared)),
        )


def _reference(now: datetime) -> str:
    return f"BR-{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


def record_incident(
    session: Session,
    register: Register | None,
    data: IncidentInput,
    *,
    actor: str,
    now: datetime | None = None,
) -> Incident:
    """Record an incident; raises ``BreachInputError`` (nothing stored) on impossible input."""
    now = now or datetime.now(UTC)
    _validate(register, data, now)
    loaded = latest_register(session, register.operator.id if register else None)
    incident = Incident(
        reference=_reference(now),
        status="open",
        source=data.source,
        detected_at=data.detected_at.astimezone(UTC),
        occurred_at=data.occurred_at.astimezone(UTC) if data.occurred_at else None,
        nature=_text("nature", data.nature),
        cause=_text("cause", data.cause),
        consequences=_text("consequences", data.consequences),
        measures=_text("measures", data.measures),
        contact=_text("contact", data.contact, 500),
        datastores=json.dumps(sorted(set(data.datastores))),
        categories=json.dumps(sorted(set(data.categories))),
        risk=data.risk,
        risk_reason=_text("risk_reason", data.risk_reason),
        created_by=actor,
        created_at=now,
        register_id=loaded.id if loaded else None,
    )
    session.add(incident)
    session.flush()
    recorded = Phrase(N_("recorded from %(source)s"), source=data.source)
    log_event(session, incident, actor, "recorded", recorded)
    return incident


def report_problem(
    session: Session, *, description: str, email: str | None, now: datetime | None = None
) -> Incident:
    """A security problem reported by anyone through the Privacy Center, to be triaged.

    Steward became aware of it now: its clocks run from this moment once it is confirmed.
    """
    now = now or datetime.now(UTC)
    text = _text("description", description, 5000)
    if not text:
        raise BreachInputError(N_("describe the problem you noticed"))
    incident = Incident(
        reference=_reference(now),
        status="reported",
        source="public",
        detected_at=now,
        nature=text,
        reporter_email=(email or "").strip()[:320] or None,
        created_by="privacy-center",
        created_at=now,
    )
    session.add(incident)
    session.flush()
    reported = Phrase(N_("reported through the Privacy Center"))
    log_event(session, incident, "privacy-center", "reported", reported)
    return incident


def incidents(session: Session) -> list[Incident]:
    """Every incident, newest detection first."""
    return list(session.scalars(select(Incident).order_by(Incident.detected_at.desc())))


def find(session: Session, reference: str) -> Incident | None:
    return session.scalars(select(Incident).where(Incident.reference == reference)).first()


def confirm(session: Session, incident: Incident, *, actor: str) -> None:
    """A reported problem is a breach: it joins the register with its clocks from detection."""
    if incident.status != "reported":
        raise BreachInputError(
            N_("%(reference)s is %(status)s, not a new report"),
            reference=incident.reference,
            status=incident.status,
        )
    incident.status = "open"
    confirmed = Phrase(N_("the report is a personal-data breach"))
    log_event(session, incident, actor, "confirmed", confirmed)


def assess_risk(
    session: Session, incident: Incident, risk: str, *, reason: str, actor: str
) -> None:
    if risk not in ("low", "high"):
        raise BreachInputError(N_("risk must be low or high, not '%(risk)s'"), risk=risk)
    if not reason.strip():
        raise BreachInputError(N_("give the reason of the risk assessment (it is evidence)"))
    incident.risk, incident.risk_reason = risk, _text("reason", reason)
    assessed = Phrase(
        N_("risk %(risk)s: %(reason)s"), risk=Phrase(RISKS[risk]), reason=reason.strip()[:200]
    )
    log_event(session, incident, actor, "risk-assessed", assessed)


def mark_done(
    session: Session,
    incident: Incident,
    duty_id: str,
    *,
    actor: str,
    reference: str = "",
    at: datetime | None = None,
) -> DutyDone:
    """Record that a notification duty was carried out (sent to the authority, filed...)."""
    try:
        chosen = duty(duty_id)
    except UnknownDuty as exc:
        raise BreachInputError(exc.text, **exc.params) from None
    existing = session.scalars(
        select(DutyDone).where(DutyDone.incident_id == incident.id, DutyDone.duty_id == duty_id)
    ).first()
    if existing is not None:
        raise BreachInputError(
            N_("%(recipient)s: already recorded on %(day)s"),
            recipient=chosen.recipient,
            day=f"{existing.done_at:%Y-%m-%d}",
        )
    done = DutyDone(
        incident_id=incident.id,
        duty_id=duty_id,
        done_at=(at or datetime.now(UTC)).astimezone(UTC),
        actor=actor,
        reference=_text("reference", reference, 200),
    )
    session.add(done)
    session.flush()
    log_event(session, incident, actor, "duty-done", f"{chosen.citation}: {chosen.recipient}")
    return done


def close(session: Session, incident: Incident, *, note: str, actor: str) -> None:
    if incident.status == "closed":
        raise BreachInputError(N_("%(reference)s is already closed"), reference=incident.reference)
    if not note.strip():
        raise BreachInputError(N_("say why the incident is closed (documented under Art. 33(5))"))
    incident.status, incident.closed_at = "closed", datetime.now(UTC)
    incident.closing_note = _text("note", note)
    log_event(session, incident, actor, "closed", note.strip()[:300])


def jurisdictions(register: Register | None) -> list[str]:
    return [str(j) for j in register.operator.jurisdictions] if register else []


def clocks(
    register: Register | None, incident: Incident, session: Session
) -> list[tuple[BreachClock, DutyDone | None]]:
    """The incident's duties with their due times and, where recorded, when they were done."""
    done = {
        d.duty_id: d
        for d in session.scalars(select(DutyDone).where(DutyDone.incident_id == incident.id))
    }
    high = {"high": True, "low": False}.get(incident.risk)
    found = breach_clocks(
        jurisdictions(register),
        detected_at=incident.detected_at,
        high_risk=high,
        residents_affected=incident.subjects_count,
        subjects_notified_at=incident.subjects_notified_at,
    )
    return [(clock, done.get(clock.duty.id)) for clock in found]


def timeline(session: Session, incident: Incident) -> list[IncidentEvent]:
    query = select(IncidentEvent).where(IncidentEvent.incident_id == incident.id)
    return list(session.scalars(query.order_by(IncidentEvent.at, IncidentEvent.id)))


def letters(session: Session, incident: Incident) -> list[LetterDispatch]:
    query = select(LetterDispatch).where(LetterDispatch.incident_id == incident.id)
    return list(session.scalars(query.order_by(LetterDispatch.id)))


def mark_called(session: Session, letter: LetterDispatch, *, actor: str) -> None:
    """An agent phoned the subject from the call list; the number is no longer kept."""
    if letter.status != "to-call":
        raise BreachInputError(N_("this letter is not on the call list"))
    letter.status, letter.phone, letter.at = "called", None, datetime.now(UTC)
    incident = letter_incident(session, letter)
    if incident.subjects_notified_at is None:
        incident.subjects_notified_at = letter.at
    called = Phrase(N_("called subject %(subject)s"), subject=letter.recipient_digest[:8])
    log_event(session, incident, actor, "called", called)


def letter_incident(session: Session, letter: LetterDispatch) -> Incident:
    incident = session.get(Incident, letter.incident_id)
    assert incident is not None
    return incident


def listed(value: str) -> list[str]:
    loaded = json.loads(value or "[]")
    return [str(v) for v in loaded]
