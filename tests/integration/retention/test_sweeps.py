"""Retention sweeps on real databases, fired by the scheduler: due rows go, holds win.

A register with three tables: call recordings kept three months (with their transcripts as child
rows), accounting invoices kept five years from the end of the year, and a reference table of
cities the recordings point to. Every row not due is hashed before and after and must not change.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from typer.testing import CliRunner

from steward.cli import app as cli
from steward.config import get_settings
from steward.datastores.tables import Restriction
from steward.jobs import registry
from steward.jobs.scheduler import Scheduler
from steward.register import load_register
from steward.retention import service
from steward.retention.tables import RetentionHold, RetentionRun
from steward.store.db import make_engine, session_factory, transaction, upgrade
from steward.store.registers import record_register

from ..datastores.conftest import any_database as any_database  # the fixture

TODAY = date.today()
REGISTER = """
steward: 1
operator:
  id: phoneco
  legal_name: PhoneCo LLC
  names: {en: PhoneCo, ru: ФонКо}
  country: RU
  contacts: {privacy_email: privacy@phoneco.example, postal_address: "Moscow"}
  jurisdictions: [ru-152fz]
  languages: [ru, en]
subjects:
  - {id: customer, names: {en: customers, ru: клиенты}}
purposes:
  - id: support
    names: {en: Support, ru: Поддержка}
    descriptions: {en: Answering calls, ru: Ответы на звонки}
    basis: contract
    categories: [contact.phone, content.messages]
    subjects: [customer]
    retention: {duration: P3M}
  - id: accounting
    names: {en: Accounting, ru: Бухучёт}
    descriptions: {en: Invoices, ru: Счета}
    basis: legal-obligation
    basis_reference: 402-FZ Art. 29
    categories: [identity.name]
    subjects: [customer]
    retention: {duration: P5Y}
datastores:
  - id: telephony
    kind: KIND
    connection: {env: PHONECO_DATABASE_URL}
    location: RU
    tables:
      - name: cities
        reference_data: true
      - name: recordings
        identity: {phone: phone}
        columns: {phone: contact.phone}
        references:
          - {columns: city_id, table: cities, to_columns: id}
        retention: {column: recorded_at, duration: P3M, action: delete}
        purposes: [support]
      - name: transcripts
        columns: {body: content.messages}
        references:
          - {columns: recording_id, table: recordings, to_columns: id}
        purposes: [support]
      - name: invoices
        columns: {customer_name: identity.name}
        retention: {column: issued_on, duration: P5Y, action: delete, from: year-end}
        purposes: [accounting]
"""


def _schema() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "cities",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40)),
    )
    sa.Table(
        "recordings",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("phone", sa.String(20)),
        sa.Column("recorded_at", sa.Date, nullable=False),
        sa.Column("city_id", sa.Integer, sa.ForeignKey("cities.id")),
    )
    sa.Table(
        "transcripts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("recording_id", sa.Integer, sa.ForeignKey("recordings.id"), nullable=False),
        sa.Column("body", sa.Text),
    )
    sa.Table(
        "invoices",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_name", sa.String(80)),
        sa.Column("issued_on", sa.Date, nullable=False),
    )
    return metadata


def _fill(url: str, recordings: int = 120) -> None:
    engine = sa.create_engine(url)
    metadata = _schema()
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(metadata.tables["cities"].insert(), [{"id": 1, "name": "Moscow"}])
        rows, texts = [], []
        for i in range(1, recordings + 1):
            rows.append(
                {
                    "id": i,
                    "phone": f"+7912000{i:04d}",
                    "recorded_at": TODAY - timedelta(days=i * 2),  # 2..240 days old
                    "city_id": 1,
                }
            )
            texts.append({"id": i, "recording_id": i, "body": f"call {i}"})
        connection.execute(metadata.tables["recordings"].insert(), rows)
        connection.execute(metadata.tables["transcripts"].insert(), texts)
        connection.execute(
            metadata.tables["invoices"].insert(),
            [
                {"id": 1, "customer_name": "A", "issued_on": date(TODAY.year - 7, 3, 1)},
                {"id": 2, "customer_name": "B", "issued_on": date(TODAY.year - 5, 6, 1)},
                {"id": 3, "customer_name": "C", "issued_on": date(TODAY.year - 1, 1, 1)},
            ],
        )
    engine.dispose()


def _rows(url: str) -> dict[str, dict[Any, str]]:
    """Every row of every table, hashed by key."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    found: dict[str, dict[Any, str]] = {}
    with engine.connect() as connection:
        for name, table in metadata.tables.items():
            found[name] = {
                row.id: hashlib.sha256(repr(tuple(row)).encode()).hexdigest()
                for row in connection.execute(sa.select(table))
            }
    engine.dispose()
    return found


@pytest.fixture
def phoneco(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    kind = sa.engine.make_url(any_database).get_backend_name()
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER.replace("KIND", "mariadb" if kind == "mysql" else kind))
    _fill(any_database)
    store_url = f"sqlite:///{tmp_path / 'steward.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", store_url)
    monkeypatch.setenv("PHONECO_DATABASE_URL", any_database)
    monkeypatch.delenv("STEWARD_BROKER_URL", raising=False)
    monkeypatch.setattr(registry, "_runner", None)
    get_settings.cache_clear()
    engine = make_engine(store_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        record_register(session, path)
    yield {"url": any_database, "factory": factory, "path": path, "register": load_register(path)}
    runner = registry._runner
    if runner is not None:
        runner._pool.shutdown(wait=True)  # type: ignore[union-attr]
    engine.dispose()


def _fire_scheduler(factory: Any) -> RetentionRun:
    """One tick of the scheduler, then wait for the sweep it fired to finish."""
    with factory() as session:
        before = session.scalar(select(sa.func.max(RetentionRun.id))) or 0
    fired = Scheduler(factory).tick()
    assert "retention.sweep" in fired
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with factory() as session:
            run = session.scalars(
                select(RetentionRun).where(
                    RetentionRun.id > before, RetentionRun.finished_at.is_not(None)
                )
            ).first()
        if run is not None:
            return run
        time.sleep(0.1)
    raise AssertionError("the sweep the scheduler fired did not finish")


def test_the_scheduler_sweeps_what_is_due_and_nothing_else(phoneco: dict[str, Any]) -> None:
    url, factory = phoneco["url"], phoneco["factory"]
    before = _rows(url)
    cutoff = service.cutoff(phoneco["register"].datastores[0].tables[1], TODAY)
    due_recordings = {i for i in range(1, 121) if TODAY - timedelta(days=i * 2) < cutoff}
    held_id = max(due_recordings)  # a recording kept for a dispute
    erased_id = min(due_recordings)  # a recording an erasure keeps under a legal hold
    with transaction(factory) as session:
        service.place_hold(
            session,
            phoneco["register"],
            datastore="telephony",
            table="recordings",
            row_key=f"[{held_id}]",
            reason="dispute D-17",
            until=TODAY + timedelta(days=90),
            actor="dpo@phoneco.example",
        )
        session.add(
            Restriction(
                datastore="telephony",
                table_name="recordings",
                row_key=json.dumps([erased_id]),
                reason="support",
                until=TODAY + timedelta(days=10),
                reference="R-1",
            )
        )
    run = _fire_scheduler(factory)
    assert run.status == "done", run.error
    after = _rows(url)
    gone = set(before["recordings"]) - set(after["recordings"])
    assert gone == due_recordings - {held_id, erased_id}
    assert set(before["transcripts"]) - set(after["transcripts"]) == gone  # children went too
    for table, rows in after.items():
        for key, digest in rows.items():
            assert before[table][key] == digest, (table, key)  # what stays is byte-identical
    # invoices: kept five years from the end of the year they were issued
    # issued seven years ago: due; five years ago (June): kept until the end of this year
    assert set(after["invoices"]) == {2, 3}
    assert after["cities"] == before["cities"]
    assert run.destroyed == len(gone) * 2 + 1
    assert run.act_html and "Акт об уничтожении персональных данных" in run.act_html
    assert "recordings" in run.act_html and str(run.destroyed) in run.act_html

    # twice is harmless: nothing more is due
    with factory() as session:
        from steward.jobs.tables import ScheduledJob

        session.execute(sa.update(ScheduledJob).values(next_run_at=sa.func.now()))
        session.commit()
    again = _fire_scheduler(factory)
    assert again.destroyed == 0 and _rows(url) == after


def test_the_act_counts_the_subjects_whose_data_was_destroyed_besides_the_records(
    phoneco: dict[str, Any],
) -> None:
    """Several recordings are one caller's (the table's identity is the phone): the act states
    how many subjects' data went, besides the records; a held recording's caller is not among
    them; invoices name no subject, so the act says their subjects cannot be told."""
    url, factory = phoneco["url"], phoneco["factory"]
    cutoff = service.cutoff(phoneco["register"].datastores[0].tables[1], TODAY)
    due = {i for i in range(1, 121) if TODAY - timedelta(days=i * 2) < cutoff}
    held_id = max(due)
    phones = {i: f"+7912555{i % 7:04d}" for i in range(1, 121)}
    phones[held_id] = "+79125559999"  # the held caller has no other recording
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for i, phone in phones.items():
            connection.execute(
                sa.text("UPDATE recordings SET phone = :p WHERE id = :i"), {"p": phone, "i": i}
            )
    engine.dispose()
    with transaction(factory) as session:
        service.place_hold(
            session,
            phoneco["register"],
            datastore="telephony",
            table="recordings",
            row_key=f"[{held_id}]",
            reason="dispute D-18",
            until=TODAY + timedelta(days=90),
            actor="dpo@phoneco.example",
        )
    run = _fire_scheduler(factory)
    assert run.status == "done", run.error
    subjects = len({phones[i] for i in due - {held_id}})
    assert 1 < subjects < len(due) - 1  # fewer callers than recordings
    tables = {t["table"]: t for t in json.loads(run.result)["datastores"]["telephony"]["tables"]}
    assert tables["recordings"]["destroyed"] == len(due) - 1
    assert tables["recordings"]["subjects"] == subjects
    assert tables["invoices"]["destroyed"] == 1 and tables["invoices"]["subjects"] is None
    shown = CliRunner().invoke(cli, ["retention", "act", str(run.id), "--format", "html"])
    assert shown.exit_code == 0, shown.output
    html = shown.output
    assert f"<dt>Subjects whose data was destroyed</dt><dd>{subjects} " in html, html
    assert f"<dt>Количество субъектов, чьи данные уничтожены</dt><dd>{subjects} " in html
    assert "+7912555" not in html  # counted, never listed


def test_a_legal_hold_that_ended_releases_its_rows(phoneco: dict[str, Any]) -> None:
    url, factory = phoneco["url"], phoneco["factory"]
    with transaction(factory) as session:
        session.add(
            Restriction(
                datastore="telephony",
                table_name="recordings",
                row_key=json.dumps([3]),  # six days old: not due by its own rule
                reason="support",
                until=TODAY - timedelta(days=1),
                reference="R-2",
            )
        )
    run = service.sweep(factory, phoneco["register"], trigger="cli")
    assert 3 not in _rows(url)["recordings"]
    assert 3 not in _rows(url)["transcripts"]
    with factory() as session:
        assert session.scalars(select(Restriction)).first() is None
    released = json.loads(run.result)["datastores"]["telephony"]["released_holds"]
    assert released[0]["destroyed"] == 1 and released[0]["reason"] == ["support"]


def test_a_held_table_is_never_swept_and_holds_can_be_released(phoneco: dict[str, Any]) -> None:
    url, factory = phoneco["url"], phoneco["factory"]
    before = _rows(url)
    with transaction(factory) as session:
        hold = service.place_hold(
            session,
            phoneco["register"],
            datastore="telephony",
            table="recordings",
            row_key="*",
            reason="regulator inquiry",
            until=None,
            actor="dpo@phoneco.example",
        )
        hold_id = hold.id
    service.sweep(factory, phoneco["register"], trigger="cli")
    assert _rows(url)["recordings"] == before["recordings"]
    with transaction(factory) as session:
        service.release_hold(session, session.get(RetentionHold, hold_id), actor="dpo")
    service.sweep(factory, phoneco["register"], trigger="cli")
    assert len(_rows(url)["recordings"]) < len(before["recordings"])


def test_bad_holds_are_refused_with_a_reason(phoneco: dict[str, Any]) -> None:
    with transaction(phoneco["factory"]) as session:
        for kwargs, message in (
            ({"datastore": "crm", "table": "recordings", "row_key": "[1]"}, "no datastore"),
            ({"datastore": "telephony", "table": "calls", "row_key": "[1]"}, "no table"),
            ({"datastore": "telephony", "table": "recordings", "row_key": "42"}, "JSON list"),
            ({"datastore": "telephony", "table": "recordings", "row_key": "[4"}, "not JSON"),
        ):
            with pytest.raises(service.HoldError, match=message):
                service.place_hold(
                    session, phoneco["register"], reason="x", until=None, actor="a", **kwargs
                )


def test_the_cli_plans_and_sweeps(phoneco: dict[str, Any]) -> None:
    runner = CliRunner()
    planned = runner.invoke(cli, ["retention", "plan", str(phoneco["path"])])
    assert planned.exit_code == 0, planned.output
    assert "recordings" in planned.output and "invoices" in planned.output
    swept = runner.invoke(cli, ["retention", "sweep", str(phoneco["path"])])
    assert swept.exit_code == 0, swept.output
    assert "record(s) destroyed" in swept.output
    replanned = runner.invoke(cli, ["retention", "plan", str(phoneco["path"])])
    assert " 0 " in replanned.output or "│ 0 " in replanned.output


@pytest.fixture
def phoneco_pg(
    postgres_database: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[dict[str, Any]]:
    """PhoneCo on PostgreSQL with 3,000 recordings; with ``param`` False the recordings have no
    transcripts, so each batch is the one-statement ``DELETE ... RETURNING`` of a lone table."""
    children = getattr(request, "param", True)
    url = postgres_database()
    path = tmp_path / "register.yaml"
    text = REGISTER.replace("KIND", "postgresql")
    _fill(url, recordings=3000)
    if not children:
        start = text.index("      - name: transcripts")
        text = text[:start] + text[text.index("      - name: invoices") :]
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE transcripts"))
        engine.dispose()
    path.write_text(text)
    monkeypatch.setenv("PHONECO_DATABASE_URL", url)
    store_url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(store_url)
    upgrade(engine)
    yield {"url": url, "factory": session_factory(engine), "register": load_register(path)}
    engine.dispose()


def test_a_concurrent_writer_never_waits_longer_than_one_batch(phoneco_pg: dict[str, Any]) -> None:
    url = phoneco_pg["url"]
    writer = sa.create_engine(url)
    waits: list[float] = []
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            started = time.perf_counter()
            with writer.begin() as connection:
                # touches the oldest rows, the ones the sweep is deleting
                connection.execute(
                    sa.text(
                        "UPDATE recordings SET phone = phone WHERE id = ("
                        "SELECT min(id) FROM recordings WHERE id > 1000)"
                    )
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO recordings (id, phone, recorded_at, city_id) "
                        "VALUES (:i, '+79120000000', CURRENT_DATE, 1)"
                    ),
                    {"i": 100_000 + n},
                )
            waits.append(time.perf_counter() - started)
            time.sleep(0.002)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        run = service.sweep(
            phoneco_pg["factory"], phoneco_pg["register"], trigger="test", batch=200
        )
    finally:
        stop.set()
        thread.join()
        writer.dispose()
    tables = json.loads(run.result)["datastores"]["telephony"]["tables"]
    recordings = next(t for t in tables if t["table"] == "recordings")
    assert recordings["batches"] > 5 and recordings["destroyed"] > 2000
    assert waits, "the writer never ran"
    # never held up longer than the longest batch took (plus scheduling noise)
    assert max(waits) <= recordings["longest_batch_seconds"] + 0.5, (
        max(waits),
        recordings["longest_batch_seconds"],
    )


@pytest.mark.parametrize(
    "phoneco_pg", [True, False], indirect=True, ids=["with-children", "one-statement"]
)
def test_a_datastore_going_down_mid_sweep_resumes_where_it_stopped(
    phoneco_pg: dict[str, Any],
) -> None:
    url, factory, register = phoneco_pg["url"], phoneco_pg["factory"], phoneco_pg["register"]
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    before = _rows(url)
    calls = []

    def progress(_name: str, _total: int | None) -> Any:
        def tick(_n: int) -> None:
            calls.append(_n)
            if len(calls) == 3:  # after three committed batches the database goes away
                with admin.connect() as connection:
                    connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                    connection.execute(
                        sa.text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :d AND pid <> pg_backend_pid()"
                        ),
                        {"d": name},
                    )

        return tick

    first = service.sweep(factory, register, trigger="test", batch=300, progress=progress)
    assert first.status == "partial" and "telephony" in (first.error or "")
    with admin.connect() as connection:
        connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()
    middle = _rows(url)
    assert 0 < len(before["recordings"]) - len(middle["recordings"]) < 3000
    second = service.sweep(factory, register, trigger="test", batch=300)
    assert second.status == "done", second.error
    after = _rows(url)
    cutoff = service.cutoff(register.datastores[0].tables[1], TODAY)
    due = {i for i in before["recordings"] if TODAY - timedelta(days=i * 2) < cutoff}
    assert set(before["recordings"]) - set(after["recordings"]) == due
    if "transcripts" in after:
        assert set(after["transcripts"]) == set(after["recordings"])  # no orphan, no lost child


def test_a_datastore_whose_url_is_not_set_is_named_not_a_crash(
    phoneco: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PHONECO_DATABASE_URL")
    rows = service.plan(phoneco["factory"], phoneco["register"], TODAY)
    assert rows and all("PHONECO_DATABASE_URL" in (r.problem or "") for r in rows)
    run = service.sweep(phoneco["factory"], phoneco["register"], trigger="test")
    assert run.status == "partial" and "PHONECO_DATABASE_URL" in (run.error or "")
    planned = CliRunner().invoke(cli, ["retention", "plan", str(phoneco["path"])])
    assert planned.exit_code == 1 and "PHONECO_DATABASE_URL" in planned.output


def test_the_cli_sweep_reads_each_table_once_and_still_shows_progress(
    phoneco: dict[str, Any],
) -> None:
    """No counting pass before the sweep: the bars count what each batch destroyed."""
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.lower().split()))

    sa.event.listen(sa.Engine, "before_cursor_execute", seen)
    try:
        swept = CliRunner().invoke(cli, ["retention", "sweep", str(phoneco["path"])])
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", seen)
    assert swept.exit_code == 0, swept.output
    operator = [s for s in sent if "recordings" in s or "invoices" in s]
    assert operator, "the sweep sent nothing to the operator's database"
    # a batch statement may count what it deleted (PostgreSQL: ``with chosen ... select
    # count(*) from gone``); a counting pass over the table is a select of its own
    counting = [s for s in operator if s.startswith("select") and "count(" in s]
    assert counting == [], counting
    # each table's reads of due rows: its batches (120 recordings, batch 5000: one batch and
    # the empty read that ends it), never a pass over the table before them
    due_reads = [s for s in operator if s.startswith(("select", "with")) and "recorded_at <" in s]
    assert 1 <= len(due_reads) <= 2, due_reads
    destroyed = int(re.search(r"(\d+) record\(s\) destroyed", swept.output).group(1))
    assert destroyed > 0
    assert re.search(r"telephony\.recordings .*\b\d+ destroyed", swept.output), swept.output


WEB_REGISTER = (
    REGISTER[: REGISTER.index("datastores:")].replace(
        "categories: [contact.phone, content.messages]",
        "categories: [contact.phone, content.messages, contact.email]",
    )
    + """datastores:
  - id: web
    kind: KIND
    connection: {env: PHONECO_DATABASE_URL}
    location: RU
    tables:
      - name: page_views
        identity: {email: email}
        columns: {email: contact.email}
        retention: {column: seen_on, duration: P3M, action: delete}
        purposes: [support]
      - name: feedback
        identity: {email: email}
        columns: {email: contact.email, body: content.messages}
        retention: {column: sent_on, duration: P3M, action: anonymise}
        purposes: [support]
"""
)


def test_subjects_are_counted_in_a_table_without_a_key_and_in_an_anonymised_table(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table without a key is swept in one statement and an anonymised table keeps its rows:
    in both the act counts the distinct e-mail addresses of the rows destroyed."""
    kind = sa.engine.make_url(any_database).get_backend_name()
    engine = sa.create_engine(any_database)
    metadata = sa.MetaData()
    views = sa.Table(
        "page_views",
        metadata,
        sa.Column("email", sa.String(80)),
        sa.Column("seen_on", sa.Date, nullable=False),
    )
    feedback = sa.Table(
        "feedback",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(80)),
        sa.Column("body", sa.Text),
        sa.Column("sent_on", sa.Date, nullable=False),
    )
    metadata.create_all(engine)
    old, new = TODAY - timedelta(days=200), TODAY - timedelta(days=5)
    with engine.begin() as connection:
        connection.execute(
            views.insert(),
            [{"email": f"v{i % 4}@example.org", "seen_on": old} for i in range(12)]
            + [{"email": None, "seen_on": old}, {"email": "v9@example.org", "seen_on": new}],
        )
        connection.execute(
            feedback.insert(),
            [
                {"id": i, "email": f"f{i % 3}@example.org", "body": "hello", "sent_on": old}
                for i in range(1, 8)
            ]
            + [{"id": 8, "email": "f9@example.org", "body": "kept", "sent_on": new}],
        )
    path = tmp_path / "register.yaml"
    path.write_text(WEB_REGISTER.replace("KIND", "mariadb" if kind == "mysql" else kind))
    monkeypatch.setenv("PHONECO_DATABASE_URL", any_database)
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'steward.db'}")
    get_settings.cache_clear()
    swept = CliRunner().invoke(cli, ["retention", "sweep", str(path)])
    assert swept.exit_code == 0, swept.output
    with engine.connect() as connection:
        left = connection.execute(sa.select(views.c.email)).scalars().all()
        masked = connection.execute(
            sa.select(feedback.c.id, feedback.c.email).order_by(feedback.c.id)
        ).all()
    engine.dispose()
    assert left == ["v9@example.org"]
    assert masked[-1].email == "f9@example.org"
    assert all(not (r.email or "").startswith("f") for r in masked[:-1]), masked
    store = make_engine(f"sqlite:///{tmp_path / 'steward.db'}")
    with session_factory(store)() as session:
        run = session.scalars(select(RetentionRun)).one()
    store.dispose()
    tables = {t["table"]: t for t in json.loads(run.result)["datastores"]["web"]["tables"]}
    assert tables["page_views"]["destroyed"] == 13 and tables["page_views"]["subjects"] == 4
    assert tables["feedback"]["destroyed"] == 7 and tables["feedback"]["subjects"] == 3
    # one kind of identifier (e-mail) in both tables, no address in common: 4 + 3 subjects
    assert json.loads(run.result)["subjects"]["count"] == 7
    assert "<dd>7 (" in (run.act_html or "")
