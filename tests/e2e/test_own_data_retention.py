"""Steward's own data has retention too: the periodic job ``retention.own_data`` purges access
exports when their result link expires, verification codes once used or expired, signed scans a
while after their request closed, and sent e-mail bodies, and audits the counts (never contents).

A softvendor subject files a signed access request in the Privacy Center and downloads the
result; e-mail leaves through a real SMTP server. Time passing is played by moving the store's
own timestamps back (the request's closing, the codes, the sending), as days going by would;
the purge is fired by the real scheduler's tick and run by the embedded worker.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from steward.datastores.tables import ExecutionExport, ExecutionRun
from steward.ledger.audit import AuditEntry
from steward.notify.outbox import OutboxMessage
from steward.requests.tables import RequestAttachment, SubjectRequest, VerificationCode
from steward.store.db import transaction

from ..jobs_app import fire
from ..smtp_server import Inbox
from .seed_operators import PrivacyCenter, Staff, build_demo, executed

JOB = "retention.own_data"


def days_pass(app: Any, request_id: int, days: int) -> set[int]:
    """``days`` go by for the request: its closing, its codes and the e-mail sent so far (the
    ids of those messages)."""
    back = timedelta(days=days)
    with transaction(app.state.sessions) as session:
        found = session.get(SubjectRequest, request_id)
        assert found is not None and found.closed_at is not None
        found.closed_at -= back
        for code in session.scalars(
            select(VerificationCode).where(VerificationCode.request_id == request_id)
        ):
            code.created_at -= back
            code.expires_at -= back
            code.used_at = code.used_at - back if code.used_at else None
        aged = set()
        for message in session.scalars(
            select(OutboxMessage).where(OutboxMessage.sent_at.is_not(None))
        ):
            message.created_at -= back
            message.sent_at -= back
            aged.add(message.id)
    return aged


def purges(app: Any) -> list[dict[str, Any]]:
    with app.state.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == JOB).order_by(AuditEntry.id)
        ).all()
    return [json.loads(e.details) for e in entries]


@pytest.fixture
def softvendor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_inbox: Inbox) -> Any:
    monkeypatch.setenv("STEWARD_SMTP_URL", smtp_inbox.url)
    monkeypatch.setenv("STEWARD_OUTBOX_KEEP_SENT_DAYS", "3")
    monkeypatch.setenv("STEWARD_RETENTION_ATTACHMENTS_DAYS", "30")
    return build_demo("softvendor", tmp_path, monkeypatch)


def test_own_data_is_purged_by_the_scheduler_when_its_period_ends(
    softvendor: Any, smtp_inbox: Inbox
) -> None:
    demo = softvendor
    app = demo.app
    person = demo.person_with("app", "SELECT 1 FROM inquiries WHERE email = :email")
    center = PrivacyCenter(app)
    status_url = center.file("access", person.email, signed_scan=True)
    center.verify(status_url, person.email)
    agent = Staff(app, "agent")
    request_id = agent.request_id(center.reference(status_url))
    agent.act(request_id, "execute")
    page = agent.wait_for(request_id, executed("access"), "with its access result")
    if page.state != "completed":
        agent.act(request_id, "complete", "Your data is attached.")
    link = center.result_link(person.email)
    assert center.client.get(link).status_code == 200
    smtp_inbox.wait(3)  # receipt, code, completion: sent by the product over SMTP
    with app.state.sessions() as session:
        run_ids = session.scalars(
            select(ExecutionRun.id).where(ExecutionRun.request_id == request_id)
        ).all()
        assert session.scalar(
            select(sa.func.count())
            .select_from(ExecutionExport)
            .where(ExecutionExport.run_id.in_(run_ids))
        )

    # Nothing has reached its end yet: the purge keeps everything.
    fire(app, JOB)
    assert center.client.get(link).status_code == 200
    assert purges(app) == []

    # Eight days later the seven-day link has expired, the code is long used, and the
    # three days a sent e-mail keeps its body are over; the scan is kept thirty days.
    aged = days_pass(app, request_id, 8)
    assert len(aged) >= 3
    fire(app, JOB)
    gone = center.client.get(link)
    assert gone.status_code == 410 and "This result was deleted" in gone.text.replace("\n", " ")
    with app.state.sessions() as session:
        found = session.get(SubjectRequest, request_id)
        assert found is not None and found.result is None and found.result_nonce is None
        assert (
            session.scalar(
                select(sa.func.count())
                .select_from(ExecutionExport)
                .where(ExecutionExport.run_id.in_(run_ids))
            )
            == 0
        )
        assert (
            session.scalars(
                select(VerificationCode).where(VerificationCode.request_id == request_id)
            ).all()
            == []
        )
        scans = session.scalars(
            select(RequestAttachment).where(RequestAttachment.request_id == request_id)
        ).all()
        assert len(scans) == 1
        sent = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(aged))).all()
        assert sent and all(m.purged_at and not m.body_text and not m.to_address for m in sent)
    first = purges(app)
    assert len(first) == 1
    counts = first[0]
    assert counts["results"] == 1 and counts["exports"] == len(run_ids) >= 1
    assert counts["codes"] >= 1 and counts["attachments"] == 0 and counts["outbox"] == len(sent)
    assert person.email.casefold() not in json.dumps(first).casefold()
    timeline = agent.page(request_id).timeline
    assert "result file deleted" in timeline

    # Thirty days after closing, the signed scan goes; its SHA-256 stays in the timeline.
    days_pass(app, request_id, 23)
    fire(app, JOB)
    with app.state.sessions() as session:
        assert (
            session.scalars(
                select(RequestAttachment).where(RequestAttachment.request_id == request_id)
            ).all()
            == []
        )
    second = purges(app)
    assert len(second) == 2 and second[1]["attachments"] == 1 and second[1]["results"] == 0
    assert "attachment deleted" in agent.page(request_id).timeline

    # Running again purges nothing more and audits nothing.
    fire(app, JOB)
    assert len(purges(app)) == 2


def test_destruction_acts_are_kept_three_years_then_purged_by_the_same_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep's act is itself a record with a period: kept the three years RKN Order 179 asks
    (``STEWARD_RETENTION_ACTS_DAYS``, 1095 by default), then deleted by ``retention.own_data``;
    the audit entry of the sweep keeps the act's SHA-256, and the purge is audited by counts."""
    from steward.retention.tables import RetentionRun

    from .test_retention_promises import Promise, age_rows, sweep_by_the_scheduler

    monkeypatch.delenv("STEWARD_RETENTION_ACTS_DAYS", raising=False)
    demo = build_demo("softvendor", tmp_path, monkeypatch)
    app = demo.app
    from steward.register.duration import Duration

    due, _ = age_rows(demo, Promise("app", "sign_ins", "signed_in_at", Duration(months=6)), 15)
    assert due
    old = sweep_by_the_scheduler(demo)
    assert old.destroyed >= len(due) and old.act_sha256
    young = sweep_by_the_scheduler(demo)  # the next day's sweep: nothing due, an act all the same
    assert young.id != old.id

    def age_act(run_id: int, days: float) -> None:
        with transaction(app.state.sessions) as session:
            run = session.get(RetentionRun, run_id)
            assert run is not None and run.finished_at is not None
            run.started_at -= timedelta(days=days)
            run.finished_at -= timedelta(days=days)

    def act_answer(run_id: int) -> int:
        return Staff(app, "auditor").client.get(f"/admin/retention/acts/{run_id}.pdf").status_code

    # three years less a day: both acts are kept
    age_act(old.id, 1094)
    fire(app, JOB)
    assert purges(app) == []
    assert act_answer(old.id) == 200

    # a day and a minute more: the old act is gone, the young one stays
    age_act(old.id, 1 + 1 / 1440)
    fire(app, JOB)
    with app.state.sessions() as session:
        assert session.get(RetentionRun, old.id) is None
        assert session.get(RetentionRun, young.id) is not None
        swept = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "retention.sweep", AuditEntry.object_id == str(old.id)
            )
        ).one()
    assert json.loads(swept.details)["act_sha256"] == old.act_sha256  # the evidence of it stays
    assert act_answer(old.id) == 404 and act_answer(young.id) == 200
    counts = purges(app)
    assert len(counts) == 1 and counts[0]["acts"] == 1 and counts[0]["periods_days"]["acts"] == 1095
    assert sum(v for k, v in counts[0].items() if k not in ("acts", "periods_days")) == 0

    # running again purges nothing more
    fire(app, JOB)
    assert len(purges(app)) == 1
