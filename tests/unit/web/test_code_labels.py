"""Each stored code a page shows has a label in every language (``web/code_labels.py``), and
each kind lists the codes its records are stored with."""

from __future__ import annotations

import pytest

from steward.discovery.findings import ERROR, WARNING
from steward.discovery.store import DECISIONS
from steward.filings.tables import STATUSES as FILING_STATUSES
from steward.lib.i18n import LANGUAGES
from steward.register.problems import Severity
from steward.web.code_labels import CODE_LABELS, code_label

LABELS = [(kind, code) for kind, codes in CODE_LABELS.items() for code in codes]


@pytest.mark.parametrize(("kind", "code"), LABELS)
def test_every_code_has_a_label_in_every_language(kind: str, code: str) -> None:
    english = code_label(code, kind, "en")
    assert english == CODE_LABELS[kind][code]
    for lang in LANGUAGES[1:]:
        assert code_label(code, kind, lang) != english, (kind, code, lang)


def test_a_code_without_a_label_is_shown_as_it_is() -> None:
    assert code_label("something-new", "incident status", "ru") == "something-new"
    assert code_label("open", "no-such-kind", "ru") == "open"


def test_the_same_code_reads_as_its_record_asks() -> None:
    assert code_label("open", "incident status", "ru") == "открыт"
    assert code_label("open", "finding status", "ru") == "не разобрана"


def test_the_kinds_list_the_codes_their_records_are_stored_with() -> None:
    assert set(CODE_LABELS["filing status"]) == set(FILING_STATUSES)
    assert set(CODE_LABELS["finding status"]) == {"open", *DECISIONS}
    assert set(CODE_LABELS["severity"]) == {ERROR, WARNING} == {str(s) for s in Severity}


def test_every_channel_a_request_can_come_by_has_a_label() -> None:
    from steward.requests.tables import SubjectRequest
    from steward.web.api.requests import NewRequest

    pattern = next(
        m.pattern for m in NewRequest.model_fields["channel"].metadata if hasattr(m, "pattern")
    )
    api = set(pattern.strip("^$()").split("|"))
    default = SubjectRequest.__table__.c.channel.default.arg  # the Privacy Center's form
    assert api | {default} == set(CODE_LABELS["request channel"])


def _queued_kinds() -> set[str]:
    """The literal ``kind=`` of every ``outbox.queue(...)`` call in the source."""
    import ast
    from pathlib import Path

    import steward

    kinds: set[str] = set()
    for path in Path(steward.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if getattr(func, "attr", getattr(func, "id", "")) != "queue":
                continue
            for keyword in node.keywords:  # type: ignore[attr-defined]
                if keyword.arg == "kind" and isinstance(keyword.value, ast.Constant):
                    kinds.add(keyword.value.value)
    return kinds


def test_every_kind_of_e_mail_steward_queues_has_a_label() -> None:
    from steward.requests.emails import TEXTS  # queued as f"request.{what}"

    queued = _queued_kinds() | {f"request.{what}" for what in TEXTS}
    assert len(queued) > 10
    assert queued == set(CODE_LABELS["message kind"])


def test_every_consent_channel_and_decision_has_a_label() -> None:
    import ast
    import inspect

    from steward.consent import state
    from steward.consent.tables import ACTIONS
    from steward.register.taxonomy import Channel

    assert set(CODE_LABELS["consent channel"]) == {str(c) for c in Channel}
    written = {  # Decision(allowed, "reason", ...) in the state's own code
        node.args[1].value
        for node in ast.walk(ast.parse(inspect.getsource(state)))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "Decision"
        and isinstance(node.args[1], ast.Constant)
    }
    assert set(CODE_LABELS["consent reason"]) == written | set(ACTIONS)


def test_every_consent_method_and_finding_kind_has_a_label() -> None:
    import re
    from pathlib import Path

    from steward.consent.tables import METHODS
    from steward.discovery import findings

    assert set(CODE_LABELS["consent method"]) == set(METHODS)
    # the kinds findings.py documents in its table (| ``kind`` | level | when |)
    documented = set(re.findall(r"^\| ``([a-z-]+)`` \|", findings.__doc__ or "", re.M))
    written = set(re.findall(r'add\(\s*"([a-z-]+)"', Path(findings.__file__).read_text()))
    assert documented == written == set(CODE_LABELS["finding kind"])


def test_every_channel_a_breach_letter_goes_by_has_a_label() -> None:
    from steward.breaches.letters import LetterPlan  # email, sms, call: who gets which

    assert set(CODE_LABELS["letter channel"]) == set(LetterPlan().counts())
