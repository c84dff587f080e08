"""The access report a person reads: an access request filed, executed from the agent's page by
the embedded worker on the demo operator's real database, and the ZIP the request carries
opened as the subject opens it. Plain phrases, the legal basis per purpose, the rights and how
to complain, the register's column labels, a city's name instead of its id, rows sorted, CSVs
that Excel reads as UTF-8, a clear page when nothing is held; in English and in Russian."""

from __future__ import annotations

import csv
import html
import io
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from steward.datastores.executor import forget_connections
from steward.requests import service, verification
from steward.requests.tables import SubjectRequest
from steward.store.db import transaction as store_transaction

from ...conftest import EXAMPLES
from ...jobs_app import drain, embedded_app
from ...personas import sign_in_as


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "app.db"
    subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "demo" / "make_demo_db.py"),
            str(path),
            "--customers",
            "40",
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def setup(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    app_db = tmp_path / "app.db"
    app_db.write_bytes(demo_template.read_bytes())
    monkeypatch.setenv("DEMO_APP_DATABASE_URL", f"sqlite:///{app_db}")
    app = embedded_app(tmp_path, monkeypatch)
    with TestClient(app, follow_redirects=False) as client:
        yield client, app_db
    drain()
    forget_connections()


def _access_zip(client: TestClient, email: str, lang: str) -> zipfile.ZipFile:
    """File and verify an access request, execute it from the agent's page, wait for the worker."""
    app = client.app
    with store_transaction(app.state.sessions) as session:
        found = service.file_request(
            session, app.state.register, service.Intake(kind="access", email=email, lang=lang)
        )
        verification.prove(
            session,
            found,
            ["email"],
            how="email-code",
            actor="subject",
            register=app.state.register,
        )
        request_id = found.id
    csrf = sign_in_as(client, "agent")
    answer = client.post(
        f"/admin/requests/{request_id}", data={"csrf_token": csrf, "action": "execute"}
    )
    assert answer.status_code == 303, answer.text
    drain()
    with app.state.sessions() as session:
        done = session.get(SubjectRequest, request_id)
        assert done is not None and done.state == "completed", done.outcome if done else None
        assert done.result_type == "application/zip"
        return zipfile.ZipFile(io.BytesIO(done.result))


def _customer(app_db: Path, lang: str) -> dict[str, object]:
    db = sqlite3.connect(app_db)
    db.row_factory = sqlite3.Row
    row = db.execute(
        "SELECT c.id, c.email, c.full_name, ci.name AS city, "
        "(SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS orders "
        "FROM customers c JOIN cities ci ON ci.id = c.city_id "
        "WHERE c.language = ? AND (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) > 1 "
        "LIMIT 1",
        (lang,),
    ).fetchone()
    db.close()
    assert row is not None, "the demo database has no such customer"
    return dict(row)


def _text(page: str) -> str:
    """The report as a person reads it: tags and styles gone, whitespace runs made one space."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = archive.read(name)
    assert raw.startswith("\ufeff".encode()), f"{name} has no UTF-8 byte-order mark"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_access_report_reads_as_plain_words_in_the_subjects_language(setup, lang: str) -> None:
    client, app_db = setup
    customer = _customer(app_db, lang)
    archive = _access_zip(client, str(customer["email"]), lang)
    page = archive.read("report.html").decode()
    text = _text(page)
    assert f'<html lang="{lang}">' in page
    expected = {
        "en": [
            "Your personal data",
            "3 years after the contract ends",  # orders: P3Y from contract-end
            "5 years from collection",  # accounting: P5Y from collection
            "Performance of a contract with you",  # the legal basis of orders
            "A legal obligation (402-FZ Art. 29; GDPR Art. 6(1)(c))",
            "Your account (1 record)",
            f"Orders ({customer['orders']} records)",
            "E-mail",
            "City",
            "(stored, not shown)",
            "Access: learn whether we process your data",
            "complain to Roskomnadzor",
            "How to use them or complain",
            "privacy@polar-tea.example",
        ],
        "ru": [
            "Ваши персональные данные",
            "3 года после окончания действия договора",
            "5 лет с момента получения",
            "Исполнение договора с вами",
            "Требование законодательства (402-FZ Art. 29; GDPR Art. 6(1)(c))",
            "Учётная запись (1 запись)",
            f"Заказы ({customer['orders']} записи)"
            if customer["orders"] in (2, 3, 4)
            else f"Заказы ({customer['orders']} записей)",
            "Электронная почта",
            "Город",
            "(хранится, не показывается)",
            "Право на доступ: узнать, обрабатываем ли мы ваши данные",
            "Роскомнадзор",
            "Как воспользоваться правами или обжаловать наши действия",
        ],
    }[lang]
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing, missing
    for raw in ("P3Y", "P5Y", "contract-end", "city_id", "1 records", "password_hash"):
        assert raw not in text, f"{raw!r} is in the report"
    assert str(customer["full_name"]) in text

    account = _csv(archive, "app.customers.csv")
    assert len(account) == 1
    city = "City" if lang == "en" else "Город"
    assert account[0][city] == customer["city"]  # the city's name, looked up, not its id
    assert "city_id" not in account[0]
    orders = _csv(archive, "app.orders.csv")
    ids = [int(row["Id"]) for row in orders]
    assert ids == sorted(ids) and len(ids) == customer["orders"]


def test_a_person_we_hold_nothing_about_is_told_so_and_still_learns_their_rights(setup) -> None:
    client, _ = setup
    archive = _access_zip(client, "nobody-here@example.org", "en")
    assert sorted(archive.namelist()) == ["data.json", "report.html"]
    text = _text(archive.read("report.html").decode())
    assert "We hold no data about you" in text
    assert "found no personal data about you" in text
    assert "Your rights" in text and "complain to Roskomnadzor" in text
    assert "What we hold and why" not in text
