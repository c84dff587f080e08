"""The evidence as a whole: both chains, their signed heads, the texts and links they point at.

    documents = sign_heads(session, keys.signing_key)      # the ledger.anchor job, exports
    report = verify(session, public_key=..., identifier_key=..., expected=[head, ...])
    report.problems                                        # [] when everything holds

``verify`` checks, for the audit log and the consent ledger: every hash link; every signed head
(those in the store and those given from outside: files, consent receipts) against the stored
chain; every shown text an event points at (present, and matching its SHA-256); every
published notice version an event names (present with its documents, each matching its hash);
every identifier link (its seal, when the identifier key is at hand). Each problem names the
entry where the evidence breaks.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.consent import ledger as consent_ledger
from steward.consent.identity import link_seal
from steward.consent.tables import ConsentArtefact, ConsentEvent, ConsentIdentifier
from steward.ledger import anchors, audit
from steward.ledger.anchors import Head
from steward.notices.tables import NoticeDocument, NoticeVersion

CHAINS: dict[str, tuple[str, Any]] = {
    "audit": ("audit log", audit.AuditEntry),
    "consent": ("consent ledger", ConsentEvent),
}


def sign_heads(session: Session, key: Ed25519PrivateKey) -> list[dict[str, Any]]:
    """Sign and store the heads of both chains; the signed documents (to keep outside)."""
    signed = (anchors.sign_head(session, chain, model, key) for chain, (_, model) in CHAINS.items())
    return [document for document in signed if document is not None]


@dataclass
class Report:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def verify(
    session: Session,
    *,
    public_key: bytes | None,
    identifier_key: bytes | None,
    expected: Iterable[Head] = (),
    chains: Iterable[str] = ("consent", "audit"),
) -> Report:
    """Everything ``steward ledger verify`` checks; see the module docstring."""
    report = Report()
    outside = list(expected)
    for chain in chains:
        name, model = CHAINS[chain]
        broken = (consent_ledger.verify if chain == "consent" else audit.verify)(session)
        count = session.scalar(select(func.count()).select_from(model)) or 0
        if broken is not None:
            report.problems.append(f"{name}: entry {broken.entry_id} is broken: {broken.reason}")
        else:
            report.checked.append(f"{name}: {count} entries, every hash link verifies")
        heads = anchors.heads_of(session, chain, public_key)
        given = [h for h in outside if h.chain == chain]
        for problem in anchors.check_heads(session, model, heads + given):
            report.problems.append(f"{name}: entry {problem.entry_id}: {problem.reason}")
        signature_note = "" if public_key is not None else " (signatures not checked: no key)"
        report.checked.append(
            f"{name}: {len(heads)} signed head(s) in the store, {len(given)} given from "
            f"outside{signature_note}"
        )
    if "consent" in chains:
        _check_texts(session, report)
        _check_notices(session, report)
        _check_links(session, report, identifier_key)
    return report


def _check_texts(session: Session, report: Report) -> None:
    for sha in consent_ledger.verify_artefacts(session):
        report.problems.append(f"consent ledger: the shown text {sha[:12]} no longer matches")
    missing = session.execute(
        select(ConsentEvent.artefact_sha256, func.min(ConsentEvent.id))
        .outerjoin(ConsentArtefact, ConsentArtefact.sha256 == ConsentEvent.artefact_sha256)
        .where(ConsentEvent.artefact_sha256.is_not(None), ConsentArtefact.sha256.is_(None))
        .group_by(ConsentEvent.artefact_sha256)
    ).all()
    for sha, first in missing:
        report.problems.append(
            f"consent ledger: entry {first} points at the shown text {sha[:12]}, "
            "which is missing from the store"
        )
    if not missing:
        report.checked.append("consent ledger: every shown text an event points at is stored")


def _check_notices(session: Session, report: Report) -> None:
    named = session.execute(
        select(ConsentEvent.notice_version, func.min(ConsentEvent.id))
        .where(ConsentEvent.notice_version.is_not(None))
        .group_by(ConsentEvent.notice_version)
    ).all()
    published = [(version, first) for version, first in named if str(version).isdigit()]
    bad = 0
    for version, first in published:
        rows = session.scalars(
            select(NoticeVersion).where(NoticeVersion.number == int(version))
        ).all()
        documents = (
            session.scalars(
                select(NoticeDocument).where(NoticeDocument.version_id.in_([v.id for v in rows]))
            ).all()
            if rows
            else []
        )
        if not rows or not documents:
            bad += 1
            report.problems.append(
                f"consent ledger: entry {first} names notice version {version}, whose texts "
                "are missing from the store"
            )
            continue
        for document in documents:
            if hashlib.sha256(document.content.encode()).hexdigest() != document.sha256:
                bad += 1
                report.problems.append(
                    f"consent ledger: entry {first} names notice version {version}, whose "
                    f"{document.lang} {document.format} text no longer matches its hash"
                )
    if not bad:
        report.checked.append(
            f"consent ledger: {len(published)} published notice version(s) named by events "
            "are stored with their texts"
        )


def _check_links(session: Session, report: Report, identifier_key: bytes | None) -> None:
    if identifier_key is None:
        report.checked.append("identifier links: not checked (no identifier key at hand)")
        return
    unsealed = broken = 0
    for row in session.scalars(select(ConsentIdentifier).order_by(ConsentIdentifier.id)):
        if row.seal is None:
            unsealed += 1
            continue
        expected = link_seal(identifier_key, row.subject_id, row.kind, row.digest)
        if not hmac.compare_digest(expected, row.seal):
            broken += 1
            report.problems.append(
                f"consent ledger: identifier link {row.id} ({row.kind}) was re-pointed: its "
                "seal does not match the subject it names"
            )
    if not broken:
        note = f" ({unsealed} linked before sealing, not checkable)" if unsealed else ""
        report.checked.append(f"identifier links: every seal matches its subject{note}")
