"""One answer to "which register is in force": the server, its pages, a run and the store agree,
also after the register file changed while the server was stopped."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.config import Settings
from steward.datastores.runs import load_run_register
from steward.datastores.tables import ExecutionRun
from steward.ledger.audit import AuditEntry
from steward.store.db import session_factory, transaction
from steward.store.registers import record_register, register_in_force
from steward.web.app import create_app

from ...conftest import EXAMPLES


def test_the_server_records_the_file_it_runs_on_so_runs_and_pages_read_the_same_version(
    store_engine: sa.Engine, store_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "register.yaml"
    original = (EXAMPLES / "demo" / "register.yaml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        old, _ = record_register(session, path)
    renamed = old.operator.legal_name + " (renamed)"
    path.write_text(
        original.replace(old.operator.legal_name, renamed, 1), encoding="utf-8"
    )  # edited while the server was stopped

    app = create_app(Settings(database_url=store_url, register_path=path, dev=True))
    assert app.state.register.operator.legal_name == renamed
    with sessions() as session:
        found = register_in_force(session)
        assert found is not None and found[0].operator.legal_name == renamed
        run = ExecutionRun(register_id=None)
        assert load_run_register(session, run).operator.legal_name == renamed
        loads = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "register.load")
        ).all()
    assert [entry.object_id for entry in loads] == [str(found[1].id)]
    with TestClient(app) as client:
        assert renamed in client.get("/").text

    again = create_app(Settings(database_url=store_url, register_path=path, dev=True))
    with sessions() as session:
        assert register_in_force(session)[1].id == found[1].id  # unchanged: no new version
    assert again.state.register.operator.legal_name == renamed


def test_without_a_file_the_server_runs_on_the_register_loaded_into_the_store(
    store_engine: sa.Engine, store_url: str
) -> None:
    with transaction(session_factory(store_engine)) as session:
        loaded, _ = record_register(session, EXAMPLES / "demo" / "register.yaml")
    app = create_app(Settings(database_url=store_url, dev=True))
    assert app.state.register is not None
    assert app.state.register.operator.id == loaded.operator.id
