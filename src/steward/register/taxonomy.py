"""Built-in vocabularies of the register: data categories, legal bases, jurisdictions.

A register uses these ids and may extend the category taxonomy with its own dotted ids
(``contact.messenger``) under a built-in parent. Names are given in every notice language
Steward ships templates for (``en``, ``ru``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

LANGUAGES: Final = ("en", "ru")


class Sensitivity(StrEnum):
    """How the law treats a category beyond ordinary personal data."""

    ORDINARY = "ordinary"
    SPECIAL = "special"  # GDPR Art. 9, 152-FZ Art. 10
    BIOMETRIC = "biometric"  # GDPR Art. 9, 152-FZ Art. 11
    CRIMINAL = "criminal"  # GDPR Art. 10, 152-FZ Art. 10 p.3
    CHILDREN = "children"  # GDPR Art. 8, COPPA


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    en: str
    ru: str
    sensitivity: Sensitivity = Sensitivity.ORDINARY

    def name(self, lang: str) -> str:
        """The category's name in ``lang`` (Russian, else English)."""
        return self.ru if lang == "ru" else self.en

    @property
    def parent(self) -> str | None:
        head, _, tail = self.id.rpartition(".")
        return head if tail and head else None


_S = Sensitivity
BUILTIN_CATEGORIES: Final[dict[str, Category]] = {
    c.id: c
    for c in (
        Category("contact", "Contact details", "Контактные данные"),
        Category("contact.email", "E-mail address", "Адрес электронной почты"),
        Category("contact.phone", "Telephone number", "Номер телефона"),
        Category("contact.address", "Postal address", "Почтовый адрес"),
        Category("contact.messenger", "Messenger account", "Аккаунт в мессенджере"),
        Category("identity", "Identity", "Идентификационные данные"),
        Category("identity.name", "Name", "Фамилия, имя, отчество"),
        Category("identity.birth_date", "Date of birth", "Дата рождения"),
        Category("identity.gender", "Gender", "Пол"),
        Category("identity.document", "Identity document", "Документ, удостоверяющий личность"),
        Category("identity.tax_id", "Tax identification number", "ИНН"),
        Category("identity.insurance_number", "Pension insurance number (SNILS)", "СНИЛС"),
        Category("identity.signature", "Signature", "Подпись"),
        Category("identity.photo", "Photograph", "Фотография"),
        Category("account", "Account data", "Данные учётной записи"),
        Category("account.username", "Username", "Имя пользователя"),
        Category("account.id", "Account identifier", "Идентификатор учётной записи"),
        Category("account.password", "Password (hashed)", "Пароль (в виде хеша)"),
        Category("account.settings", "Account settings", "Настройки учётной записи"),
        Category("professional", "Professional details", "Сведения о работе"),
        Category("professional.company", "Company", "Компания"),
        Category("professional.job_title", "Job title", "Должность"),
        Category("professional.cv", "CV and employment history", "Резюме и трудовой стаж"),
        Category(
            "professional.registration",
            "State registration number (OGRN, OGRNIP)",
            "ОГРН, ОГРНИП",
        ),
        Category("financial", "Financial data", "Финансовые данные"),
        Category("financial.bank_account", "Bank account", "Банковские реквизиты"),
        Category("financial.card", "Payment card", "Платёжная карта"),
        Category("financial.transactions", "Payments and invoices", "Платежи и счета"),
        Category("device", "Device and network data", "Данные устройства и сети"),
        Category("device.ip_address", "IP address", "IP-адрес"),
        Category("device.cookie_id", "Cookie identifiers", "Идентификаторы cookie"),
        Category(
            "device.browser", "Browser and operating system", "Браузер и операционная система"
        ),
        Category("device.identifier", "Device identifier", "Идентификатор устройства"),
        Category("usage", "Usage data", "Данные об использовании"),
        Category("usage.pages", "Pages visited", "Посещённые страницы"),
        Category("usage.access_time", "Access time", "Время доступа"),
        Category("usage.session_recording", "Session recordings", "Записи сессий"),
        Category("usage.aggregated", "Aggregated statistics", "Обобщённая статистика"),
        Category("location", "Location", "Местоположение"),
        Category("location.country", "Country", "Страна"),
        Category("location.precise", "Precise location", "Точное местоположение"),
        Category("content", "User content", "Пользовательский контент"),
        Category("content.files", "Uploaded files", "Загруженные файлы"),
        Category("content.messages", "Messages and inquiries", "Сообщения и обращения"),
        Category("content.audio", "Audio content", "Аудиоконтент"),
        Category("communications", "Communications", "Переписка и звонки"),
        Category(
            "communications.call_recording", "Call recordings", "Записи телефонных разговоров"
        ),
        Category("communications.email", "E-mail correspondence", "Электронная переписка"),
        Category("communications.chat", "Chat transcripts", "Переписка в чатах"),
        Category("contract", "Contract data", "Данные договора"),
        Category("contract.services", "Services ordered", "Заказанные услуги"),
        Category("contract.support", "Support tickets", "Обращения в поддержку"),
        Category("marketing", "Marketing preferences", "Маркетинговые предпочтения"),
        Category("special", "Special categories", "Специальные категории", _S.SPECIAL),
        Category("special.health", "Health", "Состояние здоровья", _S.SPECIAL),
        Category(
            "special.racial_ethnic",
            "Racial or ethnic origin",
            "Расовая, национальная принадлежность",
            _S.SPECIAL,
        ),
        Category("special.political", "Political opinions", "Политические взгляды", _S.SPECIAL),
        Category(
            "special.religious",
            "Religious or philosophical beliefs",
            "Религиозные или философские убеждения",
            _S.SPECIAL,
        ),
        Category(
            "special.trade_union", "Trade-union membership", "Членство в профсоюзе", _S.SPECIAL
        ),
        Category("special.sex_life", "Sex life or orientation", "Интимная жизнь", _S.SPECIAL),
        Category("special.genetic", "Genetic data", "Генетические данные", _S.SPECIAL),
        Category("biometric", "Biometric data", "Биометрические персональные данные", _S.BIOMETRIC),
        Category(
            "biometric.face",
            "Facial image for identification",
            "Изображение лица для идентификации",
            _S.BIOMETRIC,
        ),
        Category("biometric.voice", "Voice print", "Голосовой образец", _S.BIOMETRIC),
        Category("biometric.fingerprint", "Fingerprint", "Отпечатки пальцев", _S.BIOMETRIC),
        Category("criminal", "Criminal convictions", "Сведения о судимости", _S.CRIMINAL),
        Category("children", "Children's data", "Данные детей", _S.CHILDREN),
        Category("children.age", "Age of a minor", "Возраст несовершеннолетнего", _S.CHILDREN),
        Category(
            "children.guardian", "Guardian details", "Данные законного представителя", _S.CHILDREN
        ),
    )
}


class LegalBasis(StrEnum):
    """GDPR Art. 6(1) bases; 152-FZ Art. 6 p.1 and LGPD Art. 7 bases map onto them."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal-obligation"
    VITAL_INTERESTS = "vital-interests"
    PUBLIC_TASK = "public-task"
    LEGITIMATE_INTERESTS = "legitimate-interests"


class SpecialBasis(StrEnum):
    """Conditions for special categories: GDPR Art. 9(2), 152-FZ Art. 10 p.2 and Art. 11."""

    EXPLICIT_CONSENT = "explicit-consent"
    EMPLOYMENT = "employment"
    VITAL_INTERESTS = "vital-interests"
    MADE_PUBLIC = "made-public"
    LEGAL_CLAIMS = "legal-claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial-public-interest"
    HEALTH_CARE = "health-care"
    PUBLIC_HEALTH = "public-health"
    ARCHIVING_RESEARCH = "archiving-research"
    REQUIRED_BY_LAW = "required-by-law"


class Jurisdiction(StrEnum):
    RU_152FZ = "ru-152fz"
    EU_GDPR = "eu-gdpr"
    UK_GDPR = "uk-gdpr"
    US_CCPA = "us-ccpa"
    US_COPPA = "us-coppa"
    BR_LGPD = "br-lgpd"


class RetentionStart(StrEnum):
    """The event a retention period counts from."""

    COLLECTION = "collection"
    LAST_ACTIVITY = "last-activity"
    CONTRACT_END = "contract-end"
    YEAR_END = "year-end"  # the end of the calendar year of the row's date (tax, accounting)
    CONSENT_WITHDRAWAL = "consent-withdrawal"
    PURPOSE_ACHIEVED = "purpose-achieved"


class RecipientRole(StrEnum):
    PROCESSOR = "processor"
    PARTNER = "partner"
    CONTROLLER = "controller"
    AUTHORITY = "authority"
    PUBLIC = "public"
    ACQUIRER = "acquirer"


class TransferBasis(StrEnum):
    """Bases for a cross-border transfer: GDPR Ch. V, 152-FZ Art. 12, LGPD Art. 33."""

    ADEQUACY = "adequacy"
    STANDARD_CLAUSES = "standard-clauses"
    BINDING_CORPORATE_RULES = "binding-corporate-rules"
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_CLAIMS = "legal-claims"
    VITAL_INTERESTS = "vital-interests"
    RU_ADEQUATE_COUNTRY = "ru-adequate-country"  # 152-FZ Art. 12 p.3: Roskomnadzor's list
    RU_NOTIFIED = "ru-notified"  # 152-FZ Art. 12 p.4: Roskomnadzor notified


class Source(StrEnum):
    """Where data comes from, as a notice tells the subject."""

    SUBJECT = "subject"  # forms the subject fills in
    AUTOMATIC = "automatic"  # collected automatically (logs, cookies)
    THIRD_PARTY = "third-party"
    PUBLIC = "public"
    CORRESPONDENCE = "correspondence"  # e-mail, messengers, calls


class IdentityKind(StrEnum):
    """How a column identifies a subject; decides how values are normalised before matching."""

    EMAIL = "email"  # case-folded
    PHONE = "phone"  # E.164
    ACCOUNT_ID = "account-id"  # exact


class TableAction(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"


class Channel(StrEnum):
    ANY = "any"
    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"
    POST = "post"
    MESSENGER = "messenger"
    WEB = "web"
    PUSH = "push"


class Right(StrEnum):
    """Rights of the data subject a notice lists; the same values as ``law.kinds.RequestKind``."""

    ACCESS = "access"  # GDPR Art. 15, 152-FZ Art. 14
    RECTIFICATION = "rectification"  # GDPR Art. 16, 152-FZ Art. 14 p.1
    ERASURE = "erasure"  # GDPR Art. 17, 152-FZ Art. 14 p.1, 21
    RESTRICTION = "restriction"  # GDPR Art. 18; 152-FZ "blocking"
    PORTABILITY = "portability"  # GDPR Art. 20
    OBJECTION = "objection"  # GDPR Art. 21
    WITHDRAW_CONSENT = "withdraw-consent"  # GDPR Art. 7(3), 152-FZ Art. 9 p.2
    INFORMATION = "information"  # processing, recipients, transfers: 152-FZ Art. 14 p.7
    COMPLAINT = "complaint"  # GDPR Art. 77, 152-FZ Art. 17
    OPT_OUT_SALE = "opt-out-sale"  # CCPA 1798.120


class RequestChannel(StrEnum):
    """Where a subject may file a request."""

    PRIVACY_CENTER = "privacy-center"  # Steward's public request form
    EMAIL = "email"
    POST = "post"
    PHONE = "phone"
    IN_APP = "in-app"  # inside the operator's own product
    OFFICE = "office"  # in person
    MESSENGER = "messenger"


class ChangeEffect(StrEnum):
    """When a new version of the notice applies."""

    ON_PUBLICATION = "on-publication"
    AFTER_NOTICE = "after-notice"  # after 'notice_period' from telling the subjects


class TrackerKind(StrEnum):
    COOKIE = "cookie"
    LOCAL_STORAGE = "local-storage"
    PIXEL = "pixel"
    SCRIPT = "script"


class Party(StrEnum):
    FIRST = "first"
    THIRD = "third"


def category_sensitivity(category_id: str, known: dict[str, Category]) -> Sensitivity:
    """The sensitivity of a category, inherited from its nearest known ancestor."""
    current: str | None = category_id
    while current:
        found = known.get(current)
        if found is not None and found.sensitivity is not Sensitivity.ORDINARY:
            return found.sensitivity
        current = current.rpartition(".")[0] or None
    return Sensitivity.ORDINARY
