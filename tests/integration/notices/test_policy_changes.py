"""Limitations of the subject's position in the policy section are material and announced.

amrcloud's policy counts "limitations and restrictions" as significant changes and promises to
announce them by e-mail (``policy.changes.notify``). Registers are edited as YAML text, the way
an operator edits them, and published through ``publish`` against the real store.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy import select

from steward.notices.audience import AccountHolder
from steward.notices.diff import describe
from steward.notices.publish import PublishResult, publish
from steward.notify.outbox import OutboxMessage
from steward.store.db import session_factory, transaction

from ...conftest import EXAMPLES

AMRCLOUD = (EXAMPLES / "amrcloud" / "register.yaml").read_text(encoding="utf-8")
HOLDERS = [AccountHolder("user@amrcloud.example", "en")]


def edited(text: str, edit: Callable[[dict], None]) -> str:
    data = yaml.safe_load(text)
    edit(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def publish_text(store_engine: sa.Engine) -> Callable[[str], PublishResult]:
    sessions = session_factory(store_engine)

    def run(text: str) -> PublishResult:
        with transaction(sessions) as session:
            return publish(
                session,
                text,
                source="register.yaml",
                actor="dpo@amrcloud.example",
                base_url="https://privacy.amrcloud.example",
                audience=lambda register: HOLDERS,
            )

    return run


def _announcements(store_engine: sa.Engine) -> list[OutboxMessage]:
    with session_factory(store_engine)() as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "notice.announcement")
            )
        )


def test_narrowing_amrcloud_rights_is_material_and_announced(
    publish_text: Callable[[str], PublishResult], store_engine: sa.Engine
) -> None:
    base = yaml.safe_load(AMRCLOUD)
    rights = base["policy"]["requests"]["rights"]
    removed = rights[-1]

    def narrow(data: dict) -> None:
        data["policy"]["requests"]["rights"] = rights[:-1]

    publish_text(AMRCLOUD)
    result = publish_text(edited(AMRCLOUD, narrow))
    kinds = [c.kind for c in result.changes if c.material]
    assert kinds == ["policy-right-removed"], result.changes
    assert result.material and result.announced == len(HOLDERS)
    mail = _announcements(store_engine)
    assert [m.to_address for m in mail] == [h.email for h in HOLDERS]
    line = describe(result.changes[0], "en")
    assert "no longer offered" in line and result.changes[0].old == removed
    assert line.replace("*", "“", 1).replace("*", "”", 1) in mail[0].body_text


@pytest.mark.parametrize(
    ("what", "edit"),
    [
        (
            "policy-channel-removed",
            lambda d: d["policy"]["requests"].__setitem__(
                "channels", d["policy"]["requests"]["channels"][1:]
            ),
        ),
        (
            "policy-measure-dropped",
            lambda d: d["policy"].__setitem__("security", d["policy"]["security"][1:]),
        ),
        (
            "policy-answer-longer",
            lambda d: d["policy"]["requests"].__setitem__("answer_within", {"days": 60}),
        ),
        (
            "policy-erase-on-objection-dropped",
            lambda d: d["policy"]["requests"].__setitem__("erase_on_objection", False),
        ),
        (
            "recipient-added",
            lambda d: d["recipients"].append(
                {"id": "backup", "name": "Backup Ltd", "role": "processor", "country": "DE"}
            ),
        ),
    ],
)
def test_each_limitation_of_the_policy_is_material(
    publish_text: Callable[[str], PublishResult], what: str, edit: Callable[[dict], None]
) -> None:
    text = AMRCLOUD
    if what == "policy-answer-longer":  # give amrcloud a promise first, then lengthen it
        text = edited(
            AMRCLOUD, lambda d: d["policy"]["requests"].__setitem__("answer_within", {"days": 30})
        )
    publish_text(text)
    result = publish_text(edited(text, edit))
    assert what in [c.kind for c in result.changes if c.material], result.changes


def test_widening_rights_is_published_without_announcement(
    publish_text: Callable[[str], PublishResult], store_engine: sa.Engine
) -> None:
    narrowed = edited(
        AMRCLOUD,
        lambda d: d["policy"]["requests"].__setitem__(
            "rights", d["policy"]["requests"]["rights"][:-1]
        ),
    )
    publish_text(narrowed)
    result = publish_text(AMRCLOUD)
    assert [c.kind for c in result.changes] == ["policy-right-added"]
    assert not result.material and result.announced == 0


def test_material_change_is_not_announced_without_policy_changes_notify(
    publish_text: Callable[[str], PublishResult], store_engine: sa.Engine
) -> None:
    silent = edited(AMRCLOUD, lambda d: d["policy"]["changes"].__setitem__("notify", []))
    publish_text(silent)
    result = publish_text(
        edited(silent, lambda d: d["policy"].__setitem__("security", d["policy"]["security"][1:]))
    )
    assert result.material and result.announced == 0
    assert _announcements(store_engine) == []
