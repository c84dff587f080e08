"""The embedded runner: jobs run in a thread of this process; stale runs are picked up again."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from steward.datastores import ExecutionRequest, submit
from steward.datastores.executor import forget_connections
from steward.datastores.runs import claim
from steward.datastores.tables import ExecutionRun
from steward.jobs import enqueue, registry
from steward.jobs.builtin import requeue_stale
from steward.store.db import make_engine, session_factory, transaction, upgrade
from steward.store.registers import record_register

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo"


def test_embedded_runner_executes_queued_and_abandoned_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_db = tmp_path / "app.db"
    subprocess.run(
        [sys.executable, str(DEMO / "make_demo_db.py"), str(app_db), "--customers", "30"],
        check=True,
        capture_output=True,
    )
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", store_url)
    monkeypatch.setenv("DEMO_APP_DATABASE_URL", f"sqlite:///{app_db}")
    monkeypatch.delenv("STEWARD_BROKER_URL", raising=False)
    monkeypatch.setattr(registry, "_runner", None)
    from steward.config import get_settings

    get_settings.cache_clear()
    store = make_engine(store_url)
    upgrade(store)
    factory = session_factory(store)
    with transaction(factory) as session:
        _, loaded = record_register(session, DEMO / "register.yaml")
        queued = submit(
            session, ExecutionRequest("access", {"account-id": "3"}, "Q-1"), register_id=loaded.id
        ).id
        abandoned = submit(
            session, ExecutionRequest("access", {"account-id": "4"}, "Q-2"), register_id=loaded.id
        ).id
    enqueue("execution.run", run_id=queued).result(timeout=60)
    # a worker claimed the second run and died: its lease is already over
    assert claim(factory, abandoned, "dead-worker", timedelta(seconds=-1))
    assert requeue_stale() == 1
    registry.runner()._pool.shutdown(wait=True)  # type: ignore[union-attr]
    with factory() as session:
        for run_id in (queued, abandoned):
            run = session.get(ExecutionRun, run_id)
            assert run is not None and run.status == "done", run_id
            assert run.lease_until is None
    forget_connections()
    store.dispose()
    monkeypatch.setattr(registry, "_runner", None)
