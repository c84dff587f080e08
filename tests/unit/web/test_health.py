from pathlib import Path

from fastapi.testclient import TestClient

from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ...conftest import EXAMPLES


def test_healthz_answers_and_home_shows_the_operator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(database_url=url, register_path=EXAMPLES / "demo" / "register.yaml")
    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        home = client.get("/")
        assert "Polar Tea LLC" in home.text
