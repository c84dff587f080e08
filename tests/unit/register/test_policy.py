"""The register's ``policy`` section: its rules and how ``steward check`` reports them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from steward.law.kinds import RequestKind
from steward.register import check_bytes
from steward.register.models import AnswerDeadline, BreachPolicy, ChangePolicy, Policy
from steward.register.taxonomy import ChangeEffect, Right

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DEMO = (EXAMPLES / "demo" / "register.yaml").read_text(encoding="utf-8")


def check_with(policy: str) -> list[str]:
    result = check_bytes((DEMO + "\npolicy:\n" + policy).encode(), "register.yaml", strict=True)
    return [p.format() for p in result.problems]


def test_a_register_without_policy_promises_nothing_extra() -> None:
    result = check_bytes(DEMO.encode(), "register.yaml", strict=True)
    assert result.register is not None
    assert result.register.policy == Policy()
    assert result.register.policy.requests is None


def test_a_full_policy_loads_with_typed_values() -> None:
    problems = check_with(
        "  last_updated: 2020-10-21\n"
        "  changes: {effective: after-notice, notice_period: P30D, notify: [email]}\n"
        "  requests: {rights: [access, portability], channels: [in-app], signed_document: true,\n"
        "             answer_within: {days: 10, working_days: true}}\n"
        "  breaches: {notify_subjects: [email, phone], within: P3D}\n"
        "  security: [{id: hashing, names: {en: Hashed passwords, ru: Хеши паролей}}]\n"
        "  unsolicited_categories: [special, criminal]\n"
        "  human_review: true\n"
    )
    assert problems == []


def test_after_notice_needs_a_notice_period() -> None:
    with pytest.raises(ValidationError, match="notice_period"):
        ChangePolicy(effective=ChangeEffect.AFTER_NOTICE)
    problems = check_with("  changes: {effective: after-notice}\n")
    assert len(problems) == 1
    assert "needs a 'notice_period'" in problems[0]
    assert problems[0].startswith(f"register.yaml:{DEMO.count(chr(10)) + 3}:")


def test_a_notice_period_without_after_notice_is_refused() -> None:
    with pytest.raises(ValidationError, match="only with effective 'after-notice'"):
        ChangePolicy.model_validate({"notice_period": "P30D"})


def test_answer_deadline_stays_within_ninety_days() -> None:
    assert AnswerDeadline(days=10, working_days=True).working_days
    for days in (0, 91):
        with pytest.raises(ValidationError):
            AnswerDeadline(days=days)


def test_breach_policy_needs_a_channel() -> None:
    with pytest.raises(ValidationError):
        BreachPolicy.model_validate({"notify_subjects": []})
    problems = check_with("  breaches: {notify_subjects: [pigeon]}\n")
    assert len(problems) == 1 and "'pigeon' is not allowed" in problems[0]


def test_unknown_unsolicited_category_is_an_error_naming_the_fix() -> None:
    problems = check_with("  unsolicited_categories: [special.helth]\n")
    assert any(
        "unknown category 'special.helth'; did you mean 'special.health'" in p for p in problems
    )


def test_human_review_contradicts_an_automated_decision() -> None:
    marker = "    tags: [analytics]\n"
    text = DEMO.replace(marker, marker + "    automated_decision: true\n")
    assert text != DEMO
    raw = (text + "\npolicy:\n  human_review: true\n").encode()
    result = check_bytes(raw, "register.yaml")
    assert result.register is None
    line = text.splitlines().index("    automated_decision: true") + 1
    flagged = [p for p in result.errors if p.code == "E133"]
    assert flagged and flagged[0].line == line and "human_review" in flagged[0].message


def test_policy_errors_are_reported_beside_other_errors() -> None:
    text = DEMO.replace(
        "categories: [contact, identity.name,", "categories: [contact, identity.nmae,"
    )
    raw = (text + "\npolicy:\n  last_updated: yesterday\n").encode()
    messages = [p.message for p in check_bytes(raw, "register.yaml").errors]
    assert any("identity.nmae" in m for m in messages)
    assert any("date" in m for m in messages), messages


def test_a_stray_word_in_a_flow_mapping_is_reported_once() -> None:
    text = DEMO.replace(
        "names: {en: Customer, ru: Покупатель}", "names: {en: Customer, big, ru: Покупатель}"
    )
    assert text != DEMO
    problems = check_bytes(text.encode(), "register.yaml").errors
    assert len(problems) == 1 and "'big'" in problems[0].message


def test_last_updated_must_be_a_date() -> None:
    assert Policy.model_validate({"last_updated": "2018-05-25"}).last_updated == date(2018, 5, 25)
    problems = check_with("  last_updated: last May\n")
    assert len(problems) == 1 and "date" in problems[0]


def test_written_consent_defaults_to_false() -> None:
    result = check_bytes(DEMO.encode(), "register.yaml")
    assert result.register is not None
    assert not any(item.written for item in result.register.consents.items)


def test_register_rights_are_the_request_kinds_of_the_law_package() -> None:
    assert {r.value for r in Right} == {k.value for k in RequestKind}
