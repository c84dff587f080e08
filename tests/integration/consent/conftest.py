"""An app with the shop register on a SQLite store, and API access for the consent scopes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ...consent_registers import SHOP


def make_app(tmp_path: Path, register_text: str = SHOP, **settings: object) -> FastAPI:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    path = tmp_path / "register.yaml"
    path.write_text(register_text, encoding="utf-8")
    app = create_app(Settings(dev=True, database_url=url, register_path=path, **settings))
    grant_api(app)
    return app


def grant_api(app: FastAPI) -> None:
    """Until API tokens land from the admin domain, the consent scopes are granted here."""
    from steward.web.api import consents as api

    app.dependency_overrides[api.can_read] = lambda: None
    app.dependency_overrides[api.can_write] = lambda: None


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return make_app(tmp_path)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c
