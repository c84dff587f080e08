"""Each stored state a page shows has a label in every language (``web/status_names.py``), and
each kind lists the codes its records are stored with."""

from __future__ import annotations

import pytest

from steward.discovery.store import DECISIONS
from steward.filings.tables import STATUSES as FILING_STATUSES
from steward.lib.i18n import LANGUAGES
from steward.web.status_names import STATUS_NAMES, status_label

LABELS = [(kind, code) for kind, codes in STATUS_NAMES.items() for code in codes]


@pytest.mark.parametrize(("kind", "code"), LABELS)
def test_every_state_has_a_label_in_every_language(kind: str, code: str) -> None:
    english = status_label(code, kind, "en")
    assert english == STATUS_NAMES[kind][code]
    for lang in LANGUAGES[1:]:
        assert status_label(code, kind, lang) != english, (kind, code, lang)


def test_a_code_without_a_label_is_shown_as_it_is() -> None:
    assert status_label("something-new", "incident", "ru") == "something-new"
    assert status_label("open", "no-such-kind", "ru") == "open"


def test_the_same_code_reads_as_its_record_asks() -> None:
    assert status_label("open", "incident", "ru") == "открыт"
    assert status_label("open", "finding", "ru") == "не разобрана"


def test_the_kinds_list_the_codes_their_records_are_stored_with() -> None:
    assert set(STATUS_NAMES["filing"]) == set(FILING_STATUSES)
    assert set(STATUS_NAMES["finding"]) == {"open", *DECISIONS}
