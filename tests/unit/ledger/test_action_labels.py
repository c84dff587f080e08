"""Every action code Steward writes to the audit log has a label for the admin's audit page
(``ledger/actions.py``), in each language; a code it does not know is shown as it is."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import steward
from steward.law.breaches import DUTIES
from steward.ledger.actions import ACTIONS, REMINDERS, action_label
from steward.lib.i18n import LANGUAGES
from steward.requests.states import State

SRC = Path(steward.__file__).parent
# the codes written with a computed part, and every value that part takes
COMPUTED = {
    "request.to-": [f"request.to-{s.value}" for s in State],
    "request.{what}-stopped": ["request.preview-stopped", "request.run-stopped"],
    "breach.{action}-asked": ["breach.count-asked", "breach.letters-asked"],
    "consent.": [f"consent.{a}" for a in ("given", "refused", "withdrawn", "expired")],
    "execution.": [
        f"execution.{kind}{tail}"
        for kind in ("access", "portability", "erasure", "restriction", "rectification")
        for tail in ("", ".datastore")
    ],
    "person.": ["person.password_reset", "person.totp_reset"],  # cli/admin.py's _reset
    "discovery.": ["discovery.accept", "discovery.dismiss"],
}


def _written() -> set[str]:
    """The literal codes passed to the audit log's writers and to the two timelines (whose
    actions the audit log records as ``request.<action>`` and ``breach.<kind>``)."""
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path.name == "actions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            value = next((k.value for k in node.keywords if k.arg == "action"), None)
            prefix = ""
            if name == "record_event" and len(node.args) >= 4:
                value, prefix = node.args[3], "request."
            elif name == "log_event" and len(node.args) >= 4:
                value, prefix = node.args[3], "breach."
            elif name == "record" and value is None and len(node.args) >= 2:
                value = node.args[1]  # Principal.record(session, action, ...)
            elif name != "record":
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                codes.add(prefix + value.value)
    # consents' own ledger actions and test doubles are not audit codes
    return {c for c in codes if "." in c and not c.startswith("steward.")}


def test_every_code_steward_writes_has_a_label() -> None:
    written = _written() | {code for codes in COMPUTED.values() for code in codes}
    assert len(written) > 60, sorted(written)
    assert not sorted(written - set(ACTIONS)), "codes with no label in ledger/actions.py"


def test_no_label_is_for_a_code_steward_never_writes() -> None:
    written = _written() | {code for codes in COMPUTED.values() for code in codes}
    assert not sorted(set(ACTIONS) - written)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_label_is_told_in_each_language_and_unknown_codes_stay_as_they_are(
    lang: str,
) -> None:
    labels = {code: action_label(code, lang) for code in ACTIONS}
    assert all(labels.values()) and len(set(labels.values())) == len(labels)
    if lang == "ru":
        assert not [c for c, label in labels.items() if label == ACTIONS[c]], "untranslated"
    for duty in DUTIES:
        for stage in REMINDERS:
            said = action_label(f"breach.reminder:{duty.id}:{stage}", lang)
            assert duty.id in said and said != f"breach.reminder:{duty.id}:{stage}"
    assert action_label("something.new", lang) == "something.new"
    assert action_label("breach.reminder:x", lang) == "breach.reminder:x"
