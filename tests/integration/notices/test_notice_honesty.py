"""The notice states only what Steward does for the operator (issue 15's interim rule, issue 18).

For each of the five seed operators, in every language it publishes: storage periods are never
said to be enforced automatically (no retention sweep runs yet), the notice says who deletes
the data instead; an announcement of changes is promised only by the channels the register's
``policy.changes.notify`` names; "last updated" is the register's ``policy.last_updated``.
"""

from __future__ import annotations

from datetime import date

import pytest

from steward.notices.content import build_notice
from steward.notices.phrases import long_date
from steward.notices.render import render

from .test_operator_promises import OPERATORS, cases, register, section

PUBLISHED = date(2026, 11, 22)
AUTOMATIC = {"en": "automatically", "ru": "автоматически"}
DELETED_BY_STAFF = {
    "en": "Our staff carry out this deletion",
    "ru": "Удаление выполняют наши сотрудники",
}
ANNOUNCE = {"en": "We tell everyone who has an account by", "ru": "всем, у кого есть учётная"}


def _markdown(operator: str, lang: str, **options: bool) -> str:
    notice = build_notice(register(operator), lang, version="1", published=PUBLISHED, **options)
    return render(notice, "md")


@pytest.mark.parametrize(("operator", "lang"), cases(*OPERATORS))
def test_notice_never_claims_automatic_retention_while_no_sweep_runs(
    operator: str, lang: str
) -> None:
    text = _markdown(operator, lang)
    for anchor in ("processing", "security"):
        # Steward's own sentences only: the table rows quote the operator's descriptions.
        own = [line for line in section(text, anchor).splitlines() if not line.startswith("|")]
        assert not [line for line in own if AUTOMATIC[lang] in line], (operator, lang, anchor)
    assert DELETED_BY_STAFF[lang] in section(text, "processing")


@pytest.mark.parametrize(("operator", "lang"), cases("activecloud", "amrcloud"))
def test_notice_claims_automatic_retention_only_when_sweeps_run(operator: str, lang: str) -> None:
    text = _markdown(operator, lang, sweeps_running=True)
    assert any(t.retention for s in register(operator).datastores for t in s.tables)
    assert AUTOMATIC[lang] in section(text, "processing")
    assert DELETED_BY_STAFF[lang] not in section(text, "processing")


@pytest.mark.parametrize(("operator", "lang"), cases(*OPERATORS))
def test_notice_promises_announcements_only_by_the_declared_channels(
    operator: str, lang: str
) -> None:
    changes = register(operator).policy.changes
    promised = ANNOUNCE[lang] in section(_markdown(operator, lang), "changes")
    assert promised == bool(changes and changes.notify), operator


@pytest.mark.parametrize(("operator", "lang"), cases(*OPERATORS))
def test_last_updated_is_the_registers_date(operator: str, lang: str) -> None:
    declared = register(operator).policy.last_updated
    text = _markdown(operator, lang)
    assert long_date(declared or PUBLISHED, lang) in section(text, "version")
    if declared is not None and declared != PUBLISHED:
        assert long_date(PUBLISHED, lang) not in section(text, "version")
