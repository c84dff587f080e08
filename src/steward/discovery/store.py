"""Findings kept in Steward's store, and the decisions people take on them (audited).

    scan = record_report(session, report, actor="job:discovery.scan", source="register.yaml")
    decide(session, finding_id, "dismissed", reason="test data", actor="dpo@example.com")

A finding is identified by its fingerprint (kind, datastore, table, column, category), so a
weekly scan updates the same row rather than adding another; a decision (accepted as
declared, or dismissed with a reason) stays with the row across scans. Rows hold counts, never
values. Every decision is written to the audit log in the same transaction.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.discovery.scan import Report
from steward.ledger.audit import record
from steward.lib.i18n import N_, Told, phrase_json
from steward.store.tables import Base, UtcDateTime, utcnow

DECISIONS = ("accepted", "dismissed")


class DiscoveryScan(Base):
    __tablename__ = "discovery_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))
    actor: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | done
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON: counts, problems


class DiscoveryFinding(Base):
    __tablename__ = "discovery_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(700), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))
    datastore: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(500))  # table, or file path
    column: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)  # English, as `steward scan` prints it
    said: Mapped[str | None] = mapped_column(Text, nullable=True)  # its Phrase (migration 0044)
    evidence: Mapped[str] = mapped_column(Text, default="{}")
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_scan_id: Mapped[int] = mapped_column(ForeignKey("discovery_scans.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


def claim_scan(
    session: Session, *, actor: str, source: str, every: timedelta, lease: timedelta
) -> DiscoveryScan | None:
    """Start a scan unless one finished less than ``every`` ago or another is still running
    (its lease not yet out): the periodic job may be fired twice, or by two schedulers."""
    now = utcnow()
    latest = session.scalars(select(DiscoveryScan).order_by(DiscoveryScan.id.desc())).first()
    if latest is not None:
        if latest.status == "running" and latest.lease_until and latest.lease_until > now:
            return None
        if latest.status == "done" and latest.finished_at and now - latest.finished_at < every:
            return None
    scan = DiscoveryScan(source=source, actor=actor, lease_until=now + lease)
    session.add(scan)
    session.flush()
    return scan


def record_report(
    session: Session, report: Report, *, actor: str, source: str, scan: DiscoveryScan | None = None
) -> DiscoveryScan:
    """Store ``report``'s findings under a finished scan; returns the scan."""
    if scan is None:
        scan = DiscoveryScan(source=source, actor=actor)
        session.add(scan)
        session.flush()
    existing = {
        row.fingerprint: row
        for row in session.scalars(
            select(DiscoveryFinding).where(
                DiscoveryFinding.fingerprint.in_([f.fingerprint for f in report.findings])
            )
        )
    }
    for finding in report.findings:
        row = existing.get(finding.fingerprint)
        if row is None:
            row = DiscoveryFinding(fingerprint=finding.fingerprint, first_seen=utcnow())
            session.add(row)
        row.kind, row.level, row.datastore = finding.kind, finding.level, finding.datastore
        row.location, row.column, row.category = finding.table, finding.column, finding.category
        row.message = finding.message
        row.said = phrase_json(finding.phrase) if finding.phrase is not None else None
        row.evidence = json.dumps(finding.evidence, sort_keys=True)
        row.last_scan_id = scan.id
    scan.status = "done"
    scan.finished_at = utcnow()
    scan.lease_until = None
    scan.summary = json.dumps(
        {
            "scanned": report.scanned,
            "problems": report.problems,
            "columns": len(report.columns),
            "errors": len(report.errors),
            "findings": len(report.findings),
        }
    )
    session.flush()
    return scan


def latest_scan(session: Session) -> DiscoveryScan | None:
    query = select(DiscoveryScan).where(DiscoveryScan.status == "done")
    return session.scalars(query.order_by(DiscoveryScan.id.desc())).first()


def current_findings(session: Session) -> tuple[DiscoveryScan | None, list[DiscoveryFinding]]:
    """The latest finished scan and the findings it saw, open ones first."""
    scan = latest_scan(session)
    if scan is None:
        return None, []
    rows = session.scalars(
        select(DiscoveryFinding)
        .where(DiscoveryFinding.last_scan_id == scan.id)
        .order_by(DiscoveryFinding.id)
    ).all()
    order = {"open": 0, "accepted": 1, "dismissed": 2}
    return scan, sorted(rows, key=lambda r: (order.get(r.status, 3), r.level != "error", r.id))


class DecisionRefused(Told, ValueError):
    """The decision cannot be taken as asked; the message says why (``i18n.told``)."""


def decide(
    session: Session,
    finding_id: int,
    decision: str,
    *,
    actor: str,
    reason: str = "",
    ip: str | None = None,
) -> DiscoveryFinding:
    """Accept a finding as declared, or dismiss it with a reason; recorded in the audit log."""
    if decision not in DECISIONS:
        raise DecisionRefused(
            N_("unknown decision '%(decision)s'; use accepted or dismissed"),
            decision=decision[:40],
        )
    reason = reason.strip()
    if decision == "dismissed" and not reason:
        raise DecisionRefused(N_("a dismissal needs a reason (e.g. 'test data, not real people')"))
    if len(reason) > 2000:
        raise DecisionRefused(
            N_("the reason is longer than %(limit)s characters; shorten it"), limit=2000
        )
    row = session.get(DiscoveryFinding, finding_id)
    if row is None:
        raise DecisionRefused(N_("no finding %(id)s"), id=finding_id)
    row.status, row.decided_by, row.decided_at = decision, actor, utcnow()
    row.reason = reason or None
    details: dict[str, Any] = {
        "kind": row.kind,
        "category": row.category,
        "where": f"{row.datastore}.{row.location}.{row.column}",
    }
    if reason:
        details["reason"] = reason
    action = "discovery.accept" if decision == "accepted" else "discovery.dismiss"
    record(
        session,
        actor=actor,
        action=action,
        object_type="discovery_finding",
        object_id=row.id,
        ip=ip,
        details=details,
    )
    session.flush()
    return row
