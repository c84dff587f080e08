"""Retention of Steward's own data: what its store keeps about subjects, purged on time.

    purged = purge_own_data(sessions, settings)    # OwnDataPurged(results=1, exports=1, ...)

Fired by the scheduler every hour (``retention.own_data`` in ``jobs.py``). Each kind has its period
(docs/retention.md, docs/configuration.md):

- **access results** (the ZIP a subject downloads, on the request and on the run that made it):
  deleted when the result link expires, ``STEWARD_REQUESTS_RESULT_LINK_DAYS`` after the request
  was completed. An export of a run no request carries (the CLI's) goes the same time after it
  was made. An export of a request still open stays: the request needs it.
- **verification codes** (only a keyed hash is stored): deleted
  ``STEWARD_RETENTION_CODES_DAYS`` after they were used or expired; the request's proofs and
  timeline keep what was proven.
- **attachments** (signed scans): deleted ``STEWARD_RETENTION_ATTACHMENTS_DAYS`` after their
  request was closed; the timeline keeps their SHA-256 and size.
- **destruction acts** (a sweep's run: its act and its extract from the event log): deleted
  ``STEWARD_RETENTION_ACTS_DAYS`` (1095: the three years RKN Order 179 asks) after the sweep
  finished; the audit entry of the sweep keeps the act's SHA-256.
- **sent e-mail**: recipient and body purged ``STEWARD_OUTBOX_KEEP_SENT_DAYS`` after sending
  (``notify.delivery.purge_delivered``, the one purge of the outbox; at 0 delivery purges each
  message as it is sent).

Whenever something was purged, one audit entry ``retention.own_data`` records the counts, never
what was in them; each request touched gets a timeline entry too. Running twice purges nothing
twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy import func as sa_func
from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings
from steward.datastores.tables import ExecutionExport, ExecutionRun
from steward.ledger.audit import record
from steward.lib.i18n import N_, Phrase
from steward.notify.delivery import purge_delivered
from steward.requests.service import record_event
from steward.requests.states import CLOSED
from steward.requests.tables import RequestAttachment, SubjectRequest, VerificationCode
from steward.retention.tables import RetentionRun
from steward.store.tables import utcnow

ACTOR = "retention"
CLOSED_STATES = [s.value for s in CLOSED]


@dataclass
class OwnDataPurged:
    results: int = 0
    exports: int = 0
    codes: int = 0
    attachments: int = 0
    acts: int = 0
    outbox: int = 0

    @property
    def total(self) -> int:
        return sum(asdict(self).values())

    def note(self) -> str:
        if not self.total:
            return "nothing due"
        return ", ".join(f"{n} {kind}" for kind, n in asdict(self).items() if n)


def _results(session: Session, link_ends: datetime, link_days: int) -> int:
    """Result files of closed requests whose link has expired; their runs' exports too."""
    done = session.scalars(
        select(SubjectRequest).where(
            SubjectRequest.result.is_not(None),
            SubjectRequest.closed_at.is_not(None),
            SubjectRequest.closed_at <= link_ends,
        )
    ).all()
    for found in done:
        size = len(found.result or b"")
        found.result, found.result_nonce = None, None
        record_event(
            session,
            found,
            ACTOR,
            "result-purged",
            Phrase(
                N_(
                    "result file deleted (%(size)s bytes): its download link expired after "
                    "%(days)s day(s)"
                ),
                size=size,
                days=link_days,
            ),
        )
    return len(done)


def _exports(session: Session, link_ends: datetime) -> int:
    closed = select(SubjectRequest.id).where(
        SubjectRequest.state.in_(CLOSED_STATES),
        or_(SubjectRequest.closed_at.is_(None), SubjectRequest.closed_at <= link_ends),
    )
    due = select(ExecutionRun.id).where(
        or_(
            ExecutionRun.request_id.in_(closed),
            and_(ExecutionRun.request_id.is_(None), ExecutionRun.created_at <= link_ends),
        )
    )
    gone = session.execute(delete(ExecutionExport).where(ExecutionExport.run_id.in_(due)))
    return int(getattr(gone, "rowcount", 0) or 0)


def _codes(session: Session, before: datetime) -> int:
    gone = session.execute(
        delete(VerificationCode).where(
            or_(VerificationCode.used_at <= before, VerificationCode.expires_at <= before)
        )
    )
    return int(getattr(gone, "rowcount", 0) or 0)


def _attachments(session: Session, before: datetime, days: int) -> int:
    rows = session.execute(
        select(RequestAttachment, SubjectRequest)
        .join(SubjectRequest, SubjectRequest.id == RequestAttachment.request_id)
        .where(
            SubjectRequest.state.in_(CLOSED_STATES),
            SubjectRequest.closed_at.is_not(None),
            SubjectRequest.closed_at <= before,
        )
    ).all()
    for attachment, found in rows:
        record_event(
            session,
            found,
            ACTOR,
            "attachment-purged",
            Phrase(
                N_(
                    "attachment deleted (%(size)s bytes, sha256 %(sha256)s): kept %(days)s "
                    "day(s) after the request was closed"
                ),
                size=attachment.size,
                sha256=attachment.sha256,
                days=days,
            ),
        )
        session.delete(attachment)
    return len(rows)


def _acts(session: Session, before: datetime) -> int:
    """Destruction acts (sweep runs) finished before ``before``; a run that never finished
    counts from its start."""
    ended = sa_func.coalesce(RetentionRun.finished_at, RetentionRun.started_at)
    gone = session.execute(delete(RetentionRun).where(ended <= before))
    return int(getattr(gone, "rowcount", 0) or 0)


def purge_own_data(
    sessions: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> OwnDataPurged:
    """Purge what has reached the end of its period (see the module); audited when not empty."""
    now = now or utcnow()
    purged = OwnDataPurged()
    link_days = settings.requests_result_link_days
    link_ends = now - timedelta(days=link_days)
    with sessions.begin() as session:
        purged.results = _results(session, link_ends, link_days)
        purged.exports = _exports(session, link_ends)
        purged.codes = _codes(session, now - timedelta(days=settings.retention_codes_days))
        purged.attachments = _attachments(
            session,
            now - timedelta(days=settings.retention_attachments_days),
            settings.retention_attachments_days,
        )
        purged.acts = _acts(session, now - timedelta(days=settings.retention_acts_days))
        purged.outbox = purge_delivered(
            session,
            settings.identifier_key(),
            older_than=timedelta(days=settings.outbox_keep_sent_days),
        )
        if purged.total:
            record(
                session,
                actor=ACTOR,
                action="retention.own_data",
                object_type="store",
                details={
                    **asdict(purged),
                    "periods_days": {
                        "results": link_days,
                        "codes": settings.retention_codes_days,
                        "attachments": settings.retention_attachments_days,
                        "acts": settings.retention_acts_days,
                        "outbox": settings.outbox_keep_sent_days,
                    },
                },
            )
    return purged
