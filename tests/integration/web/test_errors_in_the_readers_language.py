"""Errors a person reads follow their language; the machine-readable ``code`` never changes.

The API's envelope follows Accept-Language, the admin's error page the admin's language, the
Privacy Center's form the page's language; the dashboard's chart images too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from steward.lib import i18n
from steward.web.auth import csrf_token_for
from steward.web.security import CSRF_COOKIE

from ...apps import fresh_app
from ...personas import PASSWORD, api_token, sign_in_as


@pytest.fixture
def app(tmp_path: Path):
    return fresh_app(tmp_path, "demo")


def _error(answer) -> dict[str, str]:
    return answer.json()["error"]


@pytest.mark.parametrize(
    ("path", "code", "english", "russian"),
    [
        ("/api/v1/requests/R-NOPE", "not_found", "No request R-NOPE.", "Обращения R-NOPE нет."),
        ("/api/v1/nowhere", "not_found", "There is nothing at this address.", "По этому адресу"),
    ],
)
def test_an_api_error_is_told_in_the_accept_language_with_the_same_code(
    app, path: str, code: str, english: str, russian: str
) -> None:
    client = TestClient(app)
    token = api_token(app, {"requests:read"})
    auth = {"Authorization": f"Bearer {token}"}
    en = client.get(path, headers=auth)
    ru = client.get(path, headers={**auth, "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert en.status_code == ru.status_code == 404
    assert _error(en) == {"code": code, "message": english}
    assert _error(ru)["code"] == code and _error(ru)["message"].startswith(russian)


def test_a_service_error_reaches_the_api_in_russian_with_its_code(app) -> None:
    client = TestClient(app)
    token = api_token(app, {"requests:write"})
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "ru"}
    bad = client.post("/api/v1/requests", json={"kind": "access"}, headers=headers)
    assert bad.status_code == 422
    assert _error(bad) == {
        "code": "invalid",
        "message": "укажите хотя бы один идентификатор: адрес электронной почты, телефон или "
        "номер учётной записи",
    }
    headers["Accept-Language"] = "en"
    bad = client.post("/api/v1/requests", json={"kind": "access", "email": "x@"}, headers=headers)
    assert _error(bad)["message"] == "the e-mail address is not valid; write it as name@example.com"


def test_an_unauthenticated_api_call_is_told_in_russian(app) -> None:
    answer = TestClient(app).get("/api/v1/requests", headers={"Accept-Language": "ru"})
    assert answer.status_code == 401
    assert _error(answer)["code"] == "unauthenticated"
    assert _error(answer)["message"] == "Сначала войдите."


def test_the_privacy_center_form_tells_a_bad_identifier_in_the_pages_language(app) -> None:
    client = TestClient(app)
    client.cookies.set(CSRF_COOKIE, "seed")
    csrf = csrf_token_for(app.state.settings.secret_key.get_secret_value(), "seed")
    data = {"csrf_token": csrf, "kind": "access", "email": "not an address"}
    ru = client.post("/privacy/requests/new", data={**data, "lang": "ru"})
    assert ru.status_code == 400
    assert "адрес электронной почты указан неверно" in ru.text
    assert "is not valid" not in ru.text
    en = client.post("/privacy/requests/new", data={**data, "lang": "en"})
    assert "the e-mail address is not valid" in en.text
    scan = {"attachment": ("scan.pdf", b"MZ\x90\x00binary", "application/pdf")}
    fields = {**data, "email": "a@example.com", "lang": "ru"}
    refused = client.post("/privacy/requests/new", data=fields, files=scan)
    assert refused.status_code == 400
    assert "приложенный файл не является PDF, JPEG или PNG" in refused.text


def test_the_admins_error_page_and_charts_follow_the_admins_language(app) -> None:
    client = TestClient(app, follow_redirects=False)
    sign_in_as(client, "owner")
    ru = {"Accept-Language": "ru"}
    missing = client.get("/admin/requests/999999", headers=ru)
    assert missing.status_code == 404
    assert "Обращения 999999 нет." in missing.text and "Не найдено" in missing.text
    assert "No request" not in missing.text
    chart = client.get("/admin/charts/audit-activity.svg", headers=ru)
    assert chart.status_code == 200
    shown = set(re.findall(r"<(?:text|tspan|title)[^>]*>([^<]+)<", chart.text))
    title = i18n.translator("ru").gettext("Audit log entries per day")
    assert title != "Audit log entries per day" and title in shown
    months = ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
    assert any(any(m in label for m in months) for label in shown), shown
    english = client.get("/admin/charts/audit-activity.svg", headers={"Accept-Language": "en"})
    assert "Audit log entries per day" in english.text
    dashboard = client.get("/admin/", headers=ru)
    assert dashboard.status_code == 200 and title in dashboard.text


def test_an_api_422_tells_each_field_in_the_accept_language_keeping_where_and_the_code(
    app,
) -> None:
    client = TestClient(app)
    token = api_token(app, {"breaches:write"})
    body = {"nature": "x" * 20_001, "datastores": "app", "risk": "bad", "extra": 1}
    auth = {"Authorization": f"Bearer {token}"}
    en = client.post("/api/v1/breaches", json=body, headers={**auth, "Accept-Language": "en"})
    ru = client.post("/api/v1/breaches", json=body, headers={**auth, "Accept-Language": "ru"})
    assert en.status_code == ru.status_code == 422
    assert _error(en) == _error(ru) | {"message": _error(en)["message"]}  # same code, same keys
    assert _error(en)["code"] == _error(ru)["code"] == "invalid"
    english = _error(en)["message"].split("; ")
    russian = _error(ru)["message"].split("; ")
    assert english == [  # pydantic's English, unchanged
        "detected_at: Field required",
        "nature: String should have at most 20000 characters",
        "datastores: Input should be a valid list",
        "risk: String should match pattern '^(unassessed|low|high)$'",
        "extra: Extra inputs are not permitted",
    ]
    # each field where it was (the loc is for machines), its message in Russian
    assert [part.split(": ", 1)[0] for part in russian] == [
        "detected_at",
        "nature",
        "datastores",
        "risk",
        "extra",
    ]
    assert russian[0] == "detected_at: Обязательное поле"
    assert russian[1] == "nature: Строка должна быть не длиннее 20000 символов"
    assert "Input should" not in _error(ru)["message"]
    assert "'^(unassessed|low|high)$'" in russian[3]


def test_a_russian_admin_reads_the_services_refusals_in_russian(app) -> None:
    client = TestClient(app, follow_redirects=False)
    csrf = sign_in_as(client, "owner")
    client.post("/admin/account/language", data={"csrf_token": csrf, "language": "ru"})
    short = {"csrf_token": csrf, "current": PASSWORD, "new": "short", "new_again": "short"}
    answer = client.post("/admin/account/password", data=short)
    russian = i18n.say(
        "Use at least %(min)s characters; a few unrelated words make a good password.",
        "ru",
        {"min": 12},
    )
    assert russian != "Use at least 12 characters; a few unrelated words make a good password."
    assert russian in answer.text and "Use at least" not in answer.text
    # a hold that cannot be placed, told in Russian
    hold = {"csrf_token": csrf, "table": "app:customers", "record": "*", "reason": ""}
    answer = client.post("/admin/retention/holds", data=hold)
    assert answer.status_code == 400
    assert "укажите причину удержания" in answer.text
    assert "give the reason" not in answer.text
    # the last owner cannot step down
    with app.state.sessions() as session:
        from steward.accounts.people import find_person

        me = find_person(session, "owner@example.com")
        assert me is not None
        owner_id = me.id
    answer = client.post(
        f"/admin/people/{owner_id}/role", data={"csrf_token": csrf, "role": "agent"}
    )
    assert "единственный владелец" in answer.text and "last owner" not in answer.text
    # and the English admin still reads English
    client.post("/admin/account/language", data={"csrf_token": csrf, "language": "en"})
    answer = client.post("/admin/account/password", data=short)
    assert "Use at least 12 characters" in answer.text
