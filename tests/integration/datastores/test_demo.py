"""The executor on the demo operator's database (examples/demo), as `make run` serves it."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from steward.datastores import ExecutionRequest, InvalidRequest, execute, export_of, is_restricted
from steward.datastores.executor import forget_connections
from steward.register import load_register
from steward.register.models import Register
from steward.store.db import make_engine, session_factory, upgrade

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "examples" / "demo"
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "app.db"
    subprocess.run(
        [sys.executable, str(DEMO / "make_demo_db.py"), str(path), "--customers", "120"],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def demo(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Register, sessionmaker[Session]]:
    path = tmp_path / "app.db"
    path.write_bytes(demo_template.read_bytes())
    monkeypatch.setenv("DEMO_APP_DATABASE_URL", f"sqlite:///{path}")
    store = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(store)
    yield path, load_register(DEMO / "register.yaml"), session_factory(store)
    forget_connections()
    store.dispose()


def _customer(path: Path, where: str) -> tuple[int, str, str, str]:
    db = sqlite3.connect(path)
    row = db.execute(f"SELECT id, email, phone, language FROM customers WHERE {where}").fetchone()
    db.close()
    return row


def test_access_zip_labels_every_field_and_reports_in_the_subjects_language(
    demo: tuple[Path, Register, sessionmaker[Session]],
) -> None:
    path, register, factory = demo
    cid, email, _phone, language = _customer(
        path,
        "language = 'ru' AND id IN (SELECT customer_id FROM orders) "
        "AND id IN (SELECT customer_id FROM support_tickets) LIMIT 1",
    )
    result = execute(
        factory,
        register,
        ExecutionRequest("access", {"email": email.upper()}, "A-1", language=language),
        secret=b"k",
        today=TODAY,
    )
    with factory() as session:
        exported = export_of(session, result["run"])
    assert exported is not None
    archive = zipfile.ZipFile(io.BytesIO(exported[1]))
    assert {"data.json", "report.html", "app.customers.csv", "app.orders.csv"} <= set(
        archive.namelist()
    )
    data = json.loads(archive.read("data.json"))
    [customer] = data["datastores"]["app"]["customers"]
    assert customer["id"]["value"] == cid
    assert customer["email"] == {
        "value": email,
        "category": "contact.email",
        "label": "Электронная почта",
    }
    assert customer["password_hash"]["value"] == "(хранится, не показывается)"
    db = sqlite3.connect(path)
    orders = {r[0] for r in db.execute("SELECT id FROM orders WHERE customer_id = ?", (cid,))}
    db.close()
    assert {o["id"]["value"] for o in data["datastores"]["app"]["orders"]} == orders
    assert "cities" not in data["datastores"]["app"], "reference data was exported"
    rows = list(csv.DictReader(io.StringIO(archive.read("app.orders.csv").decode("utf-8-sig"))))
    assert [int(r["Id"]) for r in rows] == sorted(orders)
    report = archive.read("report.html").decode()
    assert 'lang="ru"' in report and "Ваши персональные данные" in report
    assert "Бухгалтерский и налоговый учёт" in report and "Федеральная налоговая служба" in report
    assert "5 лет с момента получения" in report and "P5Y" not in report


def test_portability_keeps_only_what_the_subject_provided(
    demo: tuple[Path, Register, sessionmaker[Session]],
) -> None:
    path, register, factory = demo
    _cid, email, _phone, _lang = _customer(path, "id IN (SELECT customer_id FROM orders) LIMIT 1")
    result = execute(
        factory,
        register,
        ExecutionRequest("portability", {"email": email}, "P-1"),
        secret=b"k",
        today=TODAY,
    )
    with factory() as session:
        exported = export_of(session, result["run"])
    assert exported is not None
    archive = zipfile.ZipFile(io.BytesIO(exported[1]))
    assert "report.html" not in archive.namelist()
    customer = json.loads(archive.read("data.json"))["datastores"]["app"]["customers"][0]
    assert "email" in customer and "created_at" not in customer


def test_erasure_holds_invoices_and_restricts_them_in_stewards_list(
    demo: tuple[Path, Register, sessionmaker[Session]],
) -> None:
    path, register, factory = demo
    cid, email, phone, _lang = _customer(
        path, "id IN (SELECT customer_id FROM orders WHERE created_at > '2025-12-01') LIMIT 1"
    )
    result = execute(
        factory,
        register,
        ExecutionRequest("erasure", {"phone": phone}, "E-1"),
        secret=b"k",
        today=TODAY,
    )
    assert result["residual"] == 0
    assert {h["purpose"] for h in result["holds"]} == {"accounting"}
    db = sqlite3.connect(path)
    invoice = db.execute(
        "SELECT i.id FROM invoices i JOIN orders o ON o.id = i.order_id WHERE o.customer_id = ?",
        (cid,),
    ).fetchone()
    account = db.execute("SELECT email, full_name FROM customers WHERE id = ?", (cid,)).fetchone()
    calls = db.execute(
        "SELECT count(*) FROM call_recordings WHERE caller_phone = ?", (phone,)
    ).fetchone()
    db.close()
    assert account is not None and email not in account and "[erased]" in account
    assert calls == (0,)
    with factory() as session:
        assert is_restricted(session, "app", "invoices", [invoice[0]])


def test_rectification_validates_and_changes_only_the_named_fields(
    demo: tuple[Path, Register, sessionmaker[Session]],
) -> None:
    path, register, factory = demo
    cid, email, _phone, _lang = _customer(path, "1=1 LIMIT 1")
    with pytest.raises(InvalidRequest, match="not a valid e-mail"):
        execute(
            factory,
            register,
            ExecutionRequest(
                "rectification",
                {"email": email},
                "R-0",
                rectify={"contact.email": "not an address"},
            ),
            secret=b"k",
            today=TODAY,
        )
    execute(
        factory,
        register,
        ExecutionRequest(
            "rectification",
            {"email": email},
            "R-1",
            rectify={"contact.phone": "8 (912) 555-01-02", "identity.name": "Anna K"},
        ),
        secret=b"k",
        today=TODAY,
    )
    db = sqlite3.connect(path)
    row = db.execute(
        "SELECT email, phone, full_name FROM customers WHERE id = ?", (cid,)
    ).fetchone()
    db.close()
    assert row == (email, "+79125550102", "Anna K")


def test_bad_identifiers_get_a_clear_error(
    demo: tuple[Path, Register, sessionmaker[Session]],
) -> None:
    _path, register, factory = demo
    for identifiers, message in (
        ({}, "at least one identifier"),
        ({"phone": "12"}, "phone number is not valid"),
        ({"email": "nobody@"}, "e-mail address is not valid"),
        ({"passport": "1234"}, "unknown identifier"),
    ):
        with pytest.raises(InvalidRequest, match=message):
            execute(factory, register, ExecutionRequest("access", identifiers, "X"), secret=b"k")


def test_restriction_puts_every_row_of_the_subject_on_stewards_list(
    demo: tuple[Path, Register, sessionmaker[Session]],
) -> None:
    path, register, factory = demo
    cid, email, _phone, _lang = _customer(path, "id IN (SELECT customer_id FROM orders) LIMIT 1")
    before = path.read_bytes()
    result = execute(
        factory,
        register,
        ExecutionRequest("restriction", {"email": email}, "S-1"),
        secret=b"k",
        today=TODAY,
    )
    assert result["totals"]["restricted"] == result["totals"]["found"] > 1
    with factory() as session:
        assert is_restricted(session, "app", "customers", [cid])
        assert not is_restricted(session, "app", "customers", [cid + 1])
    assert path.read_bytes() == before, "restriction without a flag column changed the database"


def test_datastores_test_command_reports_ok_and_problems(
    demo: tuple[Path, Register, sessionmaker[Session]], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from steward.cli import app

    ok = CliRunner().invoke(app, ["datastores", "test", str(DEMO / "register.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "app (sqlite): 7 tables reflected, 7 in the register: ok" in ok.output
    broken = tmp_path / "register.yaml"
    broken.write_text(
        (DEMO / "register.yaml")
        .read_text(encoding="utf-8")
        .replace("audio_path:", "audio_file:")
        .replace("key: id, value: name}", "key: id, value: title}"),
        encoding="utf-8",
    )
    bad = CliRunner().invoke(app, ["datastores", "test", str(broken)])
    assert bad.exit_code == 1
    assert "app.call_recordings: column 'audio_file' does not exist" in bad.output
    assert "app.customers: column 'city_id' looks up cities.title, which does not exist" in (
        " ".join(bad.output.split())
    )
