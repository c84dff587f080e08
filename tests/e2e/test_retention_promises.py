"""The seed operators' retention promises, kept by the scheduler on their demo databases.

activecloud: call recordings are deleted after three months (except one a DPO holds for a
dispute) and accounting acts after five years; amrcloud: access logs after six months; almis:
the web server's access log after six months and feedback after a year; softvendor: sign-ins
after six months. The demo databases are built from each register with every date inside its
period; time passing is played by moving the rows' dates back (each row a seeded random age,
never within three days of its period's end). A DPO places the hold in Admin → Retention; the
sweep is fired by one tick of the real scheduler and run by the embedded worker; the act is read
in the admin. Every row not due, in every table, is still there afterwards.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from steward.register.duration import Duration
from steward.retention.tables import RetentionRun

from ..jobs_app import fire
from .seed_operators import Demo, Staff, build_demo

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Promise:
    datastore: str
    table: str
    column: str
    period: Duration


def age_rows(demo: Demo, promise: Promise, seed: int) -> tuple[set[int], set[int]]:
    """Give each row of the promise's table a random age; returns (due ids, kept ids)."""
    rng = random.Random(seed)
    today = NOW.date()
    span = (promise.period.after(today) - today).days
    engine = sa.create_engine(demo.built.urls[promise.datastore])
    due: set[int] = set()
    kept: set[int] = set()
    try:
        with engine.begin() as connection:
            ids = [
                int(r[0]) for r in connection.execute(sa.text(f"SELECT id FROM {promise.table}"))
            ]
            assert ids, f"the demo {promise.table} is empty"
            values = []
            for row_id in ids:
                if rng.random() < 0.5:
                    age = span + rng.randint(3, span)
                else:
                    age = rng.randint(0, span - 3)
                dated = NOW - timedelta(days=age, minutes=rng.randrange(1440))
                # due when the whole period has passed since the row's date
                (due if promise.period.after(dated.date()) < today else kept).add(row_id)
                values.append({"id": row_id, "d": dated})
            connection.execute(
                sa.text(f"UPDATE {promise.table} SET {promise.column} = :d WHERE id = :id"),
                values,
            )
    finally:
        engine.dispose()
    assert due and kept
    return due, kept


def ids_of(demo: Demo, datastore: str, table: str) -> set[int]:
    return {int(r[0]) for r in demo.query(datastore, f"SELECT id FROM {table}")}


def every_table(demo: Demo) -> dict[str, set[int]]:
    return {
        f"{d.id}.{t.name}": ids_of(demo, d.id, t.name)
        for d in demo.register.datastores
        for t in d.tables
    }


def sweep_by_the_scheduler(demo: Demo) -> RetentionRun:
    """One tick of the scheduler with only the daily sweep due; the run it made."""
    app = demo.app
    fire(app, "retention.sweep", timeout=120)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with app.state.sessions() as session:
            run = session.scalars(
                select(RetentionRun)
                .where(RetentionRun.finished_at.is_not(None))
                .order_by(RetentionRun.id.desc())
            ).first()
        if run is not None:
            return run
        time.sleep(0.2)
    raise AssertionError("the scheduled sweep did not finish")


def hold(demo: Demo, promise: Promise, row_id: int, reason: str) -> None:
    """A DPO holds one record in Admin → Retention."""
    dpo = Staff(demo.app, "dpo")
    answer = dpo.client.post(
        "/admin/retention/holds",
        data={
            "csrf_token": dpo.csrf,
            "table": f"{promise.datastore}:{promise.table}",
            "record": f"[{row_id}]",
            "reason": reason,
            "until": (date.today() + timedelta(days=60)).isoformat(),
        },
    )
    assert answer.status_code == 303, answer.text[:500]


def check_sweep(
    demo: Demo, promises: list[Promise], held: tuple[Promise, ...] = ()
) -> tuple[RetentionRun, dict[Promise, int]]:
    """Age the promised tables, hold one due row of each ``held`` table in the admin, sweep by
    the scheduler, and check what went and what stayed; the run and the held row ids."""
    expected = {p: age_rows(demo, p, seed=i + 1) for i, p in enumerate(promises)}
    held_ids = {p: min(expected[p][0]) for p in held}
    for promise, row_id in held_ids.items():
        hold(demo, promise, row_id, "kept for a dispute")
    before = every_table(demo)
    run = sweep_by_the_scheduler(demo)
    assert run.status == "done", run.error
    after = every_table(demo)
    destroyed = 0
    for promise, (due, kept) in expected.items():
        key = f"{promise.datastore}.{promise.table}"
        kept_too = {held_ids[promise]} if promise in held_ids else set()
        assert after[key] == kept | kept_too, key  # the due rows went, the rest stayed
        destroyed += len(due - kept_too)
    for key, ids in before.items():
        if key not in {f"{p.datastore}.{p.table}" for p in promises}:
            assert after[key] == ids, key  # nothing else was touched
    assert run.destroyed == destroyed
    act = Staff(demo.app, "dpo").client.get(f"/admin/retention/acts/{run.id}")
    assert act.status_code == 200
    for promise in promises:
        assert promise.table in act.text
    assert re.search(rf"\b{destroyed}\b", act.text)
    return run, held_ids


def test_activecloud_call_recordings_go_after_three_months_acts_after_five_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database: Any, mariadb_database: Any
) -> None:
    demo = build_demo(
        "activecloud",
        tmp_path,
        monkeypatch,
        {"billing": mariadb_database(), "telephony": postgres_database()},
    )
    calls = Promise("telephony", "call_recordings", "recorded_at", Duration(months=3))
    acts = Promise("billing", "acts", "issued_at", Duration(years=5))
    # one recording due for deletion is kept for a dispute ("a justified need")
    _, held = check_sweep(demo, [calls, acts], held=(calls,))
    assert held[calls] in ids_of(demo, "telephony", "call_recordings")


def test_amrcloud_access_logs_go_after_six_months(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database: Any
) -> None:
    demo = build_demo("amrcloud", tmp_path, monkeypatch, {"logs": postgres_database()})
    check_sweep(demo, [Promise("logs", "access_log", "requested_at", Duration(months=6))])


def test_almis_access_log_goes_after_six_months_and_feedback_after_a_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo("almis", tmp_path, monkeypatch)
    check_sweep(
        demo,
        [
            Promise("site", "access_log", "accessed_at", Duration(months=6)),
            Promise("site", "feedback_messages", "created_at", Duration(years=1)),
        ],
    )


def test_softvendor_sign_ins_go_after_six_months(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo("softvendor", tmp_path, monkeypatch)
    sign_ins = Promise("app", "sign_ins", "signed_in_at", Duration(months=6))
    check_sweep(demo, [sign_ins, Promise("app", "inquiries", "created_at", Duration(years=1))])
