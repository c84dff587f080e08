"""``steward scan``: the report in text, JSON and SARIF, exit codes for CI, files, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from steward.cli import app

from .test_scan_datastores import SHOP

runner = CliRunner()


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, full_name TEXT)")
        )
        connection.execute(sa.text("CREATE TABLE orders (id INTEGER PRIMARY KEY, plan TEXT)"))
        connection.execute(
            sa.text("INSERT INTO customers (email, full_name) VALUES (:e, :n)"),
            [{"e": f"person{i}@example.com", "n": f"Person {i}"} for i in range(20)],
        )
    engine.dispose()
    monkeypatch.setenv("SHOP_DATABASE_URL", url)
    register = tmp_path / "register.yaml"
    register.write_text(SHOP, encoding="utf-8")
    return register


def _add_passports(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE customers ADD COLUMN passport TEXT"))
        connection.execute(
            sa.text("UPDATE customers SET passport = '45' || (10 + id) || ' 1234' || (10 + id)")
        )
    engine.dispose()


def test_a_clean_database_exits_0_and_an_undeclared_column_exits_1(shop: Path) -> None:
    clean = runner.invoke(app, ["scan", str(shop)])
    assert clean.exit_code == 0, clean.output
    assert "0 error(s)" in clean.output
    _add_passports(shop.parent)
    dirty = runner.invoke(app, ["scan", str(shop), "--format", "json"])
    assert dirty.exit_code == 1
    report = json.loads(dirty.stdout)
    assert [(f["kind"], f["column"], f["category"]) for f in report["findings"]] == [
        ("undeclared", "passport", "identity.document")
    ]
    assert "4510" not in dirty.stdout  # the report never repeats a value


def test_sarif_names_the_rule_and_the_column(shop: Path) -> None:
    _add_passports(shop.parent)
    result = runner.invoke(app, ["scan", str(shop), "--format", "sarif", "--datastore", "app"])
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    (finding,) = sarif["runs"][0]["results"]
    assert finding["ruleId"] == "undeclared" and finding["level"] == "error"
    name = finding["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    assert name == "app.customers.passport"
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert finding["ruleId"] in rules


def test_an_unknown_datastore_or_an_unreachable_one_exits_2(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = runner.invoke(app, ["scan", str(shop), "--datastore", "nope"])
    assert unknown.exit_code == 2 and "no datastore 'nope'" in unknown.output
    monkeypatch.delenv("SHOP_DATABASE_URL")
    unset = runner.invoke(app, ["scan", str(shop)])
    assert unset.exit_code == 2
    assert "SHOP_DATABASE_URL is not set" in unset.output


def test_files_of_every_kind_are_scanned_and_bad_input_is_noted(shop: Path) -> None:
    folder = shop.parent
    (folder / "mailbox.txt").write_bytes(
        b"From: anna@example.com\nHi, my card is 4111 1111 1111 1111, please refund.\n"
        b"bad bytes \xff\xfe here, and the passport 4510 123456 (\xd0\xbf\xd0\xb0\xd1\x81\xd0\xbf"
        b"\xd0\xbe\xd1\x80\xd1\x82)\n" + b"y" * (1024 * 1024 + 10) + b"\nlast line\n"
    )
    (folder / "export.csv").write_text(
        "id,e_mail,notes\n" + "".join(f"{i},user{i}@example.org,ok\n" for i in range(30)),
        encoding="utf-8",
    )
    (folder / "events.jsonl").write_text(
        '{"user": {"ip": "203.0.113.7"}, "n": 1}\nnot json at all\n'
        '{"user": {"ip": "198.51.100.23"}, "n": 2}\n',
        encoding="utf-8",
    )
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    args = ["scan", str(shop), "--format", "json", "--datastore", "app"]
    for name in ("mailbox.txt", "export.csv", "events.jsonl", "photo.png"):
        args += ["--file", str(folder / name)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1  # the register does not declare these files' contents
    report = json.loads(result.stdout)
    found = {(Path(f["table"]).name, f["column"], f["category"]) for f in report["findings"]}
    assert ("mailbox.txt", "", "financial.card") in found
    assert ("mailbox.txt", "", "identity.document") in found
    assert ("export.csv", "e_mail", "contact.email") in found
    assert ("events.jsonl", "user.ip", "device.ip_address") in found
    problems = "\n".join(report["problems"])
    assert "mailbox.txt:3: invalid UTF-8" in problems
    assert "mailbox.txt:4: line longer than" in problems
    assert "events.jsonl:2: not a JSON value" in problems
    assert "photo.png: binary file" in problems
    assert set(report["scanned"]) >= {"app", str(folder / "mailbox.txt")}


def test_record_stores_the_findings_for_the_discovery_page(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    from steward.config import get_settings
    from steward.discovery.store import current_findings
    from steward.store.db import make_engine, session_factory

    _add_passports(shop.parent)
    store = f"sqlite:///{shop.parent / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", store)
    get_settings.cache_clear()
    result = runner.invoke(app, ["scan", str(shop), "--record"])
    assert result.exit_code == 1
    engine = make_engine(store)
    with session_factory(engine)() as session:
        scan, rows = current_findings(session)
        assert scan is not None and scan.actor == "cli"
        assert [(r.location, r.column, r.category, r.status) for r in rows] == [
            ("customers", "passport", "identity.document", "open")
        ]
    engine.dispose()


def test_a_recorded_finding_reads_in_the_admins_language_and_the_cli_keeps_english(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``steward scan`` prints stays English; the discovery page says the same finding in
    the reader's language, the category by its name there."""
    import html
    import re

    from fastapi.testclient import TestClient

    from steward.config import Settings, get_settings
    from steward.web.app import create_app

    from ...personas import sign_in_as

    _add_passports(shop.parent)
    store = f"sqlite:///{shop.parent / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", store)
    get_settings.cache_clear()
    printed = runner.invoke(app, ["scan", str(shop), "--record"])
    assert "app.customers.passport holds identity.document (Identity document), not declared" in (
        printed.output
    ), printed.output
    client = TestClient(create_app(Settings(database_url=store, register_path=shop, dev=True)))
    sign_in_as(client, "dpo")

    def findings(lang: str) -> str:
        page = client.get("/admin/discovery", headers={"Accept-Language": lang}).text
        table = re.search(r'<table id="findings">(.*?)</table>', page, re.S)
        assert table, "the discovery page shows no findings"
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", table[1])).split())

    russian, english = findings("ru"), findings("en")
    assert "holds" not in russian and "not declared" not in russian, russian
    assert "app.customers.passport содержит identity.document (Документ, удостоверяющий" in russian
    assert "не заявлено" in russian, russian
    assert "app.customers.passport holds identity.document (Identity document)" in english
