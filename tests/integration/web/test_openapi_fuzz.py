"""schemathesis against the OpenAPI document: no input makes any API route answer 5xx, and
every error follows the one JSON envelope. Runs with a real API token carrying every scope."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from steward.accounts.tokens import SCOPES
from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...personas import api_token


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings_ = Settings(
        dev=True,
        database_url=url,
        register_path=EXAMPLES / "demo" / "register.yaml",
        rate_limit_per_minute=100_000,
    )
    app = create_app(settings_)
    app.state.fuzz_token = api_token(app, SCOPES)
    return app


def test_no_api_input_causes_a_server_error(fuzz_app) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path.startswith("/api/") for op in operations), "no API routes to fuzz"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, (where, response.text[:300])
            if response.status_code >= 400 and case.path.startswith("/api/"):
                body = response.json()
                assert set(body) == {"error"}, (where, body)
                assert {"code", "message"} <= set(body["error"]), (where, body)

        run()
