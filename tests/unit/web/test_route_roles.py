"""Every route × every persona (owner, dpo, agent, auditor, stranger): allowed or refused.

``TABLE`` names who may use each admin route. A route not in it must still be guarded: the test
reads the permission from its ``require(...)`` dependency and checks each role against it, or
the route must be listed in ``PUBLIC``. When you add a route, add its row here.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from steward.web.auth import ROLE_PERMISSIONS, SCOPE_PERMISSIONS

from ...personas import ensure_person, sign_in_as

ROLES = ("owner", "dpo", "agent", "auditor")
EVERYONE = set(ROLES)
READERS = {"owner", "dpo", "auditor"}
MANAGERS = {"owner", "dpo"}
OWNER = {"owner"}

TABLE: dict[tuple[str, str], set[str]] = {
    ("GET", "/admin/"): EVERYONE,
    ("GET", "/admin/charts/{slug}.svg"): EVERYONE,
    ("GET", "/admin/account"): EVERYONE,
    ("POST", "/admin/account/password"): EVERYONE,
    ("POST", "/admin/account/language"): EVERYONE,
    ("GET", "/admin/account/totp"): EVERYONE,
    ("POST", "/admin/account/totp"): EVERYONE,
    ("POST", "/admin/account/totp/disable"): EVERYONE,
    ("POST", "/admin/account/sessions/{session_id}/revoke"): EVERYONE,
    ("POST", "/admin/account/sign-out-everywhere"): EVERYONE,
    ("POST", "/admin/sign-out"): EVERYONE,
    ("GET", "/admin/requests"): EVERYONE,
    ("GET", "/admin/consents"): EVERYONE,
    ("POST", "/admin/consents"): EVERYONE,
    ("GET", "/admin/consents/receipts/{receipt_id}"): EVERYONE,
    ("GET", "/admin/notices"): EVERYONE,
    ("GET", "/admin/register"): EVERYONE,
    ("GET", "/admin/breaches"): READERS,
    ("POST", "/admin/breaches"): MANAGERS,
    ("GET", "/admin/breaches/{reference}"): READERS,
    ("POST", "/admin/breaches/{reference}"): MANAGERS,
    ("GET", "/admin/breaches/{reference}/evidence.json"): READERS,
    ("GET", "/admin/breaches/{reference}/evidence.html"): READERS,
    ("GET", "/admin/breaches/{reference}/evidence.pdf"): READERS,
    ("GET", "/admin/retention"): READERS,
    ("POST", "/admin/retention/run"): MANAGERS,
    ("POST", "/admin/retention/holds"): MANAGERS,
    ("POST", "/admin/retention/holds/{hold_id}/release"): MANAGERS,
    ("GET", "/admin/retention/acts/{run_id}"): READERS,
    ("GET", "/admin/retention/acts/{run_id}.pdf"): READERS,
    ("GET", "/admin/discovery"): READERS,
    ("POST", "/admin/discovery/{finding_id}/decide"): MANAGERS,
    ("GET", "/admin/filings"): READERS,
    ("GET", "/admin/filings/record.{fmt}"): READERS,
    ("GET", "/admin/filings/{draft_id}.{fmt}"): READERS,
    ("POST", "/admin/filings/{draft_id}/filed"): MANAGERS,
    ("GET", "/admin/audit"): READERS,
    ("GET", "/admin/audit/export.csv"): READERS,
    ("GET", "/admin/audit/export.jsonl"): READERS,
    ("GET", "/admin/people"): READERS,
    ("POST", "/admin/people/invite"): OWNER,
    ("POST", "/admin/people/{person_id}/role"): OWNER,
    ("POST", "/admin/people/{person_id}/deactivate"): OWNER,
    ("POST", "/admin/invitations/{invitation_id}/revoke"): OWNER,
    ("GET", "/admin/outbox"): READERS,
    ("GET", "/admin/outbox/{message_id}"): READERS,
    ("GET", "/admin/settings"): READERS,
    ("POST", "/admin/settings/totp"): OWNER,
    ("POST", "/admin/settings/test-email"): MANAGERS,
    ("POST", "/admin/settings/tokens"): MANAGERS,
    ("POST", "/admin/settings/tokens/{token_id}/revoke"): MANAGERS,
    ("GET", "/api/v1/disclosures"): EVERYONE,
    ("POST", "/api/v1/disclosures"): MANAGERS,
}

PUBLIC = {
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/privacy"),  # redirects to the Privacy Center home, /privacy/
    ("GET", "/admin/sign-in"),
    ("POST", "/admin/sign-in"),
    ("GET", "/admin/sign-in/totp"),
    ("POST", "/admin/sign-in/totp"),
    ("GET", "/admin/password-reset"),
    ("POST", "/admin/password-reset"),
    ("GET", "/admin/password-reset/{token}"),
    ("POST", "/admin/password-reset/{token}"),
    ("GET", "/admin/invitations/{token}"),
    ("POST", "/admin/invitations/{token}"),
    # Consents: the banner and its choices, GPC, receipts' key, one-click unsubscribe links
    # and the subject's own consent page (signed link or e-mailed code).
    ("GET", "/consent/banner.js"),
    ("OPTIONS", "/consent/choice"),
    ("POST", "/consent/choice"),
    ("GET", "/consent/preview"),
    ("GET", "/.well-known/gpc.json"),
    ("GET", "/.well-known/steward-consent-key.json"),
    ("GET", "/consent/unsubscribe/{token}"),
    ("POST", "/consent/unsubscribe/{token}"),
    ("GET", "/privacy/consents"),
    ("POST", "/privacy/consents"),
    ("GET", "/privacy/consents/{token}"),
    ("POST", "/privacy/consents/{token}"),
    ("GET", "/privacy/consents/{token}/receipts/{receipt_id}"),
    ("GET", "/privacy/requests/new"),
    ("POST", "/privacy/requests/new"),
    ("GET", "/privacy/requests/s/{token}"),
    ("POST", "/privacy/requests/s/{token}/verify"),
    ("POST", "/privacy/requests/s/{token}/resend"),
    ("GET", "/privacy/requests/result/{token}"),
    ("POST", "/privacy/requests/result/{token}/code"),
    ("POST", "/privacy/requests/result/{token}/verify"),
}
# Pages for data subjects and site visitors: public by design, rate-limited instead.
PUBLIC_PREFIXES = ("/privacy/", "/consent/", "/.well-known/")
# Routes of the framework itself (OpenAPI document and its viewer).
FRAMEWORK = {"/openapi.json", "/api/docs", "/api/docs/oauth2-redirect"}


def _guard(route: APIRoute) -> tuple[str, str] | None:
    """("permission", name) or ("scope", name) from the route's auth dependency, if any."""
    for dependency in route.dependant.dependencies:
        name = getattr(dependency.call, "__name__", "")
        if name.startswith("require_scope_"):
            scope = name.removeprefix("require_scope_").replace("_", ":", 1)
            return ("scope", scope)
        if name.startswith("require_"):
            permission = name.removeprefix("require_").replace("_", ".", 1)
            return ("permission", permission)
    return None


def _routes(app) -> list[tuple[str, str, APIRoute]]:
    """Every (method, path, route) of the app, through included routers."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path not in FRAMEWORK:
            for method in sorted(set(context.methods or ()) - {"HEAD"}):
                found.append((method, context.path, route))
    return found


def _expected(method: str, path: str, route: APIRoute) -> tuple[str, set[str]]:
    if (method, path) in TABLE:
        return "permission", TABLE[(method, path)]
    guard = _guard(route)
    if guard is None:
        return "public", EVERYONE
    kind, name = guard
    if kind == "scope":
        assert name in SCOPE_PERMISSIONS, f"{method} {path}: unknown scope {name}"
        return "scope", set()
    return "permission", {role for role in ROLES if name in ROLE_PERMISSIONS[role]}


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_is_in_the_table_or_guarded_or_public(web_app) -> None:
    problems = []
    for method, path, route in _routes(web_app):
        if (method, path) in TABLE or (method, path) in PUBLIC or path.startswith(PUBLIC_PREFIXES):
            continue
        if _guard(route) is None:
            problems.append(f"{method} {path}: no require(...) and not listed in PUBLIC")
    assert not problems, "\n".join(problems)


def test_the_table_matches_the_role_permissions_it_guards_with(web_app) -> None:
    """The explicit table and the permissions the routes ask for say the same thing."""
    routes = {(m, p): r for m, p, r in _routes(web_app)}
    assert set(TABLE) <= set(routes), set(TABLE) - set(routes)
    for key, allowed in TABLE.items():
        guard = _guard(routes[key])
        assert guard is not None and guard[0] == "permission", key
        granted = {role for role in ROLES if guard[1] in ROLE_PERMISSIONS[role]}
        assert granted == allowed, f"{key}: routes grant {granted}, table says {allowed}"


@pytest.mark.parametrize("persona", [*ROLES, "stranger"])
def test_each_persona_is_allowed_exactly_the_routes_the_table_gives_it(web_app, persona) -> None:
    for role in ROLES:
        ensure_person(web_app, role)
    wrong = []
    client = TestClient(web_app, follow_redirects=False)
    for method, path, route in _routes(web_app):
        kind, allowed = _expected(method, path, route)
        client.cookies.clear()  # a fresh session each time: some routes end sessions
        csrf = sign_in_as(client, persona) if persona != "stranger" else _anon_csrf(client)
        response = client.request(method, _url(path), data={"csrf_token": csrf})
        status = response.status_code
        to_sign_in = status == 303 and response.headers["location"].startswith("/admin/sign-in?")
        refused = status in (401, 403) or to_sign_in
        if kind == "public":
            if refused and not (path.startswith("/admin/sign-in") and status == 303):
                wrong.append(f"{method} {path}: public but refused {persona} ({status})")
        elif kind == "scope":
            if status != 401:
                wrong.append(f"{method} {path}: token-only but {persona} got {status}")
        elif persona in allowed:
            if refused:
                wrong.append(f"{method} {path}: {persona} should be allowed, got {status}")
            assert status < 500, f"{method} {path} as {persona}: {status}"
        elif persona == "stranger":
            if not (to_sign_in or status == 401):
                wrong.append(f"{method} {path}: stranger should be sent to sign in, got {status}")
        elif status != 403:
            wrong.append(f"{method} {path}: {persona} should be refused (403), got {status}")
    assert not wrong, "\n".join(wrong)


def _anon_csrf(client: TestClient) -> str:
    page = client.get("/admin/sign-in")
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found
    return found.group(1)


@pytest.mark.parametrize("scope", sorted(SCOPE_PERMISSIONS))
def test_an_api_token_works_on_the_api_only_and_each_scope_on_exactly_its_endpoints(
    web_app, scope: str
) -> None:
    """A token is not a person: outside /api/ it is no one; on /api/ its scope decides."""
    from ...personas import api_token

    token = api_token(web_app, {scope})
    client = TestClient(web_app, follow_redirects=False)
    wrong = []
    for method, path, route in _routes(web_app):
        guard = _guard(route)
        if guard is None:
            continue
        response = client.request(
            method, _url(path), headers={"Authorization": f"Bearer {token}"}, json={}
        )
        status = response.status_code
        refused = status in (401, 403) or (
            status == 303 and response.headers["location"].startswith("/admin/sign-in")
        )
        kind, name = guard
        if not path.startswith("/api/"):
            if not refused:
                wrong.append(f"{method} {path}: a {scope} token acted as a person ({status})")
            continue
        allowed = name == scope if kind == "scope" else name in SCOPE_PERMISSIONS[scope]
        if allowed and refused:
            wrong.append(f"{method} {path}: {scope} should be allowed, got {status}")
        if not allowed and not refused:
            wrong.append(f"{method} {path}: {scope} should be refused, got {status}")
    assert not wrong, "\n".join(wrong)


def test_huge_integers_in_any_path_get_a_clear_answer_not_a_server_error(web_app) -> None:
    """A path id beyond any column's range is 'not found' (or refused), never a 500."""
    for role in ROLES:
        ensure_person(web_app, role)
    client = TestClient(web_app, follow_redirects=False)
    csrf = sign_in_as(client, "owner")
    huge = "9" * 40
    errors = []
    for method, path, _route in _routes(web_app):
        if "{" not in path:
            continue
        url = re.sub(r"\{[^}]+\}", huge, path)
        status = client.request(method, url, data={"csrf_token": csrf}).status_code
        if status >= 500 and status != 503:  # 503: consents without a register, by design
            errors.append(f"{method} {path}: {status}")
    assert not errors, "\n".join(errors)


def test_the_restriction_list_answers_only_a_restrictions_token(web_app) -> None:
    """Least privilege both ways: ``restrictions:read`` opens ``GET /api/v1/restrictions`` and
    nothing else; no other scope and no signed-in person opens it."""
    from ...personas import api_token

    routes = {(m, p): r for m, p, r in _routes(web_app)}
    for method, path in (("GET", "/api/v1/restrictions"), ("POST", "/api/v1/restrictions/check")):
        assert _guard(routes[(method, path)]) == ("scope", "restrictions:read"), (method, path)
    assert SCOPE_PERMISSIONS["restrictions:read"] == frozenset()
    client = TestClient(web_app, follow_redirects=False)
    for scope in sorted(SCOPE_PERMISSIONS):
        headers = {"Authorization": f"Bearer {api_token(web_app, {scope}, name=f'only {scope}')}"}
        answers = (
            client.get(
                "/api/v1/restrictions", params={"email": "anna@example.com"}, headers=headers
            ),
            client.post(
                "/api/v1/restrictions/check",
                json={"identifiers": {"email": "anna@example.com"}},
                headers=headers,
            ),
        )
        for answer in answers:
            if scope == "restrictions:read":  # past the guard (503 here: this app has no register)
                assert answer.status_code not in (401, 403, 404, 405), answer.text
            else:
                assert answer.status_code == 403, (scope, answer.status_code, answer.text)
    ensure_person(web_app, "owner")
    sign_in_as(client, "owner")
    assert client.get("/api/v1/restrictions", params={"email": "a@b.co"}).status_code == 401
    check = client.post("/api/v1/restrictions/check", json={"identifiers": {"email": "a@b.co"}})
    assert check.status_code == 401


def test_the_admin_writes_read_unauthenticated_are_exactly_the_unguarded_ones(web_app) -> None:
    """``web/limits.ANONYMOUS_ADMIN_WRITES`` lets a body be read without a session: it must name
    every staff form that has no guard of its own (else it could never be sent) and nothing
    else (else a guarded form's upload would be read for anyone)."""
    from steward.web.limits import needs_principal

    wrong = []
    for method, path, route in _routes(web_app):
        if not path.startswith("/admin/") or method in ("GET", "HEAD", "OPTIONS"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        if (_guard(route) is None) == needs_principal(method, concrete):
            wrong.append(f"{method} {path}: guard {_guard(route)}")
    assert not wrong, "\n".join(wrong)


def test_the_restriction_check_refuses_what_is_not_a_question(web_app) -> None:
    from ...personas import api_token

    client = TestClient(web_app)
    headers = {"Authorization": f"Bearer {api_token(web_app, {'restrictions:read'}, name='r')}"}
    for body, status in (
        ({"identifiers": {"passport": "4510 123456"}}, 400),
        ({"identifiers": {"email": "a" * 400 + "@b.co"}}, 400),
        ({"identifiers": {}}, 400),
        ({"identifiers": {"email": "   "}}, 400),
        ({"identifiers": {"email": "a@b.co"}, "purpse": "mailings"}, 422),
    ):
        answer = client.post("/api/v1/restrictions/check", json=body, headers=headers)
        assert answer.status_code == status, (body, answer.status_code, answer.text)
        assert answer.json()["error"]["code"], answer.text
