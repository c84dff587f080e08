"""The one rate limiter: counts shared by every process (Redis or the store), kept over restarts.

Two apps stand for two server processes; a new app for a restart. Redis runs on this machine
(``STEWARD_TEST_REDIS``); the store is SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app
from steward.web.security import SESSION_COOKIE

from ...conftest import EXAMPLES, REDIS


def _store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["redis", "store"])
def shared(request: pytest.FixtureRequest, tmp_path: Path):
    """Settings for apps that share their limits (a fresh Redis prefix per test)."""
    url = _store(tmp_path)
    where = REDIS if request.param == "redis" else "store"

    def make(per_minute: int = 5) -> TestClient:
        settings = Settings(
            database_url=url,
            rate_limit_per_minute=per_minute,
            rate_limit_store=where,
            rate_limit_prefix=f"test-{prefix}",
            register_path=EXAMPLES / "demo" / "register.yaml",
        )
        return TestClient(create_app(settings))

    prefix = uuid.uuid4().hex[:8]
    return make


def test_two_processes_share_one_count(shared) -> None:
    first, second = shared(), shared()
    codes = [c.get("/privacy/requests/new").status_code for c in (first, second) * 3]
    assert codes.count(429) == 1 and codes[-1] == 429


def test_a_restart_keeps_the_count(shared) -> None:
    before = shared()
    assert all(before.get("/privacy/requests/new").status_code == 200 for _ in range(5))
    after = shared()
    assert after.get("/privacy/requests/new").status_code == 429


def test_an_empty_or_made_up_session_cookie_does_not_skip_the_limit(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=_store(tmp_path), rate_limit_per_minute=5))
    client = TestClient(app)
    codes = []
    for n in range(8):
        client.cookies.set(SESSION_COOKIE, "" if n % 2 else f"sts_made-up-{n}")
        codes.append(client.get("/privacy/requests/new").status_code)
    assert 429 in codes


def test_the_consent_pages_use_the_same_limiter(shared) -> None:
    first, second = shared(per_minute=1000), shared(per_minute=1000)
    codes = [
        c.post("/privacy/consents", data={"email": "a@example.com"}).status_code
        for c in (first, second) * 4
    ]
    assert 429 in codes
