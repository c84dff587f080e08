"""The scheduler: one leader at a time, each slot of each periodic job fired once, its record
shown on the Settings page; the periodic jobs themselves do their work through the real path."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from steward.jobs import registry
from steward.jobs.schedule import periodic_jobs
from steward.jobs.scheduler import Scheduler
from steward.jobs.tables import ScheduledJob
from steward.notify.outbox import OutboxMessage
from steward.requests import service
from steward.store.db import make_engine, session_factory, transaction, upgrade

from ...jobs_app import drain, embedded_app
from ...personas import ensure_person, sign_in_as

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('sched') / 'store.db'}")
    upgrade(engine)
    return engine


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ticks=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 400)), min_size=1, max_size=40).map(
        lambda ts: sorted(ts, key=lambda t: t[1])
    )
)
def test_several_schedulers_fire_each_slot_once(
    store: sa.Engine, ticks: list[tuple[int, int]]
) -> None:
    sessions = session_factory(store)
    with transaction(sessions) as session:
        session.execute(sa.delete(ScheduledJob))
        session.execute(sa.text("DELETE FROM job_leases"))
    fired: list[tuple[str, int, int]] = []
    schedulers = [Scheduler(sessions, holder=f"process-{i}", fire=lambda n: None) for i in range(3)]
    for who, second in ticks:
        for name in schedulers[who].tick(T0 + timedelta(seconds=second)):
            fired.append((name, who, second))
    every = {p.name: int(p.every.total_seconds()) for p in periodic_jobs()}
    for name in every:
        times = [second for n, _, second in fired if n == name]
        # no slot fired twice: two firings of one job are at least its interval apart
        assert all(b - a >= every[name] for a, b in pairwise(times)), times
        if ticks:
            assert times and times[0] == ticks[0][1]  # the first tick fires everything once
    # leadership changes only after the lease (30 s) of the one who fired last ran out
    for (_, a, at), (_, b, bt) in pairwise(fired):
        if a != b:
            assert bt - at >= 30, (a, at, b, bt)


def test_a_dead_leader_is_replaced_once_its_lease_ends(store: sa.Engine) -> None:
    sessions = session_factory(store)
    with transaction(sessions) as session:
        session.execute(sa.delete(ScheduledJob))
        session.execute(sa.text("DELETE FROM job_leases"))
    fired: list[str] = []
    a = Scheduler(sessions, holder="a", fire=fired.append)
    b = Scheduler(sessions, holder="b", fire=lambda n: fired.append(f"b:{n}"))
    assert a.tick(T0) and not b.tick(T0 + timedelta(seconds=5))
    # a dies; b takes over only after a's lease (30 s) ran out
    assert not b.lead(T0 + timedelta(seconds=29))
    assert b.lead(T0 + timedelta(seconds=31))
    later = b.tick(T0 + timedelta(seconds=61))
    assert "runs.recover" in later and all(not n.startswith("b:") for n in fired[: len(later)])
    with sessions() as session:
        row = session.get(ScheduledJob, "runs.recover")
        assert row is not None and row.runs == 2
        assert row.next_run_at == T0 + timedelta(seconds=61 + 15)


def test_the_settings_page_shows_each_jobs_last_and_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = embedded_app(tmp_path, monkeypatch)
    with TestClient(app) as client:
        sign_in_as(client, "owner")
        before = client.get("/admin/settings").text
        for job in ("runs.recover", "requests.remind", "consent.expire", "consent.webhooks"):
            assert f'data-job="{job}"' in before
        assert "never" in before
        Scheduler(app.state.sessions).tick()
        drain()
        after = client.get("/admin/settings").text
    row = after.split('data-job="requests.remind"', 1)[1].split("</tr>", 1)[0]
    assert "done: 0 request(s) reminded about" in row and "never" not in row


def test_reminders_reach_the_assignee_and_the_dpos_before_the_deadline_and_when_overdue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = embedded_app(tmp_path, monkeypatch, requests_remind_days="3")
    ensure_person(app, "dpo", "dpo@example.com")
    with transaction(app.state.sessions) as session:
        due = service.file_request(
            session, app.state.register, service.Intake(kind="access", email="a@example.com")
        )
        far = service.file_request(
            session, app.state.register, service.Intake(kind="access", email="b@example.com")
        )
        service.assign(session, due, assignee="agent@example.com", actor="dpo")
        assert due.due_on is not None and far.due_on is not None
        due.due_on = date.today() + timedelta(days=2)
        far.due_on = date.today() + timedelta(days=20)
        due_id = due.id
    registry.call("requests.remind", {})
    registry.call("requests.remind", {})  # the same day again: nothing new
    with app.state.sessions() as session:
        sent = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "request.reminder")
        ).all()
        assert sorted(m.to_address for m in sent) == ["agent@example.com", "dpo@example.com"]
        assert all(m.related == f"request:{due_id}" for m in sent)
        assert "is due in 2 days" in sent[0].subject
        late = service.get(session, due_id)
    with transaction(app.state.sessions) as session:
        late = service.get(session, due_id)
        late.due_on, late.reminded_on = date.today() - timedelta(days=1), None
    registry.call("requests.remind", {})
    with app.state.sessions() as session:
        overdue = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "request.reminder", OutboxMessage.subject.like("%overdue%")
            )
        ).all()
    assert len(overdue) == 2
