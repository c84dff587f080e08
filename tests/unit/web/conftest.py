from pathlib import Path

import pytest

from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app


@pytest.fixture
def store_file_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def web_app(store_file_url: str):
    """The whole app on a fresh, migrated SQLite store."""
    return create_app(Settings(database_url=store_file_url))
