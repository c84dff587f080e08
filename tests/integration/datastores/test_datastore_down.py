"""A datastore that goes down mid-erasure: nothing half-applied, and the retry completes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from steward.datastores import ConnectionFailed, ExecutionRequest, process, submit
from steward.datastores.executor import forget_connections
from steward.datastores.runs import RunUnavailable
from steward.datastores.tables import ExecutionRun, ExecutionStep
from steward.register import load_register
from steward.store.db import make_engine, session_factory, transaction, upgrade
from steward.store.tables import utcnow

from .hard_schema import ddl, fill, register_yaml

SLOW = (
    "CREATE FUNCTION slow() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(3); RETURN OLD; END $$ "
    "LANGUAGE plpgsql"
)
LEASE = timedelta(minutes=1)
TODAY = date(2026, 11, 22)


def test_a_datastore_dropped_mid_erasure_rolls_back_and_the_retry_completes(
    postgres_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_database()
    app = sa.create_engine(url)
    with app.begin() as connection:
        for statement in ddl("postgresql"):
            connection.exec_driver_sql(statement)
        fill(connection, "postgresql")
        connection.exec_driver_sql(SLOW)
        connection.exec_driver_sql(
            "CREATE TRIGGER slow_delete BEFORE DELETE ON messages "
            "FOR EACH ROW EXECUTE FUNCTION slow()"
        )
    monkeypatch.setenv("HARD_DB_URL", url)
    path = tmp_path / "register.yaml"
    path.write_text(register_yaml("postgresql", "HARD_DB_URL"), encoding="utf-8")
    register = load_register(path)
    store = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(store)
    factory = session_factory(store)
    with transaction(factory) as session:
        run_id = submit(
            session, ExecutionRequest("erasure", {"account-id": "u-alice"}, "DOWN-1")
        ).id
    errors: list[BaseException] = []

    def work() -> None:
        try:
            process(factory, run_id, secret=b"k", lease=LEASE, register=register, today=TODAY)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    with app.connect() as connection:
        for _ in range(100):
            pids = (
                connection.exec_driver_sql(
                    "SELECT pid FROM pg_stat_activity WHERE query LIKE 'DELETE FROM messages%%'"
                )
                .scalars()
                .all()
            )
            connection.rollback()  # pg_stat_activity is a snapshot per transaction
            if pids:
                break
            time.sleep(0.1)
        seen = connection.exec_driver_sql(
            "SELECT state, left(query, 60) FROM pg_stat_activity WHERE datname = current_database()"
        ).all()
        assert pids, f"the erasure never reached the slow delete: {errors} {seen}"
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({pids[0]})")
    thread.join(120)  # generous: a loaded machine is slow, never wrong
    assert not thread.is_alive(), "the erasure did not return after its connection was killed"
    assert len(errors) == 1 and isinstance(errors[0], ConnectionFailed), errors
    assert errors[0].retryable
    with app.connect() as connection:
        messages = connection.exec_driver_sql(
            "SELECT count(*) FROM messages WHERE author = 'u-alice'"
        ).scalar()
        name = connection.exec_driver_sql(
            """SELECT name FROM "Account Holders" WHERE "User ID" = 'u-alice'"""
        ).scalar()
    assert (messages, name) == (2, "Alice Liddell"), "a partial erasure was committed"
    with factory() as session:
        run = session.get(ExecutionRun, run_id)
        assert run is not None and run.status == "retry"
        assert run.next_attempt_at is not None and run.next_attempt_at > utcnow()
        step = session.query(ExecutionStep).filter_by(run_id=run_id).one()
        assert step.status == "failed"
    # the retry waits for its back-off: nobody may take the run before then
    with pytest.raises(RunUnavailable):
        process(factory, run_id, secret=b"k", lease=LEASE, register=register, today=TODAY)
    with transaction(factory) as session:
        waited = session.get(ExecutionRun, run_id)
        assert waited is not None
        waited.next_attempt_at = utcnow() - timedelta(seconds=1)
    with app.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER slow_delete ON messages")
    result = process(factory, run_id, secret=b"k", lease=LEASE, register=register, today=TODAY)
    assert result["residual"] == 0 and result["totals"]["deleted"] > 0
    with app.connect() as connection:
        assert not connection.exec_driver_sql(
            "SELECT count(*) FROM messages WHERE author = 'u-alice'"
        ).scalar()
    forget_connections()
    app.dispose()
    store.dispose()
