"""What the request kinds that are not a datastore run do: objection and withdrawal of consent.

    objection_erases(register)                  # policy.requests.erase_on_objection
    done = object_to(session, consents, request, identifiers, actor)    # ledger + restrictions
    done = withdraw_all(session, consents, request, identifiers, actor)  # ledger + schedule
    done.recorded, done.told("en")              # the timeline's line, the subject's e-mail

``fulfil.py`` owns the request's life and calls these when an agent executes the request.

- **Objection** (GDPR Art. 21): with ``erase_on_objection`` the request is an erasure (the
  same approval gate, run and check; ``fulfil`` maps it). Otherwise it stops every purpose an
  objection can stop for the request's subject kind: those on legitimate interests or a
  public task (Art. 21(1)) and those tagged marketing or advertising (Art. 21(2)). Each gets a
  ``withdrawn`` event in the consent ledger (so "may I?" answers no) and a row on the
  restriction list the operator's systems query (``GET /api/v1/restrictions``).
- **Withdrawal of consent**: every consent of the subject still given in the ledger gets a
  ``withdrawn`` event; for each consent purpose of the subject's kind whose retention counts
  ``from: consent-withdrawal``, the destruction of its data is scheduled (``destructions.py``)
  that long after the withdrawal (152-FZ Art. 21 p.5: 30 days).
- **Portability** covers only data processed on consent or contract (GDPR Art. 20(1)(a)):
  ``portability_excluded`` names the tables left out and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from steward.lib import i18n
from steward.lib.i18n import N_, Phrase
from steward.register.models import Purpose, Register
from steward.register.taxonomy import LegalBasis, RetentionStart
from steward.requests import destructions, restrictions
from steward.requests.service import subject_kind_of
from steward.requests.tables import SubjectRequest
from steward.store.tables import utcnow

if TYPE_CHECKING:
    from steward.consent.service import ConsentService

OBJECTABLE_BASES = (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)
OBJECTABLE_TAGS = ("marketing", "advertising")

WORDS: dict[str, str] = {
    "objection-erasure": N_("Your objection: as our policy says, objecting erases your account."),
    "stopped": N_(
        "Your objection is recorded for: {purposes}. Our consent records now answer no for "
        "these purposes, and they are on the restriction list our systems are to check before "
        "processing your data."
    ),
    "nothing-to-stop": N_(
        "Your objection: none of our processing of your data rests on legitimate interests or "
        "a public task, or serves marketing, so there was nothing an objection stops."
    ),
    "withdrawn": N_("Your consent is withdrawn for: {purposes}."),
    "no-consent": N_("We hold no consent of yours that was still given."),
    "scheduled": N_(
        "The data processed only on that consent ({purposes}) will be destroyed on {date}."
    ),
    "portability-left-out": N_(
        "Not included, because portability covers only data processed on your consent or "
        "under a contract with you: {tables}."
    ),
}
"""The subject's e-mail lines, English here, each other language from the catalogue."""


def words(lang: str) -> dict[str, str]:
    return i18n.words(WORDS, lang)


def objection_erases(register: Register) -> bool:
    policy = register.policy.requests if register.policy else None
    return bool(policy and policy.erase_on_objection)


def objectable(register: Register, kind: str | None = None) -> list[Purpose]:
    """The purposes an objection stops (see the module docstring), of the subject kind the
    request is for (``kind``; None: ``Register.default_subject``)."""
    kind = kind or register.default_subject()
    return [
        p
        for p in register.purposes
        if kind in p.subjects
        and (p.basis in OBJECTABLE_BASES or any(t in OBJECTABLE_TAGS for t in p.tags))
    ]


@dataclass
class Done:
    """What ran, for the timeline (``recorded``) and the subject's e-mail (``told``)."""

    recorded: Phrase
    lines: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def told(self, lang: str) -> str:
        w = words(lang)
        return "\n".join(w[key].format(**values) for key, values in self.lines)


def _names(register: Register, ids: list[str], lang: str) -> str:
    by_id = {p.id: p for p in register.purposes}
    return ", ".join(
        (by_id[i].names.get(lang) or next(iter(by_id[i].names.values()))) if i in by_id else i
        for i in ids
    )


def object_to(
    session: Session,
    consents: ConsentService,
    found: SubjectRequest,
    identifiers: dict[str, str],
    actor: str,
) -> Done:
    """Stop every objectable purpose: a ledger event each and the restriction list."""
    register = consents.register
    stopped = [p.id for p in objectable(register, subject_kind_of(register, found))]
    if not stopped:
        nothing = Phrase(N_("objection: no purpose an objection stops"))
        return Done(nothing, [("nothing-to-stop", {})])
    subject = consents.subject(session, identifiers=identifiers, create=True)
    for purpose in stopped:
        consents.record(
            session,
            action="withdrawn",
            subject_id=subject,
            purpose=purpose,
            method="system",
            recorded_by="agent",
            evidence={"note": f"objection, request {found.reference}"},
            actor=actor,
        )
    restrictions.add(
        session,
        consents.keys,
        identifiers,
        purposes=stopped,
        reason="objection",
        reference=found.reference,
    )
    recorded = Phrase.ngettext(
        "objection: stopped %(purposes)s (ledger: withdrawn; restriction list: %(num)s purpose)",
        "objection: stopped %(purposes)s (ledger: withdrawn; restriction list: %(num)s purposes)",
        len(stopped),
        purposes=", ".join(stopped),
    )
    return Done(recorded, [("stopped", {"purposes": _names(register, stopped, found.lang)})])


def restrict(
    session: Session, consents: ConsentService, found: SubjectRequest, identifiers: dict[str, str]
) -> int:
    """A completed restriction request: every purpose, on the list the operator queries."""
    return restrictions.add(
        session,
        consents.keys,
        identifiers,
        purposes=[None],
        reason="restriction",
        reference=found.reference,
    )


def withdraw_all(
    session: Session,
    consents: ConsentService,
    found: SubjectRequest,
    identifiers: dict[str, str],
    actor: str,
    at: datetime | None = None,
) -> Done:
    """Withdraw every consent still given in the ledger; schedule the destruction the register
    requires for every consent purpose of the subject's kind (recorded here or not: the
    operator may hold consents it never recorded in Steward's ledger)."""
    register = consents.register
    subject = consents.subject(session, identifiers=identifiers)
    given = []
    if subject is not None:
        given = [e for e, _ in consents.current(session, subject) if e.action == "given"]
    for entry in given:
        consents.record(
            session,
            action="withdrawn",
            subject_id=subject,
            purpose=entry.purpose_id,
            channel=entry.channel,
            item=entry.item_id,
            method="system",
            recorded_by="agent",
            evidence={"note": f"withdrawal of consent, request {found.reference}"},
            actor=actor,
        )
    withdrawn = sorted({e.purpose_id for e in given})
    if given:
        recorded = Phrase.ngettext(
            "withdrawal: withdrew %(num)s consent in the ledger (%(purposes)s)",
            "withdrawal: withdrew %(num)s consents in the ledger (%(purposes)s)",
            len(given),
            purposes=", ".join(withdrawn),
        )
        done = Done(
            recorded, [("withdrawn", {"purposes": _names(register, withdrawn, found.lang)})]
        )
    else:
        none_given = Phrase(N_("withdrawal: no consent was given in the ledger"))
        done = Done(none_given, [("no-consent", {})])
    kind = subject_kind_of(register, found)
    moment = at or utcnow()
    by_due: dict[datetime, list[Purpose]] = defaultdict(list)
    for purpose in register.purposes:
        retention = purpose.retention
        on_consent = purpose.basis is LegalBasis.CONSENT and kind in purpose.subjects
        counted = retention is not None and retention.from_ is RetentionStart.CONSENT_WITHDRAWAL
        if retention is not None and counted and (purpose.id in withdrawn or on_consent):
            by_due[retention.duration.after(moment)].append(purpose)
    for due, purposes in sorted(by_due.items()):
        ids = [p.id for p in purposes]
        rule = "; ".join(
            f"{p.id}: {p.retention.duration} from consent-withdrawal"
            for p in purposes
            if p.retention
        )
        destructions.schedule(session, found.id, ids, due, rule)
        day = due.date().isoformat()
        scheduled = Phrase(
            N_("; destruction scheduled on %(day)s (%(purposes)s)"),
            day=day,
            purposes=", ".join(ids),
        )
        done.recorded = Phrase.join(done.recorded, scheduled)
        done.lines.append(
            ("scheduled", {"purposes": _names(register, ids, found.lang), "date": day})
        )
    return done


def portability_excluded(register: Register, subject: str) -> list[tuple[str, str]]:
    """Tables of subject kind ``subject`` a portability export leaves out: (``datastore.table``,
    the bases they rest on)."""
    from steward.datastores.export import not_portable

    return [
        (f"{d.id}.{t.qualified_name}", ", ".join(bases))
        for d in register.datastores
        for t in d.tables
        if subject in register.table_kinds(t) and (bases := not_portable(register, t))
    ]
