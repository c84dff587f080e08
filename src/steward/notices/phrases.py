"""Words for the register's vocabularies, per notice language.

Templates (``templates/<lang>/``) hold the sentences; this module holds the labels those
sentences are built from: legal bases, recipient roles, sources, rights, dates, countries.
Most vocabularies are ``lib.i18n.Vocabulary``: English here, each other language in the
catalogue (``locale/<lang>/LC_MESSAGES/messages.po``, one context per vocabulary), read as
before (``BASIS["ru"][LegalBasis.CONSENT]``). The official names of laws (``JURISDICTION``)
stay written out per language here: they are data, not translations. The rights (``RIGHT``)
are (name, description) pairs, each part in the catalogue. Dates use CLDR's
month names (Babel), countries pycountry's ISO 3166 translations. A test checks that every
vocabulary value has a label in every language.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from steward.lib.i18n import NC_, Vocabulary
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

BASIS: Final = Vocabulary(
    "basis",
    {
        LegalBasis.CONSENT: NC_("basis", "Your consent"),
        LegalBasis.CONTRACT: NC_(
            "basis",
            "Performance of a contract with you, or steps you asked for before it",
        ),
        LegalBasis.LEGAL_OBLIGATION: NC_("basis", "A legal obligation"),
        LegalBasis.VITAL_INTERESTS: NC_("basis", "Protection of vital interests"),
        LegalBasis.PUBLIC_TASK: NC_("basis", "A task in the public interest"),
        LegalBasis.LEGITIMATE_INTERESTS: NC_("basis", "Our legitimate interests"),
    },
)

ROLE: Final = Vocabulary(
    "role",
    {
        RecipientRole.PROCESSOR: NC_("role", "service provider processing data on our behalf"),
        RecipientRole.PARTNER: NC_("role", "business partner"),
        RecipientRole.CONTROLLER: NC_("role", "independent controller"),
        RecipientRole.AUTHORITY: NC_("role", "public authority"),
        RecipientRole.PUBLIC: NC_("role", "public (published)"),
        RecipientRole.ACQUIRER: NC_("role", "buyer or successor in a reorganisation"),
    },
)

SOURCE: Final = Vocabulary(
    "source",
    {
        Source.SUBJECT: NC_("source", "from you, in forms you fill in"),
        Source.AUTOMATIC: NC_("source", "collected automatically when you use our services"),
        Source.THIRD_PARTY: NC_("source", "from third parties"),
        Source.PUBLIC: NC_("source", "from public sources"),
        Source.CORRESPONDENCE: NC_("source", "from your e-mails, messages and calls"),
    },
)

TRANSFER_BASIS: Final = Vocabulary(
    "transfer-basis",
    {
        TransferBasis.ADEQUACY: NC_("transfer-basis", "an adequacy decision"),
        TransferBasis.STANDARD_CLAUSES: NC_("transfer-basis", "standard contractual clauses"),
        TransferBasis.BINDING_CORPORATE_RULES: NC_("transfer-basis", "binding corporate rules"),
        TransferBasis.CONSENT: NC_("transfer-basis", "your consent"),
        TransferBasis.CONTRACT: NC_("transfer-basis", "necessity for the contract with you"),
        TransferBasis.LEGAL_CLAIMS: NC_("transfer-basis", "legal claims"),
        TransferBasis.VITAL_INTERESTS: NC_("transfer-basis", "protection of vital interests"),
        TransferBasis.RU_ADEQUATE_COUNTRY: NC_(
            "transfer-basis",
            "a country ensuring adequate protection (Roskomnadzor's list, 152-FZ Art. 12)",
        ),
        TransferBasis.RU_NOTIFIED: NC_(
            "transfer-basis",
            "notification of Roskomnadzor (152-FZ Art. 12)",
        ),
    },
)

RETENTION_FROM: Final = Vocabulary(
    "retention-from",
    {
        RetentionStart.COLLECTION: NC_("retention-from", "{d} from collection"),
        RetentionStart.LAST_ACTIVITY: NC_("retention-from", "{d} from your last activity"),
        RetentionStart.CONTRACT_END: NC_("retention-from", "{d} after the contract ends"),
        RetentionStart.YEAR_END: NC_(
            "retention-from",
            "{d} from the end of the calendar year of collection",
        ),
        RetentionStart.CONSENT_WITHDRAWAL: NC_("retention-from", "{d} after you withdraw consent"),
        RetentionStart.PURPOSE_ACHIEVED: NC_("retention-from", "{d} after the purpose is achieved"),
    },
)

NO_RETENTION: Final = Vocabulary(
    "retention", {"none": NC_("retention", "until the purpose is achieved")}
)

PARTY: Final = Vocabulary(
    "party",
    {
        Party.FIRST: NC_("party", "first party (us)"),
        Party.THIRD: NC_("party", "third party"),
    },
)

TRACKER: Final = Vocabulary(
    "tracker",
    {
        TrackerKind.COOKIE: NC_("tracker", "cookie"),
        TrackerKind.LOCAL_STORAGE: NC_("tracker", "local storage"),
        TrackerKind.PIXEL: NC_("tracker", "pixel tag"),
        TrackerKind.SCRIPT: NC_("tracker", "script"),
    },
)

LIFETIME: Final = Vocabulary(
    "lifetime",
    {
        "session": NC_("lifetime", "until you close the browser"),
        "persistent": NC_("lifetime", "until you delete it"),
    },
)

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

AUTHORITY: Final = Vocabulary(
    "authority",
    {
        "roskomnadzor": NC_(
            "authority",
            "Roskomnadzor (the Russian data protection authority) or a court",
        ),
        "eu-dpa": NC_("authority", "the data protection supervisory authority of your EU country"),
        "ico": NC_("authority", "the Information Commissioner's Office (ICO)"),
        "anpd": NC_("authority", "the National Data Protection Authority (ANPD)"),
    },
)

RIGHT: Final = Vocabulary(
    "right",
    {
        "access": (
            NC_("right", "Access"),
            NC_("right", "learn whether we process your data and get a copy of it"),
        ),
        "rectification": (
            NC_("right", "Rectification"),
            NC_("right", "have inaccurate or incomplete data corrected"),
        ),
        "erasure": (
            NC_("right", "Erasure"),
            NC_("right", "have your data deleted"),
        ),
        "restriction": (
            NC_("right", "Restriction"),
            NC_("right", "have the processing of your data restricted"),
        ),
        "portability": (
            NC_("right", "Portability"),
            NC_(
                "right",
                "receive the data you gave us in a structured, commonly used, machine-readable "
                "format and pass it to another operator",
            ),
        ),
        "objection": (
            NC_("right", "Objection"),
            NC_("right", "object to processing based on our legitimate interests"),
        ),
        "automated-decision": (
            NC_("right", "Human review"),
            NC_("right", "not to be subject to a decision based solely on automated processing"),
        ),
        "withdraw-consent": (
            NC_("right", "Withdrawal of consent"),
            NC_(
                "right",
                "withdraw any consent at any time, without affecting processing before it",
            ),
        ),
        "transfers-info": (
            NC_("right", "Information on transfers"),
            NC_("right", "learn to whom your data is disclosed or transferred"),
        ),
        "opt-out-sale": (
            NC_("right", "Opt-out"),
            NC_("right", "opt out of the sale or sharing of your personal information"),
        ),
        "limit-sensitive": (
            NC_("right", "Limit sensitive data"),
            NC_("right", "limit the use of your sensitive personal information"),
        ),
        "non-discrimination": (
            NC_("right", "Non-discrimination"),
            NC_("right", "not be treated differently for using these rights"),
        ),
        "complaint": (
            NC_("right", "Complaint"),
            NC_("right", "complain to {authority}"),
        ),
    },
)


def long_date(day: date, lang: str) -> str:
    """ "22 November 2026" / «22 ноября 2026 г.», month names from CLDR (Babel). The space
    before «г.» is a plain one, as notices published before used."""
    from babel.dates import format_date

    if lang == "ru":
        return str(format_date(day, "long", locale="ru")).replace("\u202f", " ")
    return str(format_date(day, "d MMMM y", locale="en"))


def retention_phrase(duration: Duration | None, start: RetentionStart | None, lang: str) -> str:
    """ "3 years after the contract ends" / «3 года после окончания действия договора»."""
    if duration is None:
        return NO_RETENTION[lang]["none"]
    return RETENTION_FROM[lang][start or RetentionStart.COLLECTION].format(
        d=duration_phrase(duration, lang)
    )
