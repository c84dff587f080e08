"""Words for the register's vocabularies, per notice language, written by hand (no translation).

Templates (``templates/<lang>/``) hold the sentences; this module holds the labels those
sentences are built from: legal bases, recipient roles, sources, rights, dates, countries.
A test checks that every vocabulary value has a label in every language.
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from typing import Final

import pycountry

from steward.notices.plural import duration_phrase
from steward.register.duration import Duration
from steward.register.taxonomy import (
    Jurisdiction,
    LegalBasis,
    Party,
    RecipientRole,
    RetentionStart,
    Source,
    TrackerKind,
    TransferBasis,
)

LANGUAGES: Final = ("en", "ru")

BASIS: Final[dict[str, dict[str, str]]] = {
    "en": {
        LegalBasis.CONSENT: "Your consent",
        LegalBasis.CONTRACT: "Performance of a contract with you, or steps you asked for before it",
        LegalBasis.LEGAL_OBLIGATION: "A legal obligation",
        LegalBasis.VITAL_INTERESTS: "Protection of vital interests",
        LegalBasis.PUBLIC_TASK: "A task in the public interest",
        LegalBasis.LEGITIMATE_INTERESTS: "Our legitimate interests",
    },
    "ru": {
        LegalBasis.CONSENT: "Ваше согласие",
        LegalBasis.CONTRACT: "Исполнение договора с вами или действия по вашему запросу до его "
        "заключения",
        LegalBasis.LEGAL_OBLIGATION: "Требование законодательства",
        LegalBasis.VITAL_INTERESTS: "Защита жизненно важных интересов",
        LegalBasis.PUBLIC_TASK: "Выполнение задачи в общественных интересах",
        LegalBasis.LEGITIMATE_INTERESTS: "Наши законные интересы",
    },
}

ROLE: Final[dict[str, dict[str, str]]] = {
    "en": {
        RecipientRole.PROCESSOR: "service provider processing data on our behalf",
        RecipientRole.PARTNER: "business partner",
        RecipientRole.CONTROLLER: "independent controller",
        RecipientRole.AUTHORITY: "public authority",
        RecipientRole.PUBLIC: "public (published)",
        RecipientRole.ACQUIRER: "buyer or successor in a reorganisation",
    },
    "ru": {
        RecipientRole.PROCESSOR: "обработчик, действующий по нашему поручению",
        RecipientRole.PARTNER: "деловой партнёр",
        RecipientRole.CONTROLLER: "самостоятельный оператор",
        RecipientRole.AUTHORITY: "государственный орган",
        RecipientRole.PUBLIC: "неограниченный круг лиц (публикация)",
        RecipientRole.ACQUIRER: "покупатель или правопреемник при реорганизации",
    },
}

SOURCE: Final[dict[str, dict[str, str]]] = {
    "en": {
        Source.SUBJECT: "from you, in forms you fill in",
        Source.AUTOMATIC: "collected automatically when you use our services",
        Source.THIRD_PARTY: "from third parties",
        Source.PUBLIC: "from public sources",
        Source.CORRESPONDENCE: "from your e-mails, messages and calls",
    },
    "ru": {
        Source.SUBJECT: "от вас, в заполняемых вами формах",
        Source.AUTOMATIC: "собираются автоматически при использовании наших сервисов",
        Source.THIRD_PARTY: "от третьих лиц",
        Source.PUBLIC: "из общедоступных источников",
        Source.CORRESPONDENCE: "из вашей переписки, сообщений и звонков",
    },
}

TRANSFER_BASIS: Final[dict[str, dict[str, str]]] = {
    "en": {
        TransferBasis.ADEQUACY: "an adequacy decision",
        TransferBasis.STANDARD_CLAUSES: "standard contractual clauses",
        TransferBasis.BINDING_CORPORATE_RULES: "binding corporate rules",
        TransferBasis.CONSENT: "your consent",
        TransferBasis.CONTRACT: "necessity for the contract with you",
        TransferBasis.LEGAL_CLAIMS: "legal claims",
        TransferBasis.VITAL_INTERESTS: "protection of vital interests",
        TransferBasis.RU_ADEQUATE_COUNTRY: "a country ensuring adequate protection "
        "(Roskomnadzor's list, 152-FZ Art. 12)",
        TransferBasis.RU_NOTIFIED: "notification of Roskomnadzor (152-FZ Art. 12)",
    },
    "ru": {
        TransferBasis.ADEQUACY: "решение об адекватности защиты",
        TransferBasis.STANDARD_CLAUSES: "стандартные договорные условия",
        TransferBasis.BINDING_CORPORATE_RULES: "обязательные корпоративные правила",
        TransferBasis.CONSENT: "ваше согласие",
        TransferBasis.CONTRACT: "необходимость для исполнения договора с вами",
        TransferBasis.LEGAL_CLAIMS: "защита прав в суде",
        TransferBasis.VITAL_INTERESTS: "защита жизненно важных интересов",
        TransferBasis.RU_ADEQUATE_COUNTRY: "страна, обеспечивающая адекватную защиту "
        "(перечень Роскомнадзора, ст. 12 152-ФЗ)",
        TransferBasis.RU_NOTIFIED: "уведомление Роскомнадзора (ст. 12 152-ФЗ)",
    },
}

RETENTION_FROM: Final[dict[str, dict[str, str]]] = {
    "en": {
        RetentionStart.COLLECTION: "{d} from collection",
        RetentionStart.LAST_ACTIVITY: "{d} from your last activity",
        RetentionStart.CONTRACT_END: "{d} after the contract ends",
        RetentionStart.YEAR_END: "{d} from the end of the calendar year of collection",
        RetentionStart.CONSENT_WITHDRAWAL: "{d} after you withdraw consent",
        RetentionStart.PURPOSE_ACHIEVED: "{d} after the purpose is achieved",
    },
    "ru": {
        RetentionStart.COLLECTION: "{d} с момента получения",
        RetentionStart.LAST_ACTIVITY: "{d} с момента вашей последней активности",
        RetentionStart.CONTRACT_END: "{d} после окончания действия договора",
        RetentionStart.YEAR_END: "{d} после окончания календарного года, в котором они получены",
        RetentionStart.CONSENT_WITHDRAWAL: "{d} после отзыва согласия",
        RetentionStart.PURPOSE_ACHIEVED: "{d} после достижения цели обработки",
    },
}

NO_RETENTION: Final = {
    "en": "until the purpose is achieved",
    "ru": "до достижения цели обработки",
}

PARTY: Final = {
    "en": {Party.FIRST: "first party (us)", Party.THIRD: "third party"},
    "ru": {Party.FIRST: "наш (первая сторона)", Party.THIRD: "третьей стороны"},
}

TRACKER: Final = {
    "en": {
        TrackerKind.COOKIE: "cookie",
        TrackerKind.LOCAL_STORAGE: "local storage",
        TrackerKind.PIXEL: "pixel tag",
        TrackerKind.SCRIPT: "script",
    },
    "ru": {
        TrackerKind.COOKIE: "cookie",
        TrackerKind.LOCAL_STORAGE: "локальное хранилище",
        TrackerKind.PIXEL: "пиксель",
        TrackerKind.SCRIPT: "скрипт",
    },
}

LIFETIME: Final = {
    "en": {"session": "until you close the browser", "persistent": "until you delete it"},
    "ru": {"session": "до закрытия браузера", "persistent": "до удаления вами"},
}

JURISDICTION: Final = {
    "en": {
        Jurisdiction.RU_152FZ: "Russian Federal Law No. 152-FZ “On Personal Data”",
        Jurisdiction.EU_GDPR: "the EU General Data Protection Regulation (GDPR)",
        Jurisdiction.UK_GDPR: "the UK GDPR and the Data Protection Act 2018",
        Jurisdiction.US_CCPA: "the California Consumer Privacy Act (CCPA/CPRA)",
        Jurisdiction.US_COPPA: "the US Children's Online Privacy Protection Act (COPPA)",
        Jurisdiction.BR_LGPD: "the Brazilian General Data Protection Law (LGPD)",
    },
    "ru": {
        Jurisdiction.RU_152FZ: "Федеральный закон от 27.07.2006 № 152-ФЗ «О персональных данных»",
        Jurisdiction.EU_GDPR: "Общий регламент ЕС по защите данных (GDPR)",
        Jurisdiction.UK_GDPR: "UK GDPR и Закон Великобритании о защите данных 2018 г.",
        Jurisdiction.US_CCPA: "Закон Калифорнии о защите прав потребителей (CCPA/CPRA)",
        Jurisdiction.US_COPPA: "Закон США о защите конфиденциальности детей в интернете (COPPA)",
        Jurisdiction.BR_LGPD: "Общий закон Бразилии о защите данных (LGPD)",
    },
}

AUTHORITY: Final = {
    "en": {
        "roskomnadzor": "Roskomnadzor (the Russian data protection authority) or a court",
        "eu-dpa": "the data protection supervisory authority of your EU country",
        "ico": "the Information Commissioner's Office (ICO)",
        "anpd": "the National Data Protection Authority (ANPD)",
    },
    "ru": {
        "roskomnadzor": "Роскомнадзор (уполномоченный орган по защите прав субъектов "
        "персональных данных) или суд",
        "eu-dpa": "надзорный орган по защите данных вашей страны ЕС",
        "ico": "Управление комиссара по информации Великобритании (ICO)",
        "anpd": "Национальное управление по защите данных Бразилии (ANPD)",
    },
}

RIGHT: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "en": {
        "access": ("Access", "learn whether we process your data and get a copy of it"),
        "rectification": ("Rectification", "have inaccurate or incomplete data corrected"),
        "erasure": ("Erasure", "have your data deleted"),
        "restriction": ("Restriction", "have the processing of your data restricted"),
        "portability": (
            "Portability",
            "receive the data you gave us in a structured, commonly used, "
            "machine-readable format and pass it to another operator",
        ),
        "objection": ("Objection", "object to processing based on our legitimate interests"),
        "automated-decision": (
            "Human review",
            "not to be subject to a decision based solely on automated processing",
        ),
        "withdraw-consent": (
            "Withdrawal of consent",
            "withdraw any consent at any time, without affecting processing before it",
        ),
        "transfers-info": (
            "Information on transfers",
            "learn to whom your data is disclosed or transferred",
        ),
        "opt-out-sale": ("Opt-out", "opt out of the sale or sharing of your personal information"),
        "limit-sensitive": (
            "Limit sensitive data",
            "limit the use of your sensitive personal information",
        ),
        "non-discrimination": (
            "Non-discrimination",
            "not be treated differently for using these rights",
        ),
        "complaint": ("Complaint", "complain to {authority}"),
    },
    "ru": {
        "access": (
            "Право на доступ",
            "узнать, обрабатываем ли мы ваши данные, и получить их копию",
        ),
        "rectification": (
            "Право на уточнение",
            "потребовать исправить неточные или неполные данные",
        ),
        "erasure": ("Право на удаление", "потребовать удалить (уничтожить) ваши данные"),
        "restriction": ("Право на ограничение", "потребовать ограничить (блокировать) обработку"),
        "portability": (
            "Право на переносимость",
            "получить предоставленные вами данные в структурированном, общепринятом и "
            "машиночитаемом формате и передать их другому оператору",
        ),
        "objection": (
            "Право на возражение",
            "возразить против обработки на основании наших законных интересов",
        ),
        "automated-decision": (
            "Право на рассмотрение человеком",
            "не подвергаться решению, основанному исключительно на автоматизированной обработке",
        ),
        "withdraw-consent": (
            "Право отозвать согласие",
            "в любой момент отозвать любое данное согласие",
        ),
        "transfers-info": (
            "Право на сведения о передаче",
            "узнать, кому передаются или раскрываются ваши данные",
        ),
        "opt-out-sale": ("Право на отказ", "запретить продажу или передачу ваших данных"),
        "limit-sensitive": (
            "Ограничение чувствительных данных",
            "ограничить использование ваших чувствительных данных",
        ),
        "non-discrimination": (
            "Недискриминация",
            "не подвергаться иному обращению из-за осуществления этих прав",
        ),
        "complaint": ("Право на жалобу", "обжаловать наши действия: {authority}"),
    },
}

_MONTHS_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS_RU: Final = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def long_date(day: date, lang: str) -> str:
    """ "22 November 2026" / «22 ноября 2026 г.»."""
    if lang == "ru":
        return f"{day.day} {_MONTHS_RU[day.month - 1]} {day.year} г."
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


@cache
def _country_translation(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str, lang: str) -> str:
    """The country's name in ``lang`` from the ISO 3166 translations pycountry ships."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _country_translation(lang).gettext(country.name) if lang != "en" else name


def retention_phrase(duration: Duration | None, start: RetentionStart | None, lang: str) -> str:
    """ "3 years after the contract ends" / «3 года после окончания действия договора»."""
    if duration is None:
        return NO_RETENTION[lang]
    return RETENTION_FROM[lang][start or RetentionStart.COLLECTION].format(
        d=duration_phrase(duration, lang)
    )
