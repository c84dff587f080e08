"""Execution never runs in the HTTP request: with the broker down the run waits in the store and
the page says so; with the operator's database locked the page still answers at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from steward.config import get_settings
from steward.datastores.executor import forget_connections
from steward.datastores.tables import ExecutionRun
from steward.jobs import registry
from steward.requests import service, verification
from steward.requests.tables import SubjectRequest
from steward.store.db import transaction
from steward.store.tables import utcnow

from ...conftest import EXAMPLES
from ...jobs_app import drain, embedded_app
from ...personas import sign_in_as


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "app.db"
    subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "demo" / "make_demo_db.py"),
            str(path),
            "--customers",
            "20",
        ],
        check=True,
        capture_output=True,
    )
    return path


def _access_request(app, app_db: Path) -> int:  # type: ignore[no-untyped-def]
    email = sqlite3.connect(app_db).execute("SELECT email FROM customers LIMIT 1").fetchone()[0]
    with transaction(app.state.sessions) as session:
        found = service.file_request(
            session, app.state.register, service.Intake(kind="access", email=email)
        )
        verification.prove(
            session,
            found,
            ["email"],
            how="email-code",
            actor="subject",
            register=app.state.register,
        )
        return found.id


def test_with_the_broker_down_the_run_waits_in_the_store_and_nothing_is_lost(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_db = tmp_path / "app.db"
    app_db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DEMO_APP_DATABASE_URL", f"sqlite:///{app_db}")
    app = embedded_app(tmp_path, monkeypatch, broker_url="redis://127.0.0.1:1/0")
    request_id = _access_request(app, app_db)
    with TestClient(app, follow_redirects=False) as client:
        csrf = sign_in_as(client, "agent")
        started = time.monotonic()
        answer = client.post(
            f"/admin/requests/{request_id}", data={"csrf_token": csrf, "action": "execute"}
        )
        assert answer.status_code == 303 and time.monotonic() - started < 15
        page = client.get(f"/admin/requests/{request_id}").text
        assert "waiting for a worker" in page and 'data-status="queued"' in page
        # the broker is back (here: the embedded runner), some time later
        monkeypatch.delenv("STEWARD_BROKER_URL")
        get_settings.cache_clear()
        registry.reset()
        with transaction(app.state.sessions) as session:
            run = session.scalars(sa.select(ExecutionRun)).one()
            run.updated_at = utcnow() - timedelta(minutes=2)
        registry.call("runs.recover", {})
        drain()
        page = client.get(f"/admin/requests/{request_id}").text
    assert 'data-status="done"' in page
    with app.state.sessions() as session:
        found = session.get(SubjectRequest, request_id)
        assert found is not None and found.state == "completed" and found.result
    forget_connections()


def test_a_locked_operator_database_never_holds_up_the_pages(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_db = tmp_path / "app.db"
    app_db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DEMO_APP_DATABASE_URL", f"sqlite:///{app_db}")
    app = embedded_app(tmp_path, monkeypatch)
    request_id = _access_request(app, app_db)
    lock = sqlite3.connect(app_db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # the operator's database is locked by someone else
    try:
        with TestClient(app, follow_redirects=False) as client:
            csrf = sign_in_as(client, "agent")
            started = time.monotonic()
            answer = client.post(
                f"/admin/requests/{request_id}", data={"csrf_token": csrf, "action": "execute"}
            )
            health = client.get("/healthz")
            elapsed = time.monotonic() - started
            assert answer.status_code == 303 and health.status_code == 200
            # run inside the request, the execution would wait out the datastore's busy timeout
            # (10 s, datastores/connect.py); well under it, so a loaded machine does not fail it
            assert elapsed < 7.0, f"the page waited {elapsed:.1f} s on the operator's database"
            page = client.get(f"/admin/requests/{request_id}").text
            assert 'data-status="queued"' in page or 'data-status="running"' in page
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    drain()
    forget_connections()
