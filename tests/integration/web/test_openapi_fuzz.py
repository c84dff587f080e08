"""The API's published schema is its real one: every route the app serves under /api/ is in
the OpenAPI document with a response model, and schemathesis, driving the app with a real
token carrying every scope and with no credentials at all, finds no server error and no
response that differs from the schema (status code, content type, body).

Examples are limited so that the run stays within about a minute: CI runs it every time.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from steward.accounts.tokens import SCOPES
from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import API_DOCS_PATHS, create_app

from ...conftest import EXAMPLES
from ...personas import api_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


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


def test_every_api_route_is_published_with_a_response_model(fuzz_app) -> None:
    paths = fuzz_app.openapi()["paths"]
    missing, untyped = [], []
    for context in iter_route_contexts(fuzz_app.routes):
        route = context.original_route
        if not context.path.startswith("/api/") or context.path in API_DOCS_PATHS:
            continue
        assert isinstance(route, APIRoute), f"{context.path} is not an API route"
        for method in sorted(set(context.methods or ()) - {"HEAD"}):
            operation = paths.get(context.path, {}).get(method.lower())
            if operation is None:
                missing.append(f"{method} {context.path}")
                continue
            ok = [r for s, r in operation["responses"].items() if s.startswith("2")]
            content = ok[0].get("content", {}) if ok else {}
            # JSON for data; a document (the breach evidence as PDF) is a typed binary string
            body = (content.get("application/json") or next(iter(content.values()), {})).get(
                "schema"
            )
            if not body or not {"$ref", "type", "anyOf", "items"} & set(body):
                untyped.append(f"{method} {context.path}")
    assert not missing, f"routes the app serves but the OpenAPI does not publish: {missing}"
    assert not untyped, f"routes without a response model: {untyped}"


@pytest.mark.parametrize("who", ["token", "anonymous"])
def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(fuzz_app, who: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"} if who == "token" else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sum(op.path.startswith("/api/") for op in operations) >= 18, "API routes missing"
    failures: list[str] = []
    answered: set[str] = set()  # operations whose success (2xx) body was checked
    for operation in operations:
        for mode, examples in ((GenerationMode.POSITIVE, 10), (GenerationMode.NEGATIVE, 5)):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def run(case) -> None:
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                if response.status_code < 300:
                    answered.add(f"{case.operation.method.upper()} {case.operation.path}")

            try:
                run()
            except Unsatisfiable:  # nothing invalid to send (e.g. a free-text path parameter)
                continue
            except BaseException as exc:  # every operation's failures, not only the first
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
                )
    assert not failures, "\n\n".join(f[:1500] for f in failures)
    print(sorted(answered))
    if who == "token":  # the success bodies were checked against their models, not only errors
        assert len([a for a in answered if " /api/" in a]) >= 6, sorted(answered)
    else:
        assert not [a for a in answered if " /api/" in a], sorted(answered)
