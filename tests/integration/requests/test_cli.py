from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from steward.cli import app
from steward.register import load_register
from steward.requests import service
from steward.requests.service import Intake
from steward.store.db import make_engine, session_factory, transaction, upgrade

from ...conftest import EXAMPLES


def test_requests_list_overdue_prints_them_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    register = load_register(EXAMPLES / "demo" / "register.yaml")
    with transaction(session_factory(engine)) as session:
        old = service.file_request(
            session,
            register,
            Intake(kind="access", email="a@example.com"),
            now=datetime(2026, 4, 28, 9, tzinfo=UTC),
        )
        service.file_request(session, register, Intake(kind="erasure", email="b@example.com"))
        reference = old.reference
    engine.dispose()
    runner = CliRunner()
    result = runner.invoke(app, ["requests", "list", "--overdue", "--json"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and reference in lines[0] and '"due_on": "2026-05-14"' in lines[0]
    everything = runner.invoke(app, ["requests", "list"])
    assert everything.exit_code == 0 and "OVERDUE" in everything.stdout
