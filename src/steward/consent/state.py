"""Current consent state, derived from the ledger's events and answered from memory.

    cache = StateCache()
    decision = cache.decide(session, subject_id, "newsletter", "email")
    decision.allowed, decision.reason, decision.event_id

State is never stored or edited: it is the fold of a subject's events, the newest event for a
(purpose, channel) pair winning, with a channel of ``any`` covering every channel. The cache keeps
each folded subject; before answering it compares the ledger's newest event id with the newest it
has seen and forgets exactly the subjects whose events arrived since, so another process's
writes are seen at the cost of one indexed query, and a withdrawal is never answered stale.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.consent.tables import ConsentEvent, ConsentReconfirmation
from steward.store.tables import utcnow


@dataclass(frozen=True, slots=True)
class Entry:
    """The newest event for one (purpose, channel) of a subject."""

    event_id: int
    purpose_id: str
    channel: str
    item_id: str | None
    action: str
    method: str
    at: datetime
    expires_at: datetime | None
    notice_version: str | None
    receipt_id: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may I?": yes or no, why, and the ledger event it rests on."""

    allowed: bool
    reason: str
    event_id: int | None = None
    expires_at: datetime | None = None


SubjectState = dict[tuple[str, str], Entry]


def fold(events: list[ConsentEvent]) -> SubjectState:
    """The newest event per (purpose, channel), from events in ledger order."""
    state: SubjectState = {}
    for e in events:
        state[(e.purpose_id, e.channel)] = Entry(
            event_id=e.id,
            purpose_id=e.purpose_id,
            channel=e.channel,
            item_id=e.item_id,
            action=e.action,
            method=e.method,
            at=e.at,
            expires_at=e.expires_at,
            notice_version=e.notice_version,
            receipt_id=e.receipt_id,
        )
    return state


def load_subject(session: Session, subject_id: str) -> SubjectState:
    rows = session.scalars(
        select(ConsentEvent).where(ConsentEvent.subject_id == subject_id).order_by(ConsentEvent.id)
    ).all()
    return fold(list(rows))


def needs_reconfirmation(entry: Entry, marks: dict[str, datetime]) -> bool:
    marked = marks.get(entry.purpose_id)
    return entry.action == "given" and marked is not None and entry.at < marked


def decide_from(
    state: SubjectState,
    purpose_id: str,
    channel: str,
    marks: dict[str, datetime],
    now: datetime,
) -> Decision:
    """Decide from a folded state: the newer of the channel's own event and the ``any`` one."""
    candidates = [state.get((purpose_id, "any"))]
    if channel != "any":
        candidates.append(state.get((purpose_id, channel)))
    present = [c for c in candidates if c is not None]
    if not present:
        return Decision(False, "no-consent")
    entry = max(present, key=lambda c: c.event_id)
    if entry.action != "given":
        return Decision(False, entry.action, entry.event_id)
    if entry.expires_at is not None and entry.expires_at <= now:
        return Decision(False, "expired", entry.event_id, entry.expires_at)
    if needs_reconfirmation(entry, marks):
        return Decision(False, "reconfirmation-required", entry.event_id)
    return Decision(True, "given", entry.event_id, entry.expires_at)


class StateCache:
    """Folded subject states kept in memory, invalidated by the ledger's newest event id."""

    def __init__(self) -> None:
        self._subjects: dict[str, SubjectState] = {}
        self._watermark = -1
        self._marks_seen = -1
        self._marks: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def forget(self, subject_id: str) -> None:
        self._subjects.pop(subject_id, None)

    def clear(self) -> None:
        with self._lock:
            self._subjects.clear()
            self._watermark = -1
            self._marks_seen = -1

    def sync(self, session: Session) -> None:
        """Forget subjects with events newer than those seen; reload re-confirmation marks."""
        newest = session.scalar(select(func.max(ConsentEvent.id))) or 0
        marks_newest = session.scalar(select(func.max(ConsentReconfirmation.id))) or 0
        with self._lock:
            if self._watermark < 0:
                self._subjects.clear()
            elif newest > self._watermark:
                changed = session.scalars(
                    select(ConsentEvent.subject_id)
                    .where(ConsentEvent.id > self._watermark)
                    .distinct()
                ).all()
                for subject_id in changed:
                    self._subjects.pop(subject_id, None)
            self._watermark = newest
            if marks_newest != self._marks_seen:
                self._marks = latest_marks(session)
                self._marks_seen = marks_newest

    def state(self, session: Session, subject_id: str, *, synced: bool = False) -> SubjectState:
        if _writing(session):
            # This transaction appended events that may yet roll back: answer from the
            # database as this session sees it, and teach the cache nothing.
            if self._marks_seen < 0:
                self._marks = latest_marks(session)
            return load_subject(session, subject_id)
        if not synced:
            self.sync(session)
        found = self._subjects.get(subject_id)
        if found is None:
            found = load_subject(session, subject_id)
            self._subjects[subject_id] = found
        return found

    @property
    def marks(self) -> dict[str, datetime]:
        return self._marks

    def decide(
        self,
        session: Session,
        subject_id: str,
        purpose_id: str,
        channel: str = "any",
        now: datetime | None = None,
    ) -> Decision:
        state = self.state(session, subject_id)
        return decide_from(state, purpose_id, channel, self._marks, now or utcnow())


def _writing(session: Session) -> bool:
    """True when this session's open transaction has appended to the ledger."""
    head = session.info.get("consent_head")
    return head is not None and head[0] is session.get_transaction()


def latest_marks(session: Session) -> dict[str, datetime]:
    """The newest re-confirmation mark per purpose."""
    rows = session.execute(
        select(
            ConsentReconfirmation.purpose_id, func.max(ConsentReconfirmation.marked_at)
        ).group_by(ConsentReconfirmation.purpose_id)
    ).all()
    return {purpose: marked for purpose, marked in rows}
