"""Anchored chains: tampering a whole chain consistently is still found by `steward ... verify`.

Each test builds a real store (SQLite and PostgreSQL), signs the chain heads the way Steward
does (an interval job, an export), keeps one signed head outside the store as an auditor would,
then tampers with the database directly and runs the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from steward.cli import app
from steward.config import Settings
from steward.consent import evidence
from steward.consent import ledger as consent_ledger
from steward.consent.identity import ConsentKeys
from steward.ledger.audit import record
from steward.ledger.chain import canonical_json, entry_hash
from steward.notices.publish import publish
from steward.store.db import session_factory, transaction

from ...conftest import EXAMPLES

ENTRIES = 30


@pytest.fixture
def chains(store_engine: sa.Engine, store_url: str, monkeypatch: pytest.MonkeyPatch):
    """An audit log and a consent ledger of ENTRIES entries each, with a published notice."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", store_url)
    keys = ConsentKeys.from_settings(Settings())
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        publish(
            session,
            (EXAMPLES / "demo" / "register.yaml").read_text(encoding="utf-8"),
            source="register.yaml",
            actor="dpo@example.com",
            base_url="http://x",
        )
        sha = consent_ledger.store_artefact(
            session, kind="label", text="Send me the newsletter", lang="en", notice_version="1"
        )
        for n in range(ENTRIES):
            record(session, actor="owner@example.com", action="person.invite", object_id=n)
            subject = consent_ledger.resolve_subject(session, keys, {"email": f"s{n}@example.com"})
            assert subject is not None
            consent_ledger.append(
                session,
                [
                    consent_ledger.EventDraft(
                        subject_id=subject,
                        purpose_id="newsletter",
                        action="given",
                        notice_version="1",
                        artefact_sha256=sha,
                    )
                ],
            )
    with transaction(sessions) as session:
        evidence.sign_heads(session, keys.signing_key)
    return store_engine, sessions, keys


def _verify(*args: str):
    return CliRunner().invoke(app, ["ledger", "verify", *args])


def _newest_ids(engine: sa.Engine, table: str, count: int) -> list[int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT id FROM {table} ORDER BY id DESC LIMIT {count}"))
        return [row[0] for row in rows]


def test_an_untouched_store_verifies_and_names_what_it_checked(chains) -> None:
    result = _verify()
    assert result.exit_code == 0, result.output
    assert "signed head" in result.output and "identifier links" in result.output


@pytest.mark.parametrize("deleted", [1, 5, 20])
@pytest.mark.parametrize("table", ["audit_log", "consent_events"])
def test_deleting_the_newest_entries_is_found(chains, table: str, deleted: int) -> None:
    engine, _, _ = chains
    ids = _newest_ids(engine, table, deleted)
    with engine.begin() as connection:
        if table == "consent_events":
            connection.execute(sa.text("DELETE FROM consent_webhooks"))
        connection.execute(sa.text(f"DELETE FROM {table} WHERE id >= :first"), {"first": min(ids)})
    result = _verify()
    assert result.exit_code == 1, result.output
    assert f"entry {max(ids)}" in result.output and "deleted" in result.output


@pytest.mark.parametrize("deleted", [1, 5, 20])
def test_deleting_entries_and_the_stored_heads_is_found_against_a_head_kept_outside(
    chains, tmp_path: Path, deleted: int
) -> None:
    engine, _, _ = chains
    exported = CliRunner().invoke(app, ["audit", "export", "--head", str(tmp_path / "head.json")])
    assert exported.exit_code == 0, exported.output
    ids = _newest_ids(engine, "audit_log", deleted)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM chain_anchors"))
        connection.execute(sa.text("DELETE FROM audit_log WHERE id >= :first"), {"first": min(ids)})
    assert _verify().exit_code == 0  # nothing inside the store can tell any more
    result = CliRunner().invoke(
        app, ["audit", "verify", "--expected-head", str(tmp_path / "head.json")]
    )
    assert result.exit_code == 1, result.output
    assert f"entry {max(ids)}" in result.output


def test_a_chain_recomputed_after_an_edit_is_found(chains) -> None:
    engine, _, _ = chains
    with engine.begin() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT id, at, actor, action, object_type, object_id, ip, details, previous_hash "
                "FROM audit_log ORDER BY id"
            )
        ).all()
        previous = rows[0].previous_hash
        edited = rows[9].id
        for row in rows:
            actor = "mallory@example.com" if row.id == edited else row.actor
            at = row.at if isinstance(row.at, str) else row.at.isoformat()
            if "+" not in at and not at.endswith("Z"):
                at = at.replace(" ", "T") + "+00:00"
            fields = {
                "at": at.replace(" ", "T"),
                "actor": actor,
                "action": row.action,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "ip": row.ip,
                "details": json.loads(row.details),
            }
            digest = entry_hash(previous, canonical_json(fields))
            connection.execute(
                sa.text(
                    "UPDATE audit_log SET actor = :actor, previous_hash = :p, hash = :h "
                    "WHERE id = :id"
                ),
                {"actor": actor, "p": previous, "h": digest, "id": row.id},
            )
            previous = digest
    from steward.ledger.audit import verify

    with session_factory(engine)() as session:
        assert verify(session) is None  # the bare chain is consistent again
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert "rewritten" in result.output and f"entry {rows[-1].id}" in result.output


def test_an_identifier_re_pointed_at_another_subject_is_found(chains) -> None:
    engine, _, keys = chains
    victim = keys.identifier_digest("email", "s3@example.com")
    with engine.begin() as connection:
        other = connection.execute(
            sa.text("SELECT subject_id FROM consent_identifiers WHERE digest != :d LIMIT 1"),
            {"d": victim},
        ).scalar_one()
        connection.execute(
            sa.text("UPDATE consent_identifiers SET subject_id = :s WHERE digest = :d"),
            {"s": other, "d": victim},
        )
    result = _verify()
    assert result.exit_code == 1, result.output
    assert "identifier link" in result.output


@pytest.mark.parametrize("table", ["consent_artefacts", "notice_documents"])
def test_deleting_the_stored_texts_events_point_at_is_found(chains, table: str) -> None:
    engine, _, _ = chains
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(sa.text("PRAGMA foreign_keys=OFF"))
        else:
            connection.execute(sa.text("SET session_replication_role = replica"))
        connection.execute(sa.text(f"DELETE FROM {table}"))
    result = _verify()
    assert result.exit_code == 1, result.output
    assert "missing" in result.output and "entry" in result.output


def test_a_consent_receipt_serves_as_an_expected_head(chains, tmp_path: Path) -> None:
    engine, sessions, keys = chains
    from steward.consent.receipts import build_receipt
    from steward.consent.tables import ConsentEvent
    from steward.register import load_register

    register = load_register(EXAMPLES / "demo" / "register.yaml")
    with sessions() as session:
        newest = session.scalars(sa.select(ConsentEvent).order_by(ConsentEvent.id.desc())).first()
        assert newest is not None
        document = build_receipt(newest, register, keys)
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert _verify("--expected-head", str(path)).exit_code == 0
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM consent_webhooks"))
        connection.execute(sa.text("DELETE FROM chain_anchors"))
        connection.execute(sa.text("DELETE FROM consent_events WHERE id = :id"), {"id": newest.id})
    result = _verify("--expected-head", str(path))
    assert result.exit_code == 1 and f"entry {newest.id}" in result.output, result.output


def test_the_heads_are_signed_by_a_periodic_job(chains) -> None:
    from steward.jobs.registry import call
    from steward.jobs.schedule import periodic_jobs

    engine, sessions, _ = chains
    assert "ledger.anchor" in {p.name for p in periodic_jobs()}
    with transaction(sessions) as session:
        record(session, actor="owner@example.com", action="person.invite")
    call("ledger.anchor", {})
    with engine.connect() as connection:
        newest = connection.execute(sa.text("SELECT max(id) FROM audit_log")).scalar_one()
        anchored = connection.execute(
            sa.text("SELECT max(entry_id) FROM chain_anchors WHERE chain = 'audit'")
        ).scalar_one()
    assert anchored == newest
