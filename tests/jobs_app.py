"""An app whose jobs run in this process, as under `make run`, on settings from the environment.

    app = embedded_app(tmp_path, monkeypatch)       # STEWARD_* set for the app and its jobs
    drain()                                          # wait until every queued job has run
    fire(app, "breaches.clocks")                     # one scheduler tick with only that job due

The embedded runner's jobs read the same environment as the app, as they do in production.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from steward.config import get_settings
from steward.jobs import registry
from steward.store.db import make_engine, transaction, upgrade
from steward.web.app import create_app

from .conftest import EXAMPLES


def embedded_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operator: str = "demo", **env: str
) -> Any:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_REGISTER_PATH", str(EXAMPLES / operator / "register.yaml"))
    monkeypatch.delenv("STEWARD_BROKER_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(f"STEWARD_{key.upper()}", value)
    get_settings.cache_clear()
    registry.reset()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return create_app(get_settings())


def drain(timeout: float = 60.0) -> None:
    runner = registry.runner()
    assert isinstance(runner, registry.EmbeddedRunner)
    runner.join(timeout)


def fire(app: Any, name: str, now: datetime | None = None, timeout: float = 60.0) -> list[str]:
    """One tick of the real scheduler at ``now`` (the present by default) with only the periodic
    job ``name`` due (every other one pushed a month on), then wait for the worker to run what
    it queued; the names the tick fired."""
    from steward.jobs.schedule import periodic_jobs
    from steward.jobs.scheduler import Scheduler
    from steward.jobs.tables import ScheduledJob

    now = now or datetime.now(UTC)
    with transaction(app.state.sessions) as session:
        for job in periodic_jobs():
            row = session.get(ScheduledJob, job.name) or ScheduledJob(
                name=job.name, every_seconds=int(job.every.total_seconds()), runs=0
            )
            due = job.name == name
            row.next_run_at = now - timedelta(seconds=1) if due else now + timedelta(days=30)
            session.add(row)
    fired = Scheduler(app.state.sessions).tick(now)
    assert fired == [name]
    drain(timeout)
    return fired
