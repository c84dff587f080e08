"""`steward audit verify` on a real store: intact, then tampered directly in the database."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from steward.cli import app
from steward.ledger.audit import record
from steward.store.db import session_factory, transaction


def test_verify_names_the_first_entry_changed_in_the_database(
    store_engine: sa.Engine, store_url: str, monkeypatch
) -> None:
    with transaction(session_factory(store_engine)) as session:
        for n in range(5):
            record(
                session,
                actor="owner@example.com",
                action="person.invite",
                object_type="invitation",
                object_id=n,
                details={"role": "agent"},
            )
    monkeypatch.setenv("STEWARD_DATABASE_URL", store_url)
    runner = CliRunner()
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "5 entries verify" in intact.output

    with store_engine.begin() as connection:
        third = connection.execute(sa.text("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 2"))
        entry_id = third.scalar_one()
        connection.execute(
            sa.text("UPDATE audit_log SET actor = 'mallory@example.com' WHERE id = :id"),
            {"id": entry_id},
        )
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"broken at entry {entry_id}" in broken.output
    assert "altered" in broken.output


def test_export_writes_json_lines_filtered_by_action(
    store_engine: sa.Engine, store_url: str, monkeypatch
) -> None:
    with transaction(session_factory(store_engine)) as session:
        record(session, actor="a@example.com", action="person.invite")
        record(session, actor="a@example.com", action="auth.sign_in")
    monkeypatch.setenv("STEWARD_DATABASE_URL", store_url)
    result = CliRunner().invoke(app, ["audit", "export", "--action", "auth."])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 0 and len(lines) == 1 and '"auth.sign_in"' in lines[0]


def test_cli_changes_are_audited_too(tmp_path, monkeypatch) -> None:
    from ...conftest import EXAMPLES

    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{tmp_path / 's.db'}")
    runner = CliRunner()
    created = runner.invoke(
        app,
        ["admin", "create", "boss@example.com", "--password-stdin"],
        input="plenty of words here 5\n",
    )
    assert created.exit_code == 0, created.output
    loaded = runner.invoke(app, ["register", "load", str(EXAMPLES / "demo" / "register.yaml")])
    assert loaded.exit_code == 0, loaded.output
    exported = runner.invoke(app, ["audit", "export", "--format", "csv"])
    assert "person.create" in exported.output and "register.load" in exported.output
    weak = runner.invoke(
        app, ["admin", "create", "x@example.com", "--password-stdin"], input="short\n"
    )
    assert weak.exit_code == 1 and "at least 12" in weak.output
