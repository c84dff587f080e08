"""Drafts kept in step with the register in the real store (SQLite and PostgreSQL).

A register change that adds a recipient abroad produces an Art. 12 draft due before the
transfer starts and, once the Art. 22 notification was filed, a notification of changes due by
the 15th of the next month; the periodic job reminds through the outbox.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy import select

from steward.filings.service import FilingError, drafts, mark_filed, regenerate, remind
from steward.jobs.registry import call
from steward.law.filings import change_notification_due, transfer_notification_due
from steward.ledger import audit
from steward.notify.outbox import OutboxMessage
from steward.register import check_bytes
from steward.register.models import Register
from steward.store.db import session_factory, transaction
from steward.store.tables import LoadedRegister

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TODAY = date(2026, 3, 4)


def parse(text: str) -> Register:
    result = check_bytes(text.encode(), "register.yaml")
    assert result.register is not None, result.errors
    return result.register


def with_recipient_abroad(text: str, purpose: str) -> str:
    data = yaml.safe_load(text)
    data.setdefault("recipients", []).append(
        {"id": "backup-abroad", "name": "Backup GmbH", "role": "processor", "country": "DE"}
    )
    for item in data["purposes"]:
        if item["id"] == purpose:
            item.setdefault("recipients", []).append("backup-abroad")
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("operator", ["almis", "softvendor"])
def test_adding_a_recipient_abroad_produces_an_art12_draft_and_due_dates(
    store_engine: sa.Engine, operator: str
) -> None:
    text = (EXAMPLES / operator / "register.yaml").read_text(encoding="utf-8")
    reg = parse(text)
    assert not [r for r in reg.recipients if r.country != "RU"]  # the premise, from the register
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        first = regenerate(session, reg, sha(text), today=TODAY)
        assert [d.kind for d in first] == ["ru-22-intention"]
        assert regenerate(session, reg, sha(text), today=TODAY) == []  # idempotent
        mark_filed(
            session, first[0].id, filed_on=TODAY, registry_number="77-26-000123", actor="dpo"
        )
    changed_text = with_recipient_abroad(text, reg.purposes[0].id)
    changed = parse(changed_text)
    later = date(2026, 3, 20)
    with transaction(sessions) as session:
        created = regenerate(session, changed, sha(changed_text), today=later)
        by_kind = {d.kind: d for d in created}
        assert set(by_kind) == {"ru-22-change", "ru-12-transfer"}
        change, transfer = by_kind["ru-22-change"], by_kind["ru-12-transfer"]
        assert change.due_on == change_notification_due(later).due == date(2026, 4, 15)
        assert transfer.due_on == transfer_notification_due(later).due
        fields = [c["field"] for c in json.loads(change.changes)]
        assert "cross_border" in fields and "countries" in fields
        transfer_fields = json.loads(transfer.fields)
        assert transfer_fields["countries"] == ["DE"]
        assert transfer_fields["intention_number"] == "77-26-000123"
        actions = [e.action for e in audit.entries(session)]
        assert actions.count("filing.draft") == 3 and actions.count("filing.filed") == 1
        history = drafts(session, reg.operator.id)
        assert [d.status for d in history][-1] == "filed"


def test_a_second_change_in_the_same_month_keeps_the_first_due_date(
    store_engine: sa.Engine,
) -> None:
    text = (EXAMPLES / "almis" / "register.yaml").read_text(encoding="utf-8")
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        [first] = regenerate(session, parse(text), sha(text), today=date(2026, 1, 20))
        mark_filed(session, first.id, filed_on=date(2026, 1, 21), registry_number="1", actor="d")
        once = with_recipient_abroad(text, "communication")
        regenerate(session, parse(once), sha(once), today=date(2026, 1, 30))
        twice = once.replace("country: DE", "country: FR")
        assert twice != once
        created = regenerate(session, parse(twice), sha(twice), today=date(2026, 2, 3))
        change = next(d for d in created if d.kind == "ru-22-change")
        assert change.due_on == date(2026, 2, 16)  # the 15th (a Sunday) of the month after January
        superseded = [d for d in drafts(session, "almis") if d.status == "superseded"]
        assert len(superseded) == 2


def test_only_a_draft_can_be_filed(store_engine: sa.Engine) -> None:
    text = (EXAMPLES / "activecloud" / "register.yaml").read_text(encoding="utf-8")
    with transaction(session_factory(store_engine)) as session:
        created = regenerate(session, parse(text), sha(text), today=TODAY)
        mark_filed(session, created[0].id, filed_on=TODAY, registry_number="7", actor="dpo")
        with pytest.raises(FilingError, match="only a draft"):
            mark_filed(session, created[0].id, filed_on=TODAY, registry_number="7", actor="dpo")
        with pytest.raises(FilingError, match="no filing draft"):
            mark_filed(session, 10_000, filed_on=TODAY, registry_number="7", actor="dpo")


def test_reminders_go_out_once_a_day_for_drafts_due_within_a_week(
    store_engine: sa.Engine,
) -> None:
    text = (EXAMPLES / "activecloud" / "register.yaml").read_text(encoding="utf-8")
    reg = parse(text)
    with transaction(session_factory(store_engine)) as session:
        created = regenerate(session, reg, sha(text), today=TODAY)
        transfer = next(d for d in created if d.kind == "ru-12-transfer")
        assert transfer.due_on == TODAY  # activecloud declares transfers to the US already
        assert remind(session, reg, today=TODAY) == 1
        assert remind(session, reg, today=TODAY) == 0
        mail = session.scalars(select(OutboxMessage)).all()
        assert [m.kind for m in mail] == ["filing.reminder"]
        assert mail[0].to_address == str(reg.operator.contacts.privacy_email)
        assert TODAY.isoformat() in mail[0].subject


def test_the_periodic_job_drafts_from_the_register_in_force_and_reminds(
    store_engine: sa.Engine, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.config import get_settings

    text = (EXAMPLES / "activecloud" / "register.yaml").read_text(encoding="utf-8")
    with transaction(session_factory(store_engine)) as session:
        session.add(
            LoadedRegister(
                operator_id="activecloud",
                operator_name="ActiveCloud",
                source="register.yaml",
                sha256=sha(text),
                content=text,
            )
        )
    monkeypatch.setenv("STEWARD_DATABASE_URL", store_url)
    get_settings.cache_clear()
    call("filings.remind", {})
    call("filings.remind", {})  # fired twice: harmless
    with session_factory(store_engine)() as session:
        kinds = sorted(d.kind for d in drafts(session, "activecloud"))
        assert kinds == ["ru-12-transfer", "ru-22-intention"]
        reminders = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "filing.reminder")
        ).all()
        assert len(reminders) == 1
