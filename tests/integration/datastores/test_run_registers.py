"""A run executes under the register stored with it, in its own store: two stores in one
process (a test suite, a worker pointed at another store) never swap registers."""

from __future__ import annotations

from pathlib import Path

from steward.datastores.runs import load_run_register
from steward.datastores.tables import ExecutionRun
from steward.store.db import make_engine, session_factory, transaction, upgrade
from steward.store.registers import record_register

from ...conftest import EXAMPLES


def test_register_one_of_two_stores_is_each_stores_own(tmp_path: Path) -> None:
    seen = []
    for operator in ("activecloud", "amrcloud"):
        engine = make_engine(f"sqlite:///{tmp_path / f'{operator}.db'}")
        upgrade(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            _, row = record_register(session, EXAMPLES / operator / "register.yaml")
            run = ExecutionRun(reference="R-1", kind="access", identifiers="{}", register_id=row.id)
            session.add(run)
            session.flush()
            assert row.id == 1  # both stores number their first register 1
            seen.append(load_run_register(session, run).operator.id)
        engine.dispose()
    assert seen == ["activecloud", "amrcloud"]
