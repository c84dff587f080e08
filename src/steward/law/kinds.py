"""What a data subject can ask for, and the rights jurisdictions grant."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RequestKind(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw-consent"
    INFORMATION = "information"  # about transfers, recipients, processing
    OPT_OUT_SALE = "opt-out-sale"  # CCPA: sale or sharing
    COMPLAINT = "complaint"


KIND_NAMES: dict[RequestKind, dict[str, str]] = {
    RequestKind.ACCESS: {"en": "Access to your data", "ru": "Доступ к своим данным"},
    RequestKind.PORTABILITY: {
        "en": "Data portability",
        "ru": "Получение данных в структурированном машиночитаемом формате",
    },
    RequestKind.RECTIFICATION: {"en": "Rectification", "ru": "Уточнение (исправление) данных"},
    RequestKind.ERASURE: {"en": "Erasure", "ru": "Удаление (уничтожение) данных"},
    RequestKind.RESTRICTION: {
        "en": "Restriction of processing",
        "ru": "Ограничение (блокирование) обработки",
    },
    RequestKind.OBJECTION: {"en": "Objection to processing", "ru": "Возражение против обработки"},
    RequestKind.WITHDRAW_CONSENT: {"en": "Withdrawal of consent", "ru": "Отзыв согласия"},
    RequestKind.INFORMATION: {
        "en": "Information about processing, recipients and transfers",
        "ru": "Сведения об обработке, получателях и передаче данных",
    },
    RequestKind.OPT_OUT_SALE: {
        "en": "Opt-out of sale or sharing",
        "ru": "Отказ от продажи или передачи данных",
    },
    RequestKind.COMPLAINT: {
        "en": "Complaint to the supervisory authority",
        "ru": "Жалоба в уполномоченный орган",
    },
}


@dataclass(frozen=True, slots=True)
class Right:
    """A right a jurisdiction grants, with where the law says so."""

    kind: RequestKind
    citation: str

    def name(self, lang: str) -> str:
        names = KIND_NAMES[self.kind]
        return names.get(lang, names["en"])
