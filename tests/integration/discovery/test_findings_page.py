"""The Discovery page: a scan's findings, accepted or dismissed with a reason, both audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.config import Settings
from steward.discovery.findings import Finding
from steward.discovery.scan import Report
from steward.discovery.store import DiscoveryFinding, record_report
from steward.ledger.audit import AuditEntry, verify
from steward.store.db import make_engine, transaction, upgrade
from steward.web.app import create_app

from ...personas import sign_in_as


def _finding(column: str, category: str = "identity.document") -> Finding:
    return Finding(
        "undeclared", "error", "app", "customers", column, category,
        f"app.customers.{column} holds {category}, not declared",
        {"evidence": "name+content", "sampled": 100, "non_empty": 100},
    )  # fmt: skip


@pytest.fixture
def app(store_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(store_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(Settings(database_url=store_url))
    with transaction(app.state.sessions) as session:
        report = Report(findings=[_finding("passport"), _finding("notes", "financial.card")])
        report.scanned.append("app")
        record_report(session, report, actor="cli", source="register.yaml")
    return app


def _ids(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.state.sessions() as session:
        return {r.column: r.id for r in session.scalars(select(DiscoveryFinding))}


def test_a_dpo_accepts_one_finding_and_dismisses_another_with_a_reason(app) -> None:
    ids = _ids(app)
    with TestClient(app) as client:
        csrf = sign_in_as(client, "dpo")
        page = client.get("/admin/discovery")
        assert page.status_code == 200
        assert "app.customers.passport" in page.text and "Accept as declared" in page.text
        accepted = client.post(
            f"/admin/discovery/{ids['passport']}/decide",
            data={"csrf_token": csrf, "decision": "accepted"},
        )
        assert accepted.status_code == 200  # followed the redirect back to the page
        no_reason = client.post(
            f"/admin/discovery/{ids['notes']}/decide",
            data={"csrf_token": csrf, "decision": "dismissed", "reason": "  "},
        )
        assert no_reason.status_code == 400 and "needs a reason" in no_reason.text
        dismissed = client.post(
            f"/admin/discovery/{ids['notes']}/decide",
            data={"csrf_token": csrf, "decision": "dismissed", "reason": "test fixtures"},
        )
        assert "dismissed by dpo@example.com: test fixtures" in dismissed.text
    with app.state.sessions() as session:
        rows = {r.column: r for r in session.scalars(select(DiscoveryFinding))}
        assert (rows["passport"].status, rows["notes"].status) == ("accepted", "dismissed")
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("discovery.%"))
        ).all()
        assert [(e.action, e.actor, e.object_id) for e in entries] == [
            ("discovery.accept", "dpo@example.com", str(ids["passport"])),
            ("discovery.dismiss", "dpo@example.com", str(ids["notes"])),
        ]
        assert json.loads(entries[1].details)["reason"] == "test fixtures"
        assert verify(session) is None


def test_an_auditor_reads_the_findings_but_cannot_decide(app) -> None:
    ids = _ids(app)
    with TestClient(app) as client:
        csrf = sign_in_as(client, "auditor")
        page = client.get("/admin/discovery")
        assert page.status_code == 200 and "Accept as declared" not in page.text
        refused = client.post(
            f"/admin/discovery/{ids['passport']}/decide",
            data={"csrf_token": csrf, "decision": "accepted"},
        )
        assert refused.status_code == 403


def test_a_later_scan_keeps_the_decision_and_counts_the_same_finding_once(app) -> None:
    ids = _ids(app)
    with TestClient(app) as client:
        csrf = sign_in_as(client, "owner")
        client.post(
            f"/admin/discovery/{ids['notes']}/decide",
            data={"csrf_token": csrf, "decision": "dismissed", "reason": "synthetic rows"},
        )
    with transaction(app.state.sessions) as session:
        report = Report(findings=[_finding("notes", "financial.card")], scanned=["app"])
        record_report(session, report, actor="job:discovery.scan", source="register.yaml")
    with app.state.sessions() as session:
        rows = session.scalars(select(DiscoveryFinding)).all()
        assert len(rows) == 2
        notes = next(r for r in rows if r.column == "notes")
        assert notes.status == "dismissed" and notes.reason == "synthetic rows"
    with TestClient(app) as client:
        sign_in_as(client, "owner")
        page = client.get("/admin/discovery")
        # only what the latest scan saw is shown
        assert "app.customers.notes" in page.text and "app.customers.passport" not in page.text


def test_the_weekly_job_scans_the_register_in_force_once_a_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.jobs.discovery import scan_weekly
    from steward.jobs.schedule import periodic_jobs
    from steward.store.registers import record_register

    assert any(p.name == "discovery.scan" and p.every.days == 7 for p in periodic_jobs())
    operator = tmp_path / "operator.db"
    engine = sa.create_engine(f"sqlite:///{operator}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT)"))
        connection.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, passport TEXT)"))
        connection.execute(
            sa.text("INSERT INTO notes (passport) VALUES ('4510 123456'), ('4612 654321')")
        )
    engine.dispose()
    register = tmp_path / "register.yaml"
    register.write_text(
        (Path(__file__).parent / "test_scan_datastores.py").read_text(encoding="utf-8")
        .split('SHOP = """', 1)[1].split('"""', 1)[0],
        encoding="utf-8",
    )  # fmt: skip
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{operator}")
    store = f"sqlite:///{tmp_path / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", store)
    from steward.config import get_settings

    get_settings.cache_clear()
    store_engine = make_engine(store)
    upgrade(store_engine)
    from steward.store.db import session_factory

    factory = session_factory(store_engine)
    with transaction(factory) as session:
        record_register(session, register)
    scan_weekly()
    scan_weekly()  # fired twice (a restart, a second scheduler): one scan
    with factory() as session:
        from steward.discovery.store import DiscoveryScan

        scans = session.scalars(select(DiscoveryScan)).all()
        assert [s.status for s in scans] == ["done"]
        found = session.scalars(select(DiscoveryFinding)).all()
        assert {(f.location, f.column, f.category) for f in found} >= {
            ("notes", "passport", "identity.document")
        }
    store_engine.dispose()
