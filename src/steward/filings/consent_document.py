"""The written consent document of a consent item (152-FZ Art. 9 p.4), in Russian and English.

    doc = consent_document(register, "feedback-form", "ru")
    doc.text, doc.sha256      # Markdown; the hash the consent ledger records when it is given

Every element Art. 9 p.4 requires is there: the subject's (and a representative's) particulars
and signature as fields to fill, the operator and its address, the purpose, the data, the
processors the register names for the purpose, the actions and methods, how long the consent
lasts and how it is withdrawn. Since 01.09.2025 the consent is a document of its own (Art. 9
p.1 as amended by 156-FZ), so it is rendered alone, never inside the notice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from steward.filings.documents import environment
from steward.filings.rkn import BASE_ACTIONS
from steward.notices.phrases import retention_phrase
from steward.notices.plural import duration_phrase
from steward.notices.render import md_escape
from steward.register.countries import country_name
from steward.register.models import Register
from steward.register.taxonomy import RecipientRole

LANGUAGES = ("ru", "en")
ACTIONS = {
    "ru": {
        "collection": "сбор",
        "recording": "запись",
        "systematisation": "систематизация",
        "accumulation": "накопление",
        "storage": "хранение",
        "clarification": "уточнение (обновление, изменение)",
        "retrieval": "извлечение",
        "use": "использование",
        "transfer": "передача (предоставление, доступ)",
        "blocking": "блокирование",
        "deletion": "удаление",
        "destruction": "уничтожение",
    },
    "en": {
        "collection": "collection",
        "recording": "recording",
        "systematisation": "systematisation",
        "accumulation": "accumulation",
        "storage": "storage",
        "clarification": "clarification (updating, changing)",
        "retrieval": "retrieval",
        "use": "use",
        "transfer": "transfer (provision, access)",
        "blocking": "blocking",
        "deletion": "deletion",
        "destruction": "destruction",
    },
}
METHOD = {
    "ru": "автоматизированная обработка с использованием баз данных оператора",
    "en": "automated processing in the operator's databases",
}


class UnknownConsentItem(KeyError):
    """The register declares no consent item of that id."""


@dataclass(frozen=True)
class ConsentDocument:
    item_id: str
    lang: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def _pick(localized: dict[str, str] | str | None, lang: str, fallback: str = "") -> str:
    if localized is None:
        return fallback
    if isinstance(localized, str):
        return localized
    return localized.get(lang) or localized.get("en") or next(iter(localized.values()), fallback)


def consent_document(register: Register, item_id: str, lang: str) -> ConsentDocument:
    """The written consent of item ``item_id`` in ``lang`` ("ru" or "en")."""
    if lang not in LANGUAGES:
        raise ValueError(f"no consent document template for {lang!r}; available: ru, en")
    item = next((i for i in register.consents.items if i.id == item_id), None)
    if item is None:
        known = ", ".join(i.id for i in register.consents.items) or "none"
        raise UnknownConsentItem(f"no consent item '{item_id}' in the register; known: {known}")
    purpose = register.purpose(item.purpose)
    op = register.operator
    processors = [
        f"{_pick(r.names, lang, r.name)} ({country_name(r.country, lang)})"
        for r in (register.recipient(x) for x in purpose.recipients)
        if r.role is RecipientRole.PROCESSOR
    ]
    actions = [a for a in BASE_ACTIONS if a in ACTIONS[lang]]
    if purpose.recipients:
        actions.insert(actions.index("blocking"), "transfer")
    categories = [register.category_name(c, lang) for c in purpose.categories]
    retention = purpose.retention
    md = md_escape
    text = (
        environment()
        .get_template(f"{lang}/consent.md.j2")
        .render(
            operator=md(op.legal_name),
            address=md(_pick(op.contacts.postal_address, lang)),
            purpose=md(_pick(purpose.names, lang, purpose.id)),
            description=md(_pick(purpose.descriptions, lang)),
            categories=[md(c) for c in categories],
            processors=[md(p) for p in processors],
            actions=[ACTIONS[lang][a] for a in actions],
            method=METHOD[lang],
            time_limit=duration_phrase(item.time_limit, lang) if item.time_limit else None,
            retention=retention_phrase(retention.duration, retention.from_, lang)
            if retention
            else None,
            email=str(op.contacts.privacy_email),
        )
    )
    return ConsentDocument(item.id, lang, text)
