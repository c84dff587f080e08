"""Which of a run's commits wait for the disk (PostgreSQL's ``synchronous_commit``).

A queued run commits three times in Steward's store: the claim, the plan (before the operator's
COMMIT) and the result. Only the plan must be on disk before the operator's database changes:
a lost claim queues the run again, a lost result is reconciled from the plan once the lease
ends. This test records the setting in force at each of the store's COMMITs of a real erasure.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from steward.datastores import ExecutionRequest
from steward.datastores.runs import execute
from steward.register import load_register
from steward.store.db import make_engine, session_factory, upgrade

from ..datastores.hard_schema import ddl, fill, register_yaml


def test_only_the_plan_waits_for_the_disk(
    postgres_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_url = postgres_database()
    app = sa.create_engine(app_url)
    with app.begin() as connection:
        for statement in ddl("postgresql"):
            connection.exec_driver_sql(statement)
        fill(connection, "postgresql")
    app.dispose()
    path = tmp_path / "register.yaml"
    path.write_text(register_yaml("postgresql", "HARD_DB_URL"), encoding="utf-8")
    monkeypatch.setenv("HARD_DB_URL", app_url)
    store = make_engine(postgres_database())
    upgrade(store)
    commits: list[tuple[str, str]] = []

    @event.listens_for(store, "commit")
    def seen(connection: sa.Connection) -> None:
        wrote = connection.exec_driver_sql(
            "SELECT string_agg(DISTINCT relname, ',') FROM pg_locks JOIN pg_class c "
            "ON c.oid = relation WHERE mode = 'RowExclusiveLock' AND pid = pg_backend_pid() "
            "AND relname IN ('execution_runs', 'execution_steps', 'audit_log')"
        ).scalar()
        setting = connection.exec_driver_sql("SHOW synchronous_commit").scalar()
        commits.append((str(wrote), str(setting)))

    execute(
        session_factory(store),
        load_register(path),
        ExecutionRequest("erasure", {"email": "alice.liddell@example.com"}, "R-1"),
        secret=b"k",
    )
    store.dispose()
    # submit (durable: the caller's), claim, plan, result
    assert [setting for _, setting in commits] == ["on", "off", "on", "off"], commits
    assert "execution_steps" in commits[2][0]  # the plan is the step row, written durably
    assert "audit_log" in commits[3][0]
