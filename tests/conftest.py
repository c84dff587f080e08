"""Shared fixtures: fresh databases on the real servers, created per test and dropped after.

Server addresses come from STEWARD_TEST_POSTGRES / STEWARD_TEST_MARIADB / STEWARD_TEST_REDIS.
A test that needs a server fails with a clear message when it cannot reach it; it never skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
POSTGRES = os.environ.get(
    "STEWARD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB = os.environ.get("STEWARD_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/")
REDIS = os.environ.get("STEWARD_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def _dev_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run in dev mode unless a test says otherwise; settings are read afresh."""
    from steward.config import get_settings

    monkeypatch.setenv("STEWARD_DEV", "1")
    get_settings.cache_clear()


def _server_engine(url: str, what: str) -> sa.Engine:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"{what} is not reachable at {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig}. Run scripts/ensure-system.sh or set the STEWARD_TEST_* variable.",
            pytrace=False,
        )
    return engine


@pytest.fixture
def postgres_database() -> Iterator[Callable[[], str]]:
    """A factory of fresh PostgreSQL databases; each is dropped at teardown."""
    server = _server_engine(POSTGRES, "PostgreSQL")
    made: list[str] = []

    def make() -> str:
        name = f"steward_test_{uuid.uuid4().hex[:12]}"
        with server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return server.url.set(database=name).render_as_string(hide_password=False)

    yield make
    with server.connect() as connection:
        for name in made:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def mariadb_database() -> Iterator[Callable[[], str]]:
    """A factory of fresh MariaDB databases; each is dropped at teardown."""
    server = _server_engine(MARIADB, "MariaDB")
    made: list[str] = []

    def make() -> str:
        name = f"steward_test_{uuid.uuid4().hex[:12]}"
        with server.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        made.append(name)
        return server.url.set(database=name).render_as_string(hide_password=False)

    yield make
    with server.connect() as connection:
        for name in made:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Steward's store on each supported backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'steward.db'}"
    factory: Callable[[], str] = request.getfixturevalue("postgres_database")
    return factory()


@pytest.fixture
def store_engine(store_url: str) -> Iterator[sa.Engine]:
    """Steward's store, migrated, on each backend; disposed at teardown."""
    from steward.store.db import make_engine, upgrade

    engine = make_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def smtp_inbox() -> Iterator[object]:
    """A real SMTP server (aiosmtpd) on a free port; see tests/smtp_server.py."""
    from .smtp_server import running_inbox

    with running_inbox() as inbox:
        yield inbox


@pytest.fixture(autouse=True)
def _fresh_job_runner() -> Iterator[None]:
    """Each test gets its own job runner; embedded jobs a test started end with it."""
    yield
    from steward.jobs import registry

    registry.reset()
