"""Appending to and verifying the consent ledger (hash-chained with ``ledger.chain``).

    sha = store_artefact(session, kind="label", text="Send me news", lang="en", notice_version="3")
    subject = resolve_subject(session, keys, {"email": "anna@example.com"})
    [event] = append(session, [EventDraft(subject_id=subject, purpose_id="newsletter", ...)])
    broken = verify(session)          # None, or the first broken event

Appends take an advisory lock (PostgreSQL) or the database write lock (SQLite) before reading
the chain head, so concurrent writers cannot fork the chain; a batch is chained in memory and
inserted at once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from steward.consent.identity import ConsentKeys
from steward.consent.tables import (
    ACTIONS,
    METHODS,
    RECORDERS,
    ConsentArtefact,
    ConsentEvent,
    ConsentIdentifier,
    ConsentSubject,
)
from steward.ledger.chain import GENESIS, ChainBreak, canonical_json, entry_hash, first_break
from steward.ledger.stored_chain import in_chain_order, lock_chain
from steward.store.tables import utcnow

LOCK_KEY = 0x57E3_C0A5  # the consent ledger's PostgreSQL advisory lock


class LedgerError(ValueError):
    """An event that cannot be recorded as given; the message says what would be right."""


@dataclass
class EventDraft:
    """One event before it is chained; ``append`` validates and stamps it."""

    subject_id: str
    purpose_id: str
    action: str
    channel: str = "any"
    item_id: str | None = None
    method: str = "api"
    recorded_by: str = "subject"
    notice_version: str | None = None
    artefact_sha256: str | None = None
    lang: str | None = None
    expires_at: datetime | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None


def artefact_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def store_artefact(
    session: Session, *, kind: str, text: str, lang: str, notice_version: str | None = None
) -> str:
    """Keep ``text`` once under its SHA-256; return the hash. A stored one never changes."""
    sha = artefact_sha256(text)
    if session.get(ConsentArtefact, sha) is None:
        # Two writers may show the same text at once: the second insert must not fail.
        dialect = session.get_bind().dialect.name
        make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            make_insert(ConsentArtefact)
            .values(
                sha256=sha,
                kind=kind,
                lang=lang,
                notice_version=notice_version,
                text=text,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
    return sha


def find_subject(session: Session, keys: ConsentKeys, identifiers: Mapping[str, str]) -> str | None:
    """The Steward subject id linked to any of ``identifiers`` ({kind: value}), or None."""
    digests = [(kind, keys.identifier_digest(kind, value)) for kind, value in identifiers.items()]
    for kind, digest in digests:
        found = session.scalars(
            select(ConsentIdentifier.subject_id).where(
                ConsentIdentifier.kind == kind, ConsentIdentifier.digest == digest
            )
        ).first()
        if found:
            return found
    return None


def resolve_subject(
    session: Session, keys: ConsentKeys, identifiers: Mapping[str, str], *, create: bool = True
) -> str | None:
    """The subject for ``identifiers``, linking the ones not yet known; created when new."""
    if not identifiers:
        raise LedgerError("give at least one identifier of the subject (email, account-id, ...)")
    digests = {kind: keys.identifier_digest(kind, value) for kind, value in identifiers.items()}
    rows = session.execute(
        select(
            ConsentIdentifier.kind, ConsentIdentifier.digest, ConsentIdentifier.subject_id
        ).where(ConsentIdentifier.digest.in_(list(digests.values())))
    ).all()
    known = {(kind, digest): subject for kind, digest, subject in rows}
    subjects = {known[(k, d)] for k, d in digests.items() if (k, d) in known}
    if len(subjects) > 1:
        raise LedgerError(
            "these identifiers belong to different subjects; record with one of them at a time"
        )
    if subjects:
        subject_id = subjects.pop()
    elif not create:
        return None
    else:
        subject_id = str(uuid.uuid4())
        session.add(ConsentSubject(id=subject_id, created_at=utcnow()))
        session.flush()
    for kind, digest in digests.items():
        if (kind, digest) not in known:
            seal = keys.link_seal(subject_id, kind, digest)
            session.add(
                ConsentIdentifier(subject_id=subject_id, kind=kind, digest=digest, seal=seal)
            )
    session.flush()
    return subject_id


def _head(session: Session) -> str:
    # A batch in the same transaction reuses the head it computed, sparing a query per event.
    transaction = session.get_transaction()
    cached = session.info.get("consent_head")
    if cached is not None and cached[0] is transaction:
        return str(cached[1])
    query = select(ConsentEvent.hash).order_by(ConsentEvent.id.desc()).limit(1)
    lock_chain(session, "consent_events", LOCK_KEY)
    return session.scalars(query).first() or GENESIS


def _check(draft: EventDraft) -> None:
    if draft.action not in ACTIONS:
        raise LedgerError(f"unknown action '{draft.action}'; use one of {', '.join(ACTIONS)}")
    if draft.method not in METHODS:
        raise LedgerError(f"unknown method '{draft.method}'; use one of {', '.join(METHODS)}")
    if draft.recorded_by not in RECORDERS:
        raise LedgerError(
            f"unknown recorder '{draft.recorded_by}'; use one of {', '.join(RECORDERS)}"
        )


def append(session: Session, drafts: Sequence[EventDraft], *, chained: bool = True) -> list[int]:
    """Chain and insert ``drafts`` in the caller's transaction; their ids in order.

    ``chained=False`` exists only so the benchmark can measure what the chain costs.
    """
    previous = _head(session) if chained else GENESIS
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for draft in drafts:
        _check(draft)
        row: dict[str, Any] = {
            "at": draft.at or now,
            "receipt_id": str(uuid.uuid4()),
            "subject_id": draft.subject_id,
            "item_id": draft.item_id,
            "purpose_id": draft.purpose_id,
            "channel": draft.channel,
            "action": draft.action,
            "method": draft.method,
            "recorded_by": draft.recorded_by,
            "notice_version": draft.notice_version,
            "artefact_sha256": draft.artefact_sha256,
            "lang": draft.lang,
            "expires_at": draft.expires_at,
            "evidence": canonical_json(draft.evidence),
        }
        hashed = dict(row, evidence=draft.evidence)
        hashed["at"] = row["at"].astimezone(UTC).isoformat()
        if row["expires_at"] is not None:
            hashed["expires_at"] = row["expires_at"].astimezone(UTC).isoformat()
        row["previous_hash"] = previous
        row["hash"] = (
            entry_hash(previous, canonical_json(hashed)) if chained else uuid.uuid4().hex * 2
        )
        previous = row["hash"] if chained else previous
        rows.append(row)
    if not rows:
        return []
    ids = list(
        session.scalars(
            insert(ConsentEvent).returning(ConsentEvent.id, sort_by_parameter_order=True), rows
        )
    )
    session.info["consent_head"] = (session.get_transaction(), previous)
    return ids


def events(session: Session, batch: int = 5000) -> Iterator[ConsentEvent]:
    """Every event in chain order, read in batches."""
    return in_chain_order(session, ConsentEvent, batch)


def verify(session: Session) -> ChainBreak | None:
    """Recompute the chain; the first broken event, or None when every event verifies."""
    return first_break((e.id, e.previous_hash, e.hash, e.fields()) for e in events(session))


def verify_artefacts(session: Session) -> list[str]:
    """Hashes of artefacts whose text no longer matches their hash (tampered), if any."""
    bad = []
    for sha, text in session.execute(select(ConsentArtefact.sha256, ConsentArtefact.text)):
        if artefact_sha256(text) != sha:
            bad.append(sha)
    return bad


def evidence_of(event: ConsentEvent) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(event.evidence)
    return loaded
