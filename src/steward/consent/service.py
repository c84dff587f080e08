"""Recording, withdrawing and checking consent: the one service the API, pages and CLI share.

    consents = ConsentService(register, keys)
    done = consents.record(session, identifiers={"email": "a@example.com"}, action="given",
                           item="newsletter-email", method="web-form", lang="en")
    consents.decide(session, identifiers={"email": "a@example.com"},
                    purpose="newsletter", channel="email")    # Decision(allowed=True, ...)

Every change is an event appended to the ledger; nothing is edited. Errors are
``ConsentRuleError`` (the register forbids it) or ``LedgerError`` (the input is wrong), each with
a message that says what would be right.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.consent import ledger, rules, webhooks
from steward.consent.identity import ConsentKeys, ip_evidence
from steward.consent.ledger import EventDraft, LedgerError
from steward.consent.rules import ConsentRuleError
from steward.consent.state import Decision, Entry, StateCache, decide_from, fold
from steward.consent.tables import ConsentEvent, ConsentReconfirmation, ConsentSubject
from steward.register.models import Register
from steward.store.tables import utcnow

EVIDENCE_KEYS = (
    "form_id",
    "user_agent",
    "ip",
    "document_sha256",
    "tcf",
    "origin",
    "page",
    "agent",
    "note",
    "call_id",
    "recorded_via",
)
EXPLICIT = ("given", "refused", "withdrawn")


@dataclass(frozen=True)
class Recorded:
    event_id: int
    receipt_id: str
    subject_id: str
    action: str
    purpose_id: str
    channel: str
    expires_at: datetime | None


def register_version(register: Register) -> str:
    """A short hash of the register, standing in for a notice version when none is given."""
    return "register-" + hashlib.sha256(register.model_dump_json().encode()).hexdigest()[:12]


class ConsentService:
    def __init__(
        self,
        register: Register,
        keys: ConsentKeys,
        *,
        cache: StateCache | None = None,
        webhook_url: str | None = None,
    ) -> None:
        self.register = register
        self.keys = keys.for_register(register)  # phone numbers read in the operator's country
        self.cache = cache or StateCache()
        self.webhook_url = webhook_url
        self.default_notice_version = register_version(register)

    def notice_version(self, session: Session) -> str:
        """The notice version in force (a version waiting out its notice period is not yet),
        else the register's hash."""
        from steward.notices.publish import version_in_force

        published = version_in_force(session, self.register.operator.id)
        return str(published.number) if published else self.default_notice_version

    # -- subjects ------------------------------------------------------------------------
    def subject(
        self,
        session: Session,
        *,
        identifiers: Mapping[str, str] | None = None,
        subject_id: str | None = None,
        create: bool = False,
    ) -> str | None:
        if subject_id:
            return subject_id
        if not identifiers:
            raise LedgerError("name the subject by 'subject_id' or by 'identifiers'")
        if create:
            return ledger.resolve_subject(session, self.keys, identifiers)
        return ledger.find_subject(session, self.keys, identifiers)

    def _evidence(self, evidence: Mapping[str, Any] | None) -> dict[str, Any]:
        given = dict(evidence or {})
        unknown = sorted(set(given) - set(EVIDENCE_KEYS))
        if unknown:
            raise LedgerError(
                f"unknown evidence field(s) {', '.join(unknown)}; known: {', '.join(EVIDENCE_KEYS)}"
            )
        kept = {k: str(v)[:500] for k, v in given.items() if v not in (None, "")}
        if "ip" in kept:
            ip = ip_evidence(kept.pop("ip"), self.register.consents.ip_evidence, self.keys)
            if ip:
                kept["ip"] = ip
        return kept

    # -- recording -----------------------------------------------------------------------
    def record(
        self,
        session: Session,
        *,
        action: str,
        identifiers: Mapping[str, str] | None = None,
        subject_id: str | None = None,
        item: str | None = None,
        purpose: str | None = None,
        channel: str | None = None,
        method: str = "api",
        recorded_by: str = "subject",
        notice_version: str | None = None,
        shown_text: str | None = None,
        lang: str | None = None,
        evidence: Mapping[str, Any] | None = None,
        expires_at: datetime | None = None,
        age: int | None = None,
        jurisdiction: str | None = None,
        guardian: Mapping[str, str] | None = None,
        artefact_sha256: str | None = None,
    ) -> Recorded:
        """Append one event; applies the register's items, age rules and time limits."""
        if action not in EXPLICIT:
            raise LedgerError(f"action must be one of {', '.join(EXPLICIT)}, not '{action}'")
        target = rules.resolve_target(
            self.register, item_id=item, purpose_id=purpose, channel=channel
        )
        kept = self._evidence(evidence)
        if action == "given":
            needs = rules.age_requirement(self.register, age, jurisdiction)
            if needs == "guardian" and (recorded_by != "guardian" or not guardian):
                raise ConsentRuleError(
                    "guardian-required",
                    f"the subject is {age}; the register requires a guardian's consent: "
                    "send recorded_by='guardian' and the guardian's identifiers",
                )
            if age is not None:
                kept["age"] = str(age)
        if guardian:
            kept["guardian_subject_id"] = ledger.resolve_subject(
                session, self.keys, {f"{k}": v for k, v in guardian.items()}
            )
        if recorded_by == "guardian" and not guardian:
            raise LedgerError("recorded_by 'guardian' needs the guardian's identifiers")
        if expires_at is not None and expires_at.tzinfo is None:
            raise LedgerError("expires_at needs a time zone, e.g. 2026-12-01T00:00:00Z")
        lang = lang or self.register.operator.languages[0]
        version = notice_version or self.notice_version(session)
        sha = artefact_sha256
        if sha is None and shown_text is None and action == "given" and target.item is not None:
            sha = self._written_consent(session, target.item.id, lang, version)
        if sha is None:
            text = shown_text
            if text is None and target.item is not None:
                labels = target.item.labels
                text = labels.get(lang) or next(iter(labels.values()))
            if text is not None:
                sha = ledger.store_artefact(
                    session,
                    kind="label" if shown_text is None else "shown-text",
                    text=text,
                    lang=lang,
                    notice_version=version,
                )
        if subject_id is not None and session.get(ConsentSubject, subject_id) is None:
            raise LedgerError(
                f"no subject '{subject_id}' in the ledger; name a new subject by 'identifiers'"
            )
        who = ledger.resolve_subject(session, self.keys, identifiers) if identifiers else None
        who = subject_id or who
        if who is None:
            raise LedgerError("name the subject by 'subject_id' or by 'identifiers'")
        now = utcnow()
        expiry = rules.expiry_for(target, now, expires_at) if action == "given" else None
        [event_id] = ledger.append(
            session,
            [
                EventDraft(
                    subject_id=who,
                    purpose_id=target.purpose.id,
                    channel=target.channel,
                    item_id=target.item.id if target.item else None,
                    action=action,
                    method=method,
                    recorded_by=recorded_by,
                    notice_version=version,
                    artefact_sha256=sha,
                    lang=lang,
                    expires_at=expiry,
                    evidence=kept,
                    at=now,
                )
            ],
        )
        self._after_append(session, [event_id], [action], who)
        event = session.get(ConsentEvent, event_id)
        assert event is not None
        return Recorded(
            event_id, event.receipt_id, who, action, target.purpose.id, target.channel, expiry
        )

    def _after_append(
        self, session: Session, event_ids: list[int], actions: list[str], subject_id: str
    ) -> None:
        self.cache.forget(subject_id)
        if self.webhook_url:
            notify = [
                i for i, a in zip(event_ids, actions, strict=True) if a in webhooks.NOTIFIED_ACTIONS
            ]
            if notify:
                webhooks.enqueue(session, notify)

    def record_choices(
        self,
        session: Session,
        *,
        subject_id: str,
        choices: Mapping[str, bool],
        method: str,
        lang: str,
        notice_version: str | None,
        artefact_sha256: str | None,
        evidence: Mapping[str, Any] | None = None,
    ) -> list[int]:
        """A banner's choices: one given/refused event per purpose, appended together."""
        kept = self._evidence(evidence)
        version = notice_version or self.notice_version(session)
        drafts = []
        for purpose_id, allowed in choices.items():
            target = rules.resolve_target(
                self.register, item_id=None, purpose_id=purpose_id, channel="web"
            )
            drafts.append(
                EventDraft(
                    subject_id=subject_id,
                    purpose_id=purpose_id,
                    channel="web",
                    item_id=target.item.id if target.item else None,
                    action="given" if allowed else "refused",
                    method=method,
                    notice_version=version,
                    artefact_sha256=artefact_sha256,
                    lang=lang,
                    evidence=kept,
                    expires_at=rules.expiry_for(target, utcnow(), None) if allowed else None,
                )
            )
        ids = ledger.append(session, drafts)
        self._after_append(session, ids, [d.action for d in drafts], subject_id)
        return ids

    def apply_gpc(
        self, session: Session, subject_id: str, evidence: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Opt the subject out of the GPC purposes it has made no explicit choice about.

        A choice the person makes afterwards is a newer event and wins; an explicit choice made
        before the signal is left standing (the person told us directly).
        """
        state = fold(self._events(session, subject_id))
        purposes = [
            p
            for p in rules.gpc_purposes(self.register)
            if not any(e.purpose_id == p for e in state.values())
        ]
        if not purposes:
            return []
        self.record_choices(
            session,
            subject_id=subject_id,
            choices=dict.fromkeys(purposes, False),
            method="gpc",
            lang=self.register.operator.languages[0],
            notice_version=None,
            artefact_sha256=None,
            evidence=evidence,
        )
        return purposes

    def _written_consent(
        self, session: Session, item_id: str, lang: str, version: str
    ) -> str | None:
        """For an item given in writing (152-FZ Art. 9 p.4): keep the consent document's text
        and return its hash, the text the subject agreed to; None for any other item."""
        from steward.filings.consent_document import LANGUAGES, consent_document

        item = next(i for i in self.register.consents.items if i.id == item_id)
        if not item.written:
            return None
        document = consent_document(self.register, item_id, lang if lang in LANGUAGES else "en")
        return ledger.store_artefact(
            session,
            kind="written-consent",
            text=document.text,
            lang=document.lang,
            notice_version=version,
        )

    # -- reading -------------------------------------------------------------------------
    def _events(self, session: Session, subject_id: str) -> list[ConsentEvent]:
        return list(
            session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.subject_id == subject_id)
                .order_by(ConsentEvent.id)
            ).all()
        )

    def decide(
        self,
        session: Session,
        *,
        purpose: str,
        channel: str = "any",
        identifiers: Mapping[str, str] | None = None,
        subject_id: str | None = None,
        now: datetime | None = None,
    ) -> Decision:
        """May the operator use the subject's data for ``purpose`` over ``channel``?"""
        target = rules.resolve_target(
            self.register, item_id=None, purpose_id=purpose, channel=channel
        )
        who = (
            self.subject(session, identifiers=identifiers, subject_id=subject_id)
            if identifiers or subject_id
            else None
        )
        if str(target.purpose.basis) != "consent":
            # Another basis needs no consent, but an objection or opt-out (a refusal or a
            # withdrawal recorded for the purpose, e.g. by an unsubscribe link) is honoured.
            basis = Decision(True, f"basis:{target.purpose.basis}")
            if who is None:
                return basis
            found = self.cache.decide(session, who, purpose, target.channel, now)
            return found if found.reason in ("refused", "withdrawn") else basis
        if who is None:
            return Decision(False, "unknown-subject")
        return self.cache.decide(session, who, purpose, target.channel, now)

    def current(
        self, session: Session, subject_id: str, now: datetime | None = None
    ) -> list[tuple[Entry, Decision]]:
        """The subject's newest event per (purpose, channel), each with what it allows now."""
        state = self.cache.state(session, subject_id)
        moment = now or utcnow()
        return [
            (entry, decide_from(state, entry.purpose_id, entry.channel, self.cache.marks, moment))
            for entry in sorted(state.values(), key=lambda e: e.event_id)
        ]

    def history(self, session: Session, subject_id: str) -> list[ConsentEvent]:
        return self._events(session, subject_id)

    def expire_due(self, session: Session, now: datetime | None = None) -> int:
        """Append an ``expired`` event for every permission whose time ran out; how many."""
        moment = now or utcnow()
        due = session.scalars(
            select(ConsentEvent.subject_id)
            .where(ConsentEvent.action == "given", ConsentEvent.expires_at <= moment)
            .distinct()
        ).all()
        count = 0
        for subject_id in due:
            state = fold(self._events(session, subject_id))
            drafts = [
                EventDraft(
                    subject_id=subject_id,
                    purpose_id=e.purpose_id,
                    channel=e.channel,
                    item_id=e.item_id,
                    action="expired",
                    method="system",
                    recorded_by="system",
                    notice_version=e.notice_version,
                    evidence={"expired_event": str(e.event_id)},
                )
                for e in state.values()
                if e.action == "given" and e.expires_at is not None and e.expires_at <= moment
            ]
            if drafts:
                ids = ledger.append(session, drafts)
                self._after_append(session, ids, ["expired"] * len(ids), subject_id)
                count += len(ids)
        return count


def mark_for_reconfirmation(session: Session, purpose_ids: list[str], notice_version: str) -> int:
    """Mark consents to ``purpose_ids`` given before now as needing re-confirmation.

    The notices domain calls this when a notice version changes a consent purpose materially.
    Until the person consents again, "may I?" answers no with ``reconfirmation-required``.
    Returns how many current consents (subject, purpose, channel) are affected.
    """
    now = utcnow()
    for purpose_id in purpose_ids:
        session.add(
            ConsentReconfirmation(
                purpose_id=purpose_id, notice_version=notice_version, marked_at=now
            )
        )
    session.flush()
    return len(subjects_to_reconfirm(session, purpose_ids))


def subjects_to_reconfirm(session: Session, purpose_ids: list[str]) -> list[tuple[str, str, str]]:
    """(subject, purpose, channel) whose newest event is a consent given before the last mark."""
    from steward.consent.state import latest_marks, needs_reconfirmation

    marks = latest_marks(session)
    rows = session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.purpose_id.in_(purpose_ids))
        .order_by(ConsentEvent.id)
    ).all()
    newest: dict[tuple[str, str, str], ConsentEvent] = {}
    for e in rows:
        newest[(e.subject_id, e.purpose_id, e.channel)] = e
    out = []
    for key, e in newest.items():
        entry = fold([e])[(e.purpose_id, e.channel)]
        if needs_reconfirmation(entry, marks):
            out.append(key)
    return out
