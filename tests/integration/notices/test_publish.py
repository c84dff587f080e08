"""Publishing notice versions against the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from steward.ledger import audit
from steward.notices.audience import AudienceError, account_holders
from steward.notices.diff import describe
from steward.notices.publish import (
    document,
    publish,
    stored_changes,
    version_by_number,
    versions,
)
from steward.notices.tables import ImmutableVersionError, NoticeVersion
from steward.notify.outbox import OutboxMessage
from steward.register import RegisterError
from steward.store.db import session_factory, transaction

from ...conftest import EXAMPLES

# The demo register declares no announcement channel; these tests publish it with e-mail
# announcements promised (policy.changes.notify), the only case in which Steward sends them.
DEMO = (EXAMPLES / "demo" / "register.yaml").read_text(encoding="utf-8") + (
    "\npolicy:\n  changes:\n    notify: [email]\n"
)
MARKETING = """
  - id: marketing
    names: {en: Marketing, ru: Маркетинг}
    descriptions:
      en: With your consent we show you offers based on your orders.
      ru: С вашего согласия мы показываем предложения на основе ваших заказов.
    basis: consent
    categories: [contact.email, contract.services]
    subjects: [customer]
    sources: [subject]
    retention: {duration: P1Y, from: consent-withdrawal}
"""


def with_marketing(text: str) -> str:
    return text.replace("\nrecipients:\n", MARKETING + "\nrecipients:\n", 1)


@pytest.fixture
def app_db(tmp_path: Path) -> dict[str, str]:
    """The demo operator's application database with three accounts (one duplicate by case)."""
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, phone TEXT)")
        db.executemany(
            "INSERT INTO customers (email) VALUES (?)",
            [("ann@example.com",), ("BOB@example.com",), ("bob@example.com",), (None,)],
        )
    return {"DEMO_APP_DATABASE_URL": f"sqlite:///{path}"}


@pytest.fixture
def publish_demo(store_engine: sa.Engine, app_db: dict[str, str]) -> Callable[..., object]:
    sessions = session_factory(store_engine)

    def run(text: str, when: datetime | None = None):  # type: ignore[no-untyped-def]
        with transaction(sessions) as session:
            return publish(
                session,
                text,
                source="examples/demo/register.yaml",
                actor="dpo@polar-tea.example",
                base_url="https://privacy.polar-tea.example/",
                audience=lambda r: account_holders(r, environ=app_db),
                now=when,
            )

    return run


def test_first_publication_is_version_1_without_announcement(
    publish_demo, store_engine: sa.Engine
) -> None:
    result = publish_demo(DEMO, datetime(2026, 11, 1, 9, tzinfo=UTC))
    assert result.created and result.version.number == 1
    assert result.changes == [] and result.announced == 0
    with session_factory(store_engine)() as session:
        version = version_by_number(session, "polar-tea", 1)
        assert version is not None and version.register_text == DEMO
        assert len(version.content_sha256) == 64
        ru = document(session, version, "ru", "md")
        assert ru is not None and "Редакция 1, дата последнего обновления: 1 ноября 2026 г." in ru
        html = document(session, version, "en", "html")
        assert html is not None and html.startswith("<!doctype html>")
        assert session.scalars(select(OutboxMessage)).all() == []


def test_new_purpose_gives_version_2_a_readable_diff_and_announcements(
    publish_demo, store_engine: sa.Engine
) -> None:
    publish_demo(DEMO)
    result = publish_demo(with_marketing(DEMO))
    assert result.version.number == 2
    assert result.material
    assert [describe(c, "en") for c in result.changes] == ["purpose *Marketing* added"]
    assert [describe(c, "ru") for c in result.changes] == ["добавлена цель *Маркетинг*"]
    assert result.reconfirm_purposes == ["marketing"]
    with session_factory(store_engine)() as session:
        mail = session.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
        assert [m.to_address for m in mail] == ["ann@example.com", "bob@example.com"]
        first = mail[0]
        assert first.kind == "notice.announcement" and first.related == "notice:2"
        assert first.lang == "en"
        assert "purpose “Marketing” added" in first.body_text
        assert "https://privacy.polar-tea.example/privacy/notice?lang=en" in first.body_text
        version = version_by_number(session, "polar-tea", 2)
        assert version is not None and version.material and version.announced == 2
        assert [c.kind for c in stored_changes(version)] == ["purpose-added"]
        assert "Marketing" in (document(session, version, "en", "md") or "")
        actions = [e.action for e in audit.entries(session)]
        assert actions == ["notice.publish", "notice.publish"]
        assert audit.verify(session) is None


def test_typo_fix_is_a_new_version_without_announcement(
    publish_demo, store_engine: sa.Engine
) -> None:
    publish_demo(DEMO)
    fixed = DEMO.replace(
        "every letter has an unsubscribe link", "every letter has an unsubscribe link."
    )
    assert fixed != DEMO
    result = publish_demo(fixed)
    assert result.version.number == 2 and not result.material
    assert [describe(c, "en") for c in result.changes] == [
        "description of purpose *Newsletter* edited"
    ]
    with session_factory(store_engine)() as session:
        assert session.scalars(select(OutboxMessage)).all() == []


def test_unchanged_register_publishes_nothing(publish_demo, store_engine: sa.Engine) -> None:
    publish_demo(DEMO)
    again = publish_demo(DEMO + "\n# a comment only\n")
    assert not again.created and again.version.number == 1
    with session_factory(store_engine)() as session:
        assert [v.number for v in versions(session, "polar-tea")] == [1]


def test_shorter_call_recording_retention_is_described_and_not_announced(
    publish_demo,
) -> None:
    publish_demo(DEMO.replace("duration: P3M, action: delete", "duration: P6M, action: delete"))
    result = publish_demo(DEMO)
    assert [describe(c, "en") for c in result.changes] == [
        "retention of *Call recordings* shortened from 6 months to 3 months"
    ]
    assert [describe(c, "ru") for c in result.changes] == [
        "срок хранения данных *Записи телефонных разговоров* сокращён с 6 месяцев до 3 месяцев"
    ]
    assert not result.material and result.announced == 0


def test_published_versions_cannot_be_altered(publish_demo, store_engine: sa.Engine) -> None:
    publish_demo(DEMO)
    with session_factory(store_engine)() as session:
        version = session.scalars(select(NoticeVersion)).one()
        version.register_text = "tampered"
        with pytest.raises(ImmutableVersionError, match="publish a new notice version"):
            session.flush()


def test_invalid_register_publishes_nothing(publish_demo, store_engine: sa.Engine) -> None:
    with pytest.raises(RegisterError):
        publish_demo(DEMO.replace("basis: contract", "basis: kontract", 1))
    with session_factory(store_engine)() as session:
        assert session.scalars(select(NoticeVersion)).all() == []


def test_unreadable_audience_publishes_nothing(store_engine: sa.Engine) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        publish(session, DEMO, source="r.yaml", actor="a", base_url="http://x")
    with (
        pytest.raises(AudienceError, match="DEMO_APP_DATABASE_URL"),
        transaction(sessions) as session,
    ):
        publish(
            session,
            with_marketing(DEMO),
            source="r.yaml",
            actor="a",
            base_url="http://x",
            audience=lambda r: account_holders(r, environ={}),
        )
    with sessions() as session:
        assert [v.number for v in versions(session, "polar-tea")] == [1]
        assert session.scalars(select(OutboxMessage)).all() == []
