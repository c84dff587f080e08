"""Bad retention rules get a clear error at the rule's place in the file, and lose nothing.

A rule naming a column the table does not have: ``steward datastores test`` (against the live
schema) names FILE:LINE:COL of the rule's ``column`` and exits 1; the sweep leaves that table
alone, says why, and still sweeps the others. (``steward check`` cannot tell: a register names
only a table's personal columns, so a date column it does not list may well exist.)

Nothing held is ever deleted: a hypothesis property over random ages, holds on records, holds on
whole tables and restriction-list entries, swept on SQLite.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from steward.cli import app as cli
from steward.datastores.tables import Restriction
from steward.register import load_register
from steward.retention import service
from steward.store.db import make_engine, session_factory, transaction, upgrade

from .test_sweeps import REGISTER, TODAY, _fill, _rows


def _position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of ``needle`` in ``text``, as an editor shows them."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.fixture
def misnamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path / 'operator.db'}"
    _fill(url)
    text = REGISTER.replace("KIND", "sqlite").replace(
        "retention: {column: recorded_at,", "retention: {column: recorded_on,"
    )
    path = tmp_path / "register.yaml"
    path.write_text(text)
    monkeypatch.setenv("PHONECO_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'steward.db'}")
    monkeypatch.setenv("STEWARD_DEV", "1")
    from steward.config import get_settings

    get_settings.cache_clear()
    return {"url": url, "path": path, "text": text}


def test_datastores_test_names_the_rule_of_a_missing_column_at_its_place(
    misnamed: dict[str, Any],
) -> None:
    assert CliRunner().invoke(cli, ["check", str(misnamed["path"])]).exit_code == 0
    line, column = _position(misnamed["text"], "recorded_on")
    tested = CliRunner().invoke(cli, ["datastores", "test", str(misnamed["path"])])
    assert tested.exit_code == 1, tested.output
    expected = f"{misnamed['path']}:{line}:{column}: error[R201]:"
    found = [row for row in tested.output.splitlines() if row.startswith(expected)]
    assert found, tested.output
    assert "telephony.recordings" in found[0] and "'recorded_on'" in found[0]
    assert "recorded_at" in found[0]  # the date columns the table does have are suggested
    # said once, at the rule, not again without a place
    assert tested.output.count("'recorded_on'") == 1, tested.output


def test_the_plan_names_the_rule_of_a_missing_column_at_its_place(
    misnamed: dict[str, Any],
) -> None:
    line, column = _position(misnamed["text"], "recorded_on")
    planned = CliRunner().invoke(cli, ["retention", "plan", str(misnamed["path"])])
    assert planned.exit_code == 1
    located = f"{misnamed['path']}:{line}:{column}: error[R201]: telephony.recordings:"
    assert located in planned.output, planned.output
    assert "invoices" in planned.output  # the other rule is still planned


def test_a_sweep_leaves_a_misnamed_table_alone_and_sweeps_the_others(
    misnamed: dict[str, Any],
) -> None:
    before = _rows(misnamed["url"])
    swept = CliRunner().invoke(cli, ["retention", "sweep", str(misnamed["path"])])
    assert swept.exit_code == 1
    assert "recorded_on" in swept.output and "does not exist" in swept.output
    after = _rows(misnamed["url"])
    assert after["recordings"] == before["recordings"]
    assert after["transcripts"] == before["transcripts"]
    assert set(after["invoices"]) == {2, 3}  # the other rule still ran


# --- nothing held is ever deleted ------------------------------------------------------------

AGES = st.lists(st.integers(min_value=0, max_value=240), min_size=1, max_size=40)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ages=AGES,
    data=st.data(),
)
def test_nothing_held_is_ever_deleted(
    ages: list[int], data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("held")
    _nothing_held(f"sqlite:///{tmp / 'operator.db'}", "sqlite", ages, data, tmp)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ages=AGES, data=st.data())
def test_nothing_held_is_ever_deleted_on_postgresql(
    ages: list[int],
    data: st.DataObject,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_database: Any,
) -> None:
    """PostgreSQL sweeps a batch and its child rows in one statement: the same property."""
    tmp = tmp_path_factory.mktemp("held-pg")
    _nothing_held(postgres_database(), "postgresql", ages, data, tmp)


def _nothing_held(url: str, kind: str, ages: list[int], data: st.DataObject, tmp: Path) -> None:
    engine = sa.create_engine(url)
    from .test_sweeps import _schema

    metadata = _schema()
    metadata.create_all(engine)
    rows = [
        {
            "id": i,
            "phone": f"+7912000{i % 6:04d}",  # a caller may have several recordings
            "recorded_at": TODAY - timedelta(days=a),
            "city_id": 1,
        }
        for i, a in enumerate(ages, start=1)
    ]
    with engine.begin() as connection:
        connection.execute(metadata.tables["cities"].insert(), [{"id": 1, "name": "Moscow"}])
        connection.execute(metadata.tables["recordings"].insert(), rows)
        connection.execute(
            metadata.tables["transcripts"].insert(),
            [{"id": r["id"], "recording_id": r["id"], "body": "x"} for r in rows],
        )
    engine.dispose()
    ids = [r["id"] for r in rows]
    record_holds = data.draw(st.sets(st.sampled_from(ids)), label="record holds")
    ended = data.draw(st.sets(st.sampled_from(ids)), label="retention holds already ended")
    listed = data.draw(st.sets(st.sampled_from(ids)), label="on the restriction list")
    child_holds = data.draw(st.sets(st.sampled_from(ids)), label="transcripts held")
    whole = data.draw(st.booleans(), label="the whole table held")
    path = tmp / "register.yaml"
    path.write_text(REGISTER.replace("KIND", kind))
    register = load_register(path)
    store = make_engine(f"sqlite:///{tmp / 'steward.db'}")
    upgrade(store)
    factory = session_factory(store)
    with transaction(factory) as session:
        for i in record_holds | ended:
            service.place_hold(
                session,
                register,
                datastore="telephony",
                table="recordings",
                row_key=f"[{i}]",
                reason="dispute",
                until=TODAY - timedelta(days=1) if i in ended - record_holds else None,
                actor="dpo",
            )
        for i in child_holds:
            service.place_hold(
                session,
                register,
                datastore="telephony",
                table="transcripts",
                row_key=f"[{i}]",
                reason="dispute",
                until=TODAY + timedelta(days=5),
                actor="dpo",
            )
        for i in listed:
            session.add(
                Restriction(
                    datastore="telephony",
                    table_name="recordings",
                    row_key=json.dumps([i]),
                    reason="request",
                    until=None,
                    reference="R",
                )
            )
        if whole:
            service.place_hold(
                session,
                register,
                datastore="telephony",
                table="recordings",
                row_key="*",
                reason="inquiry",
                until=None,
                actor="dpo",
            )
    import os

    os.environ["PHONECO_DATABASE_URL"] = url
    try:
        run = service.sweep(factory, register, trigger="test", batch=7)
    finally:
        del os.environ["PHONECO_DATABASE_URL"]
        store.dispose()
    after = _rows(url)
    held = record_holds | listed | child_holds
    assert held <= set(after["recordings"]), run.result  # never a held recording
    assert child_holds <= set(after["transcripts"])  # never a held transcript
    cutoff = service.cutoff(register.datastores[0].tables[1], TODAY)
    due = {r["id"] for r in rows if r["recorded_at"] < cutoff}
    # everything due and not held went (unless the whole table is held), nothing else did
    assert set(after["recordings"]) >= set(ids) - due
    if not re.search(r'"note": "the whole table is held', run.result):
        assert set(ids) - set(after["recordings"]) == due - held
    assert set(after["transcripts"]) == set(after["recordings"])  # no orphan, no lost child
    # the act counts the callers whose recordings went, each once
    phones = {r["id"]: r["phone"] for r in rows}
    tables = json.loads(run.result)["datastores"]["telephony"]["tables"]
    recordings = next(t for t in tables if t["table"] == "recordings")
    gone = set(ids) - set(after["recordings"])
    assert recordings["subjects"] == len({phones[i] for i in gone}), run.result
