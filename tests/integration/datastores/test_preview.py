"""The preview is the execution: a dry run sends the real writes and rolls them back.

Before, a dry run planned the writes and never sent them, so a trigger or a constraint that
refuses them was met only by the real erasure, after an approver had read "done" in the
preview. Now the preview sends every write the execution sends, in the same order, inside a
transaction that is rolled back, on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from steward.datastores import DatastoreRefused, ExecutionRequest
from steward.datastores.batch import tracing
from steward.datastores.executor import DatastoreOutcome, forget_connections, run_on_datastore
from steward.datastores.identity import Identifiers
from steward.register import load_register
from steward.register.models import Register

from .hard_schema import ddl, fill, register_yaml
from .test_hard_schema import SUBJECTS, _snapshot

TODAY = date(2026, 11, 22)


@pytest.fixture
def hard(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[sa.Engine, Register, str]]:
    engine = sa.create_engine(any_database)
    dialect = engine.dialect.name
    with engine.begin() as connection:
        for statement in ddl(dialect):
            connection.exec_driver_sql(statement)
        fill(connection, dialect)
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}[dialect]
    monkeypatch.setenv("HARD_DB_URL", any_database)
    path = tmp_path / "register.yaml"
    path.write_text(register_yaml(kind, "HARD_DB_URL"), encoding="utf-8")
    yield engine, load_register(path), dialect
    forget_connections()
    engine.dispose()


def _erase(register: Register, identifiers: dict[str, str], dry_run: bool) -> DatastoreOutcome:
    return run_on_datastore(
        register,
        register.datastores[0],
        ExecutionRequest("erasure", identifiers, "P", dry_run=dry_run),
        Identifiers.parse(identifiers, "RU"),
        secret=b"k",
        today=TODAY,
        verify=False,
    )


def _plan(outcome: DatastoreOutcome) -> list[dict[str, object]]:
    return [t.as_dict() for t in outcome.tables]


def _writes(sent: list[str]) -> list[str]:
    return [s for s in sent if s.split()[0] in ("UPDATE", "DELETE", "INSERT")]


def test_preview_sends_the_writes_the_execution_sends_and_keeps_nothing(
    hard: tuple[sa.Engine, Register, str],
) -> None:
    engine, register, _dialect = hard
    changed = 0
    for identifiers in SUBJECTS:
        before = _snapshot(engine)
        with tracing() as previewed:
            preview = _erase(register, identifiers, dry_run=True)
        assert _snapshot(engine) == before, f"the preview for {identifiers} changed the database"
        with tracing() as executed:
            execution = _erase(register, identifiers, dry_run=False)
        assert _plan(preview) == _plan(execution), identifiers
        assert _writes(previewed) == _writes(executed), identifiers
        changed += sum(t.deleted + t.masked + t.held for t in execution.tables)
    assert changed >= 10, "the subjects' erasures did next to nothing"


REFUSE = {
    "postgresql": [
        """CREATE FUNCTION refuse_delete() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'messages are archived, not deleted'; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER keep_messages BEFORE DELETE ON messages
           FOR EACH ROW EXECUTE FUNCTION refuse_delete()""",
    ],
    "mysql": [
        """CREATE TRIGGER keep_messages BEFORE DELETE ON messages FOR EACH ROW
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'messages are archived, not deleted'"""
    ],
    "sqlite": [
        """CREATE TRIGGER keep_messages BEFORE DELETE ON messages
           BEGIN SELECT RAISE(ABORT, 'messages are archived, not deleted'); END"""
    ],
}


def test_a_preview_meets_the_trigger_that_refuses_the_erasure(
    hard: tuple[sa.Engine, Register, str],
) -> None:
    engine, register, dialect = hard
    with engine.begin() as connection:
        for statement in REFUSE[dialect]:
            connection.exec_driver_sql(statement)
    before = _snapshot(engine)
    alice = {"email": "alice.liddell@example.com"}
    with pytest.raises(DatastoreRefused) as refused:
        _erase(register, alice, dry_run=True)
    assert "nothing was committed" in str(refused.value)
    assert "archived" not in str(refused.value), "the database's own text may quote data"
    assert _snapshot(engine) == before
    with pytest.raises(DatastoreRefused):
        _erase(register, alice, dry_run=False)
    assert _snapshot(engine) == before
