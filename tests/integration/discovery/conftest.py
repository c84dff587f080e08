"""Operator databases for the discovery tests, on SQLite, PostgreSQL and MariaDB in turn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'operator.db'}"
    fixture = "postgres_database" if request.param == "postgresql" else "mariadb_database"
    factory: Callable[[], str] = request.getfixturevalue(fixture)
    return factory()
