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


def grant_api(app: FastAPI) -> str:
    """A real API token with both consent scopes; kept on the app for the tests' clients."""
    from steward.accounts.tokens import create_token
    from steward.store.db import transaction

    with transaction(app.state.sessions) as session:
        raw, _ = create_token(
            session, "backend", {"consents:read", "consents:write"}, created_by=None
        )
    app.state.test_api_token = raw
    return raw


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return make_app(tmp_path)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    headers = {"Authorization": f"Bearer {app.state.test_api_token}"}
    with TestClient(app, base_url="http://testserver", headers=headers) as c:
        yield c
