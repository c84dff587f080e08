"""The names tier on real databases: Russian names and addresses in free text are reported,
identifiers are not taken for names, and ``steward scan --names`` says when natasha is absent."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from faker import Faker
from typer.testing import CliRunner

from steward.cli import app
from steward.discovery import names as names_module
from steward.discovery.names import names_tier
from steward.discovery.scan import scan_register
from steward.register import Register, load_register

from .test_scan_datastores import SHOP

runner = CliRunner()


def _letters_database(url: str) -> None:
    fake = Faker("ru_RU")
    fake.seed_instance(23)
    rng = random.Random(23)
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    letters = sa.Table(
        "letters",  # not in the register
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.Text),
        sa.Column("reference", sa.String(40)),
    )
    meta.create_all(engine)
    rows = []
    for i in range(1, 61):
        body = fake.paragraph(nb_sentences=3)
        if i % 3 == 0:
            body = f"Здравствуйте, меня зовут {fake.name()}. {body}"
        if i % 4 == 0:
            body += f" Прошу отправить документы по адресу {fake.address()}."
        reference = f"ЗК-{rng.randint(10000, 99999)}" if i % 2 else f"usr_{rng.getrandbits(32):08x}"
        rows.append({"id": i, "body": body, "reference": reference})
    with engine.begin() as connection:
        connection.execute(letters.insert(), rows)
    engine.dispose()


@pytest.fixture
def shop(any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Register:
    _letters_database(any_database)
    monkeypatch.setenv("SHOP_DATABASE_URL", any_database)
    path = tmp_path / "register.yaml"
    path.write_text(SHOP, encoding="utf-8")
    return load_register(path)


def test_names_and_addresses_in_russian_letters_are_reported(shop: Register) -> None:
    report = scan_register(shop, names=names_tier())
    assert report.problems == []
    body = [f for f in report.findings if (f.table, f.column) == ("letters", "body")]
    assert sorted((f.kind, f.category) for f in body) == [
        ("undeclared", "contact.address"),
        ("undeclared", "identity.name"),
    ]
    by_category = {f.category: f.evidence for f in body}
    assert by_category["identity.name"]["rows_with_it"] >= 18  # 20 letters sign with a name
    assert by_category["contact.address"]["rows_with_it"] == 15
    assert by_category["identity.name"]["names_tier_values"] == 60
    assert "Здравствуйте" not in json.dumps([f.as_dict() for f in report.findings])
    # the identifiers are not names, and the tier leaves the other columns as they were
    reference = next(c.result for c in report.columns if c.result.name == "reference")
    assert reference.categories == {} and reference.sparse == {}
    assert not [f for f in report.findings if f.column == "reference"]


def test_without_the_tier_the_letters_hold_nothing_found(shop: Register) -> None:
    report = scan_register(shop)
    assert not [f for f in report.findings if f.table == "letters"]


def test_steward_scan_names_reports_them_and_says_when_natasha_is_missing(
    shop: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = str(tmp_path / "register.yaml")
    plain = runner.invoke(app, ["scan", register, "--format", "json"])
    assert plain.exit_code == 0, plain.output
    found = runner.invoke(app, ["scan", register, "--names", "--format", "json"])
    assert found.exit_code == 1, found.output
    categories = {(f["column"], f["category"]) for f in json.loads(found.stdout)["findings"]}
    assert categories == {("body", "identity.name"), ("body", "contact.address")}
    names_module.names_tier.cache_clear()
    monkeypatch.setitem(sys.modules, "natasha", None)  # as if it were not installed
    try:
        missing = runner.invoke(app, ["scan", register, "--names"])
    finally:
        names_module.names_tier.cache_clear()
    assert missing.exit_code == 2
    assert "pip install 'steward[names]'" in missing.output
