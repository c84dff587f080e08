"""A request fulfilled by separate processes: a Celery worker and `steward scheduler`, on Redis
and PostgreSQL. The worker is SIGKILLed while PostgreSQL is committing its erasure (the COMMIT
lands after the client died); the next worker reconciles the recorded plan: the held invoice
reaches the restriction list, the request completes and the subject's e-mail says what was kept.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy import select

from steward.config import get_settings
from steward.datastores.tables import ExecutionRun, Restriction
from steward.jobs import registry
from steward.notify.outbox import OutboxMessage
from steward.register import load_register
from steward.requests import service, verification
from steward.requests.fulfil import Actor, Fulfilment
from steward.requests.tables import SubjectRequest
from steward.store.db import make_engine, session_factory, transaction, upgrade

from ...conftest import REDIS
from ..datastores.hard_schema import ddl, fill, register_yaml

pytestmark = pytest.mark.redis

# runs at COMMIT: the worker is killed while PostgreSQL is inside the COMMIT, which still lands
SLOW_COMMIT = (
    "CREATE FUNCTION slow_commit() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(3); "
    "RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE CONSTRAINT TRIGGER slow_commit AFTER DELETE ON messages DEFERRABLE INITIALLY "
    "DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()",
)


def _wait(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def _steward(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "steward", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_worker_killed_while_postgres_commits_is_reconciled_and_the_request_completes(
    postgres_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = f"steward-test-{uuid.uuid4().hex[:8]}"
    app_url = postgres_database()
    app = sa.create_engine(app_url)
    with app.begin() as connection:
        for statement in ddl("postgresql"):
            connection.exec_driver_sql(statement)
        fill(connection, "postgresql")
        for statement in SLOW_COMMIT:
            connection.exec_driver_sql(statement)
    register_path = tmp_path / "register.yaml"
    register_path.write_text(register_yaml("postgresql", "HARD_DB_URL"), encoding="utf-8")
    register = load_register(register_path)
    store_url = postgres_database()
    store = make_engine(store_url)
    upgrade(store)
    sessions = session_factory(store)
    env = {
        "STEWARD_DATABASE_URL": store_url,
        "STEWARD_BROKER_URL": REDIS,
        "STEWARD_JOB_QUEUE": queue,
        "STEWARD_DEV": "1",
        "STEWARD_JOB_LEASE_SECONDS": "3",
        "STEWARD_REGISTER_PATH": str(register_path),
        "HARD_DB_URL": app_url,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    registry.reset()
    child_env = dict(os.environ, **env)
    fulfil = Fulfilment.from_settings(sessions, get_settings())
    with transaction(sessions) as session:
        filed = service.file_request(
            session,
            register,
            service.Intake(kind="erasure", email="alice.liddell@example.com", lang="ru"),
        )
        verification.prove(
            session, filed, ["email"], how="email-code", actor="subject", register=register
        )
        request_id = filed.id

    def run_of(dry_run: bool) -> ExecutionRun | None:
        with sessions() as session:
            return session.scalars(
                select(ExecutionRun).where(
                    ExecutionRun.request_id == request_id, ExecutionRun.dry_run == dry_run
                )
            ).first()

    def committing() -> bool:
        with app.connect() as connection:
            return bool(
                connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE query = 'COMMIT' "
                    "AND state = 'active' AND datname = current_database()"
                ).scalar()
            )

    scheduler = _steward(child_env, "scheduler")
    first = _steward(child_env, "worker", "--loglevel", "WARNING")
    second = None
    try:
        fulfil.execute(request_id, Actor("agent@example.com"))  # an ask, with a preview run
        _wait(lambda: (r := run_of(True)) is not None and r.status == "done", 90, "the preview")
        with app.connect() as connection:  # the preview changed nothing
            assert (
                connection.exec_driver_sql(
                    "SELECT count(*) FROM messages WHERE author = 'u-alice'"
                ).scalar()
                == 2
            )
        with pytest.raises(Exception, match="cannot approve their own"):
            fulfil.approve(request_id, Actor("agent@example.com", approver=True))
        fulfil.approve(request_id, Actor("dpo@example.com", approver=True), "as previewed")
        _wait(committing, 90, "the worker's erasure to reach its COMMIT")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        _wait(lambda: not committing(), 30, "PostgreSQL to finish the dead worker's COMMIT")
        with app.connect() as connection:
            left = connection.exec_driver_sql(
                "SELECT count(*) FROM messages WHERE author = 'u-alice'"
            ).scalar()
        assert left == 0, "the COMMIT of the killed worker was expected to land"
        killed = run_of(False)
        assert killed is not None and killed.status in ("running", "queued")

        second = _steward(child_env, "worker", "--loglevel", "WARNING")

        def completed() -> bool:
            with sessions() as session:
                found = session.get(SubjectRequest, request_id)
                return found is not None and found.state == "completed"

        _wait(completed, 120, "the scheduler's recovery and the second worker to finish")
        run = run_of(False)
        assert run is not None and run.status == "done" and run.attempts >= 2
        assert run.open_for is None
        with sessions() as session:
            held = session.scalars(
                select(Restriction).where(Restriction.table_name == "invoices")
            ).all()
            mail = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.related == f"request:{request_id}",
                    OutboxMessage.kind == "request.completed",
                )
            ).all()
            found = session.get(SubjectRequest, request_id)
            assert found is not None and found.outcome is not None
            outcome = found.outcome
        # the held invoice came from the recorded plan: the fresh search cannot find it any more
        assert [r.row_key for r in held] == ["[1]"] and held[0].until is not None
        assert "reconciled after a crash" in outcome
        assert len(mail) == 1  # one completion e-mail, in the subject's language
        assert "Сохранено, потому что этого пока требует закон" in mail[0].body_text
        assert f"до {held[0].until.isoformat()}" in mail[0].body_text
    finally:
        for process in (first, second, scheduler):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(20)
        app.dispose()
        store.dispose()
        client = redis.Redis.from_url(REDIS)
        client.delete(queue)
        client.close()
