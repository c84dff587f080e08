# ruff: noqa: E501
"""Real Celery workers against Redis: a worker killed mid-erasure leaves nothing half-applied,
and another worker finishes the request."""

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

from steward.datastores import ExecutionRequest, submit
from steward.datastores.tables import ExecutionRun
from steward.store.db import make_engine, session_factory, transaction, upgrade
from steward.store.registers import record_register

from ...conftest import REDIS
from ..datastores.hard_schema import ddl, fill, register_yaml

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.redis


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "steward", "worker", "--loglevel", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_a_worker_killed_mid_erasure_leaves_no_partial_change_and_another_finishes(
    postgres_database: Callable[[], str], tmp_path: Path
) -> None:
    client = redis.Redis.from_url(REDIS)
    queue = f"steward-test-{uuid.uuid4().hex[:8]}"  # parallel runs never take each other's jobs
    app_url = postgres_database()
    app = sa.create_engine(app_url)
    with app.begin() as connection:
        for statement in ddl("postgresql"):
            connection.exec_driver_sql(statement)
        fill(connection, "postgresql")
        # a slow delete: the worker is inside the datastore transaction when it is killed
        connection.exec_driver_sql(
            "CREATE FUNCTION slow() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(4); "
            "RETURN OLD; END $$ LANGUAGE plpgsql"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER slow_delete BEFORE DELETE ON messages FOR EACH ROW EXECUTE FUNCTION slow()"
        )
    register_path = tmp_path / "register.yaml"
    register_path.write_text(register_yaml("postgresql", "HARD_DB_URL"), encoding="utf-8")
    store_url = postgres_database()
    store = make_engine(store_url)
    upgrade(store)
    factory = session_factory(store)
    with transaction(factory) as session:
        _, loaded = record_register(session, register_path)
        run_id = submit(
            session,
            ExecutionRequest("erasure", {"email": "alice.liddell@example.com"}, "K-1"),
            register_id=loaded.id,
        ).id
    env = dict(
        os.environ,
        STEWARD_DATABASE_URL=store_url,
        STEWARD_BROKER_URL=REDIS,
        STEWARD_DEV="1",
        STEWARD_JOB_LEASE_SECONDS="3",
        STEWARD_JOB_QUEUE=queue,
        HARD_DB_URL=app_url,
    )
    sender = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from steward.jobs import enqueue; enqueue('execution.run', run_id={run_id})",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    assert sender.returncode == 0
    first = _worker(env)
    second = None
    try:

        def deleting() -> bool:
            with app.connect() as connection:
                return bool(
                    connection.exec_driver_sql(
                        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'DELETE FROM messages%%'"
                    ).scalar()
                )

        _wait(deleting, 60, "the first worker to start deleting")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)

        def released() -> bool:
            with app.connect() as connection:
                return not connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'DELETE FROM messages%%'"
                ).scalar()

        _wait(released, 30, "PostgreSQL to end the dead worker's transaction")
        with app.connect() as connection:
            left = connection.exec_driver_sql(
                "SELECT count(*) FROM messages WHERE author = 'u-alice'"
            ).scalar()
            name = connection.exec_driver_sql(
                """SELECT name FROM "Account Holders" WHERE "User ID" = 'u-alice'"""
            ).scalar()
        assert (left, name) == (2, "Alice Liddell"), "the killed worker half-applied the erasure"
        with factory() as session:
            run = session.get(ExecutionRun, run_id)
            # Still the dead worker's (running) or already re-queued once its lease ran out on
            # a slow machine; never finished and never failed.
            assert run is not None and run.status in ("running", "queued"), run and run.status
        second = _worker(env)

        def done() -> bool:
            with factory() as session:
                current = session.get(ExecutionRun, run_id)
                return current is not None and current.status == "done"

        _wait(done, 90, "the second worker to finish the run")
        with factory() as session:
            finished = session.get(ExecutionRun, run_id)
            assert finished is not None and finished.attempts >= 2
        with app.connect() as connection:
            assert (
                connection.exec_driver_sql(
                    "SELECT count(*) FROM messages WHERE author = 'u-alice'"
                ).scalar()
                == 0
            )
            assert (
                connection.exec_driver_sql(
                    "SELECT count(*) FROM messages WHERE author = 'u-bob'"
                ).scalar()
                == 1
            )
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(20)
        app.dispose()
        store.dispose()
        client.delete(queue)
        client.close()
