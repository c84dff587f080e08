"""Drafts an operator sends about a breach: to the authority, and the letter to each subject.

    rkn_first_notice(register, incident)   # Russian, the fields of Roskomnadzor's form
    rkn_results(register, incident)        # Russian, the 72-hour notice of the investigation
    gdpr_notice(register, incident)        # GDPR Art. 33(3) (a)-(d)
    lgpd_notice(register, incident)        # ANPD Resolution 15/2024, Art. 6
    subject_letter(register, incident, lang)   # GDPR Art. 34(2) content, in the subject's language

Each is a ``Draft``: a title and labelled fields, filled from the incident and the register.
The authority's forms are written in their law's language (Roskomnadzor's in Russian, 152-FZ;
the GDPR and LGPD forms in English) and stay here as written; the subject's letter and SMS are
English here and in the gettext catalogue for every other language (``lib/i18n``), one code path
for all, as are the words the forms share ("not recorded yet", "INN").
A field with nothing recorded says so ("not recorded yet") instead of being left out, so a
reviewer sees what is missing before sending. Drafts are never sent by themselves: an operator
files the authority's notice and records it (``service.mark_done``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from steward.breaches.tables import Incident
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.register import Register

MISSING = N_("not recorded yet")
AT_LEAST = N_("%(count)s (at least; a datastore could not be counted)")


@dataclass(frozen=True)
class Draft:
    id: str
    lang: str
    title: str
    fields: list[tuple[str, str]]
    citation: str

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "lang": self.lang,
            "title": self.title,
            "citation": self.citation,
            "fields": [{"label": label, "value": value} for label, value in self.fields],
        }

    def as_text(self) -> str:
        lines = [self.title, f"({self.citation})", ""]
        for label, value in self.fields:
            lines += [f"{label}:", value, ""]
        return "\n".join(lines)


def _pick(text: dict[str, str] | str | None, lang: str) -> str:
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(lang) or next(iter(text.values()), "")


def _or_missing(value: str | None, lang: str) -> str:
    return value.strip() if value and value.strip() else i18n.say(MISSING, lang)


def _categories(register: Register | None, incident: Incident, lang: str) -> str:
    ids = json.loads(incident.categories or "[]")
    if not ids:
        return i18n.say(MISSING, lang)
    names = [register.category_name(c, lang) if register else c for c in ids]
    return ", ".join(names)


def _subjects(incident: Incident, lang: str) -> str:
    if incident.subjects_count is None:
        return i18n.say(MISSING, lang)
    count = str(incident.subjects_count)
    if incident.count_state == "incomplete":
        return i18n.say(AT_LEAST, lang, {"count": count})
    return count


def _records(incident: Incident, lang: str) -> str:
    counts = json.loads(incident.counts or "{}")
    if not counts:
        return i18n.say(MISSING, lang)
    return ", ".join(f"{category}: {n}" for category, n in sorted(counts.items()))


def _moment(value: object, lang: str) -> str:
    from datetime import datetime

    if not isinstance(value, datetime):
        return i18n.say(MISSING, lang)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _operator(register: Register | None, lang: str) -> str:
    if register is None:
        return i18n.say(MISSING, lang)
    op = register.operator
    parts = [op.legal_name]
    if op.registration and op.registration.ru_inn:
        parts.append(i18n.say(N_("INN %(inn)s"), lang, {"inn": op.registration.ru_inn}))
    address = _pick(op.contacts.postal_address, lang)
    if address:
        parts.append(address)
    return ", ".join(parts)


def _contact_point(register: Register | None, incident: Incident, lang: str) -> str:
    if incident.contact.strip():
        return incident.contact.strip()
    if register is None:
        return i18n.say(MISSING, lang)
    dpo = register.operator.contacts.dpo
    if dpo is not None:
        return ", ".join(x for x in (dpo.name, str(dpo.email), dpo.phone) if x)
    return str(register.operator.contacts.privacy_email)


def rkn_first_notice(register: Register | None, incident: Incident) -> Draft:
    lang = "ru"
    return Draft(
        "rkn-first-notice",
        lang,
        "Уведомление о факте неправомерной или случайной передачи (предоставления, "
        "распространения, доступа) персональных данных, повлекшей нарушение прав субъектов "
        "персональных данных",
        [
            ("Оператор (наименование, ИНН, адрес)", _operator(register, lang)),
            ("Дата и время выявления инцидента", _moment(incident.detected_at, lang)),
            ("Дата и время инцидента", _moment(incident.occurred_at, lang)),
            ("Описание инцидента", _or_missing(incident.nature, lang)),
            ("Предполагаемые причины инцидента", _or_missing(incident.cause, lang)),
            (
                "Предполагаемый вред, нанесенный правам субъектов персональных данных",
                _or_missing(incident.consequences, lang),
            ),
            ("Категории персональных данных", _categories(register, incident, lang)),
            ("Количество субъектов персональных данных", _subjects(incident, lang)),
            (
                "Принятые меры по устранению последствий инцидента",
                _or_missing(incident.measures, lang),
            ),
            (
                "Лицо, уполномоченное оператором на взаимодействие с Роскомнадзором",
                _contact_point(register, incident, lang),
            ),
        ],
        "ч. 3.1 ст. 21 Федерального закона № 152-ФЗ, п. 1 (в течение 24 часов)",
    )


def rkn_results(register: Register | None, incident: Incident) -> Draft:
    lang = "ru"
    return Draft(
        "rkn-investigation-results",
        lang,
        "Уведомление о результатах внутреннего расследования выявленного инцидента",
        [
            ("Оператор (наименование, ИНН, адрес)", _operator(register, lang)),
            ("Дата и время выявления инцидента", _moment(incident.detected_at, lang)),
            ("Результаты внутреннего расследования", _or_missing(incident.cause, lang)),
            (
                "Лица, действия которых стали причиной инцидента (при наличии)",
                i18n.say(MISSING, lang),
            ),
            ("Принятые меры", _or_missing(incident.measures, lang)),
        ],
        "ч. 3.1 ст. 21 Федерального закона № 152-ФЗ, п. 2 (в течение 72 часов)",
    )


def gdpr_notice(register: Register | None, incident: Incident) -> Draft:
    lang = "en"
    return Draft(
        "gdpr-authority",
        lang,
        "Notification of a personal data breach to the supervisory authority",
        [
            ("Controller", _operator(register, lang)),
            ("Detected at", _moment(incident.detected_at, lang)),
            ("Occurred at", _moment(incident.occurred_at, lang)),
            ("(a) Nature of the breach", _or_missing(incident.nature, lang)),
            ("(a) Categories of personal data", _categories(register, incident, lang)),
            ("(a) Approximate number of data subjects", _subjects(incident, lang)),
            ("(a) Approximate number of records", _records(incident, lang)),
            ("(b) Contact point (DPO)", _contact_point(register, incident, lang)),
            ("(c) Likely consequences", _or_missing(incident.consequences, lang)),
            ("(d) Measures taken or proposed", _or_missing(incident.measures, lang)),
        ],
        "GDPR Art. 33(3)",
    )


def lgpd_notice(register: Register | None, incident: Incident) -> Draft:
    lang = "en"
    return Draft(
        "anpd-authority",
        lang,
        "Communication of a security incident to the ANPD",
        [
            ("Controller", _operator(register, lang)),
            ("Date of the incident", _moment(incident.occurred_at, lang)),
            ("Date the controller became aware", _moment(incident.detected_at, lang)),
            (
                "Nature and category of the personal data affected",
                _categories(register, incident, lang),
            ),
            ("Number of data subjects affected", _subjects(incident, lang)),
            ("Description of the incident and its cause", _or_missing(incident.nature, lang)),
            ("Risks and likely consequences", _or_missing(incident.consequences, lang)),
            (
                "Measures taken to reverse or mitigate the effects",
                _or_missing(incident.measures, lang),
            ),
            ("Encarregado (DPO) contact", _contact_point(register, incident, lang)),
        ],
        "ANPD Resolution CD/ANPD No. 15/2024, Art. 6",
    )


LETTER = {
    "subject": N_("Important: a security incident involving your personal data"),
    "intro": N_(
        "We are writing to tell you about a security incident at %(operator)s that involves "
        "your personal data."
    ),
    "what": N_("What happened"),
    "data": N_("Which of your data"),
    "consequences": N_("What it may mean for you"),
    "measures": N_("What we have done and what we propose"),
    "contact": N_("Whom to contact"),
}
"""The subject's letter, English here, each other language from the catalogue (``lib/i18n``)."""

SMS = N_("%(operator)s: a security incident involved your personal data. Details: %(contact)s")


def letter_lang(lang: str) -> str:
    """The language a letter in ``lang`` is written in: ``lang`` when Steward writes it
    (``i18n.LANGUAGES``), else English."""
    return lang if lang in i18n.LANGUAGES else i18n.LANGUAGES[0]


def subject_letter(register: Register | None, incident: Incident, lang: str) -> Draft:
    """The letter to an affected subject with the content of GDPR Art. 34(2)."""
    lang = letter_lang(lang)
    operator = register.operator.legal_name if register else ""
    words = i18n.words(LETTER, lang)
    return Draft(
        "subject-letter",
        lang,
        words["subject"],
        [
            ("", i18n.say(LETTER["intro"], lang, {"operator": operator})),
            (words["what"], _or_missing(incident.nature, lang)),
            (words["data"], _categories(register, incident, lang)),
            (words["consequences"], _or_missing(incident.consequences, lang)),
            (words["measures"], _or_missing(incident.measures, lang)),
            (words["contact"], _contact_point(register, incident, lang)),
        ],
        "GDPR Art. 34(2)",
    )


def sms_text(register: Register | None, incident: Incident, lang: str) -> str:
    """A short text message: what happened in one line and where to read more."""
    lang = letter_lang(lang)
    operator = register.operator.legal_name if register else ""
    contact = _contact_point(register, incident, lang)
    return i18n.say(SMS, lang, {"operator": operator, "contact": contact})


def authority_drafts(register: Register | None, incident: Incident) -> list[Draft]:
    """The drafts owed under the register's jurisdictions."""
    owed = set(str(j) for j in register.operator.jurisdictions) if register else set()
    drafts: list[Draft] = []
    if "ru-152fz" in owed:
        drafts += [rkn_first_notice(register, incident), rkn_results(register, incident)]
    if owed & {"eu-gdpr", "uk-gdpr"}:
        drafts.append(gdpr_notice(register, incident))
    if "br-lgpd" in owed:
        drafts.append(lgpd_notice(register, incident))
    return drafts
