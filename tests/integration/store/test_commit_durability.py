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
    # every write to the run's tables notes its transaction and the setting in force: the
    # setting a transaction writes under is the one its COMMIT obeys (nothing here changes it
    # after the first write), whichever way the client sends the COMMIT
    with store.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE seen_writes (id serial, tx bigint, tbl text, setting text)"
        )
        connection.exec_driver_sql(
            "CREATE FUNCTION note_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO seen_writes (tx, tbl, setting) VALUES (txid_current(), TG_TABLE_NAME, "
            "current_setting('synchronous_commit')); RETURN NULL; END $$"
        )
        for table in ("execution_runs", "execution_steps", "audit_log", "restrictions"):
            connection.exec_driver_sql(
                f"CREATE TRIGGER note_{table} AFTER INSERT OR UPDATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION note_write()"
            )

    execute(
        session_factory(store),
        load_register(path),
        ExecutionRequest("erasure", {"email": "alice.liddell@example.com"}, "R-1"),
        secret=b"k",
    )
    with store.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT tx, string_agg(DISTINCT tbl, ',' ORDER BY tbl), string_agg(DISTINCT setting, "
            "',') FROM seen_writes GROUP BY tx ORDER BY min(id)"
        ).all()
    store.dispose()
    commits = [(str(wrote), str(setting)) for _, wrote, setting in rows]
    # submit (durable: the caller's), claim, plan, result
    assert [setting for _, setting in commits] == ["on", "off", "on", "off"], commits
    assert commits[1][0] == "execution_runs"  # the claim
    assert commits[2][0] == "execution_steps"  # the plan is the step row, written durably
    assert {"audit_log", "execution_steps", "execution_runs", "restrictions"} <= set(
        commits[3][0].split(",")
    ), commits  # the result: the step, the held rows listed, the summary and its audit entry
