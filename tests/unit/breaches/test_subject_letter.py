"""The letter and the SMS to each affected subject: one code path for every language, the text
from the gettext catalogue (``lib/i18n``), the authority's forms left in their law's language."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from steward.breaches import drafts, letters
from steward.breaches.tables import Incident
from steward.lib import i18n
from steward.register import Register, load_register

from ...conftest import EXAMPLES


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register(EXAMPLES / "demo" / "register.yaml")


def _incident(**fields: object) -> Incident:
    values: dict[str, object] = {
        "reference": "B-1",
        "status": "open",
        "detected_at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        "nature": "A backup was readable from the internet.",
        "consequences": "",
        "measures": "The backup was deleted.",
        "contact": "",
        "categories": json.dumps(["contact.email"]),
    }
    return Incident(**{**values, **fields})


def test_the_letter_is_written_in_russian_and_english_from_the_catalogue(register) -> None:
    incident = _incident()
    en = drafts.subject_letter(register, incident, "en")
    ru = drafts.subject_letter(register, incident, "ru")
    assert en.lang == "en" and ru.lang == "ru"
    assert en.title == "Important: a security incident involving your personal data"
    assert (
        ru.title
        == i18n.say(en.title, "ru")
        == ("Важно: инцидент, затронувший ваши персональные данные")
    )
    assert [label for label, _ in ru.fields][1:] == [
        i18n.say(label, "ru") for label, _ in en.fields[1:]
    ]
    assert "Polar Tea LLC" in ru.fields[0][1] and "Сообщаем вам" in ru.fields[0][1]
    consequences = dict(ru.fields)[i18n.say("What it may mean for you", "ru")]
    assert consequences == "не указано"  # nothing recorded says so, in the reader's language
    assert dict(en.fields)["What it may mean for you"] == "not recorded yet"
    # the subject's own text is theirs, never translated
    assert dict(ru.fields)[i18n.say("What happened", "ru")] == incident.nature


def test_a_language_steward_does_not_write_gets_the_english_letter(register) -> None:
    letter = drafts.subject_letter(register, _incident(), "de")
    assert letter.lang == "en" and letter.title.startswith("Important")


def test_the_sms_follows_the_language_and_names_where_to_read_more(register) -> None:
    incident = _incident(contact="privacy@polar-tea.example")
    assert drafts.sms_text(register, incident, "en") == (
        "Polar Tea LLC: a security incident involved your personal data. "
        "Details: privacy@polar-tea.example"
    )
    ru = drafts.sms_text(register, incident, "ru")
    assert ru.startswith("Polar Tea LLC: инцидент") and ru.endswith("privacy@polar-tea.example")


def test_the_letter_languages_are_the_catalogues(register) -> None:
    assert set(letters.letter_languages(register)) <= set(i18n.LANGUAGES)
    assert set(drafts.LETTER).isdisjoint(i18n.LANGUAGES)  # no table per language left
