"""The seed operators' registers hold against databases built from them (almis: "only the data
necessary is collected", the register matches the databases), and drift is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from steward.discovery.scan import scan_register
from steward.register import load_register

from ...conftest import EXAMPLES

OPERATORS = ("amrcloud", "acrcloud", "softvendor", "almis", "activecloud")


def _demo(operator: str, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo_db.py"), str(EXAMPLES / operator / "register.yaml"),
         "--out", str(out), "--people", "40", "--seed", "17"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    for line in made.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            monkeypatch.setenv(name, value)


@pytest.mark.parametrize("operator", OPERATORS)
def test_a_seed_register_finds_nothing_undeclared_in_its_own_demo_databases(
    operator: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _demo(operator, tmp_path, monkeypatch)
    register = load_register(EXAMPLES / operator / "register.yaml")
    report = scan_register(register)
    assert report.problems == []
    assert sorted(report.scanned) == sorted(d.id for d in register.datastores)
    assert [f.message for f in report.findings] == []


def test_a_column_added_behind_the_registers_back_is_found_for_almis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _demo("almis", tmp_path, monkeypatch)
    register = load_register(EXAMPLES / "almis" / "register.yaml")
    datastore = register.datastores[0]
    table = datastore.tables[0].name
    engine = sa.create_engine(f"sqlite:///{tmp_path / (datastore.id + '.db')}")
    with engine.begin() as connection:
        connection.execute(sa.text(f'ALTER TABLE "{table}" ADD COLUMN mobile TEXT'))
        connection.execute(sa.text(f"UPDATE \"{table}\" SET mobile = '+7 912 ' || (1000000 + id)"))
    engine.dispose()
    report = scan_register(register)
    assert [(f.kind, f.table, f.column, f.category) for f in report.findings] == [
        ("undeclared", table, "mobile", "contact.phone")
    ]
