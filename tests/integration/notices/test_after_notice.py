"""``effective: after-notice``: a material change applies once its notice period has run.

Published through ``publish`` into the real store; the Privacy Center (the app over the same
store) shows the version in force and announces the upcoming one; the announcement says when.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.config import Settings
from steward.notices.audience import AccountHolder
from steward.notices.phrases import long_date
from steward.notices.publish import publish, upcoming_version, version_in_force
from steward.notify.outbox import OutboxMessage
from steward.store.db import session_factory, transaction
from steward.web.app import create_app

from ...conftest import EXAMPLES

AMRCLOUD = yaml.safe_load((EXAMPLES / "amrcloud" / "register.yaml").read_text(encoding="utf-8"))


def _text(edit=None) -> str:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(yaml.safe_dump(AMRCLOUD))
    data["policy"]["changes"] = {
        "effective": "after-notice",
        "notice_period": "P30D",
        "notify": ["email"],
    }
    if edit:
        edit(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _narrow(data: dict) -> None:
    data["policy"]["requests"]["rights"] = data["policy"]["requests"]["rights"][:-1]


def test_material_change_applies_after_the_notice_period(
    store_engine: sa.Engine, store_url: str, tmp_path: Path
) -> None:
    sessions = session_factory(store_engine)
    start = datetime.now(UTC) - timedelta(days=1)  # the Privacy Center reads the real clock

    def run(text: str, when: datetime):  # type: ignore[no-untyped-def]
        with transaction(sessions) as session:
            return publish(
                session,
                text,
                source="register.yaml",
                actor="dpo",
                now=when,
                base_url="https://privacy.amrcloud.example",
                audience=lambda r: [AccountHolder("user@amrcloud.example", "en")],
            )

    run(_text(), start)
    second = run(_text(_narrow), start + timedelta(days=1))
    assert second.material and second.announced == 1
    applies = start + timedelta(days=1 + 30)  # published the next day, then 30 days
    with sessions() as session:
        assert version_in_force(session, "amrcloud", start + timedelta(days=2)).number == 1
        assert upcoming_version(session, "amrcloud", start + timedelta(days=2)).number == 2
        assert version_in_force(session, "amrcloud", applies).number == 2
        assert upcoming_version(session, "amrcloud", applies) is None
        [mail] = session.scalars(select(OutboxMessage)).all()
        assert f"It applies from {long_date(applies.date(), 'en')}" in mail.body_text
        assert "/privacy/notice/versions/2?lang=en" in mail.body_text

    # The Privacy Center shows version 1 in force, with version 2 announced (now < applies).
    register = tmp_path / "register.yaml"
    register.write_text(_text(_narrow), encoding="utf-8")
    app = create_app(Settings(database_url=store_url, register_path=register))
    with TestClient(app) as client:
        page = client.get("/privacy/notice?lang=en")
    assert page.status_code == 200
    expected = f"A new version 2 of this notice applies from {long_date(applies.date(), 'en')}"
    assert expected in page.text
    assert "Version 1," in page.text and "Version 2," not in page.text


def test_a_change_that_is_not_material_applies_on_publication(store_engine: sa.Engine) -> None:
    sessions = session_factory(store_engine)
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with transaction(sessions) as session:
        publish(
            session,
            _text(),
            source="r",
            actor="dpo",
            base_url="https://x",
            now=now,
            audience=lambda r: [],
        )
        widened = _text(lambda d: d["operator"].__setitem__("website", "https://amr.example"))
        result = publish(
            session,
            widened,
            source="r",
            actor="dpo",
            base_url="https://x",
            now=now + timedelta(days=1),
            audience=lambda r: [],
        )
        assert not result.material
        assert version_in_force(session, "amrcloud", now + timedelta(days=1)).number == 2
