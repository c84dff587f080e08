"""The processing register as typed data.

Every model forbids unknown fields, so a misspelt key is an error that names the right one.
Cross-references between sections (a purpose's categories, a cookie's purpose) are checked
in ``checks.py``, which can report them even when other parts of the file are broken.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from steward.register.countries import is_country_code
from steward.register.duration import Duration
from steward.register.email_address import checked_email
from steward.register.taxonomy import (
    BUILTIN_CATEGORIES,
    Category,
    ChangeEffect,
    Channel,
    IdentityKind,
    Jurisdiction,
    LegalBasis,
    Party,
    RecipientRole,
    RequestChannel,
    RetentionStart,
    Right,
    Sensitivity,
    Source,
    SpecialBasis,
    TableAction,
    TrackerKind,
    TransferBasis,
)

_ID = r"[a-z0-9][a-z0-9_-]*"
_CATEGORY_PATTERN = rf"^{_ID}(\.{_ID})*$"
_LANG_PATTERN = r"^[a-z]{2}$"
_ENV_PATTERN = r"^[A-Z_][A-Z0-9_]*$"
# What each pattern means, for error messages ("'Orders Page' is not a lower-case id ...").
PATTERN_HINTS = {
    f"^{_ID}$": "a lower-case id: letters, digits, '-' and '_' (e.g. 'marketing-email')",
    _CATEGORY_PATTERN: "a dotted category id such as 'contact.email'",
    _LANG_PATTERN: "a two-letter ISO 639-1 language code such as 'en' or 'ru'",
    _ENV_PATTERN: "an environment variable name in capitals, such as 'APP_DATABASE_URL'",
}
Id = Annotated[
    str,
    Field(
        pattern=rf"^{_ID}$",
        max_length=64,
        description="a lower-case id: letters, digits, '-' and '_'",
    ),
]
CategoryId = Annotated[
    str,
    Field(pattern=_CATEGORY_PATTERN, max_length=128, description="a dotted category id"),
]
LangCode = Annotated[str, Field(pattern=_LANG_PATTERN, description="an ISO 639-1 code")]
EnvVar = Annotated[str, Field(pattern=_ENV_PATTERN, description="an environment variable name")]


def _country(value: str) -> str:
    code = value.upper()
    if not is_country_code(code):
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (RU, DE, US, ...)")
    return code


def _to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int) else value


Country = Annotated[str, AfterValidator(_country)]
# pydantic's EmailStr, importing email_validator only for an address that is not plain
Email = Annotated[str, AfterValidator(checked_email)]
Localized = dict[LangCode, Annotated[str, Field(min_length=1)]]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Dpo(Model):
    name: str | None = None
    email: Email
    phone: str | None = None


class Contacts(Model):
    privacy_email: Email
    postal_address: Localized | str
    phone: str | None = None
    website: str | None = None
    dpo: Dpo | None = None

    @property
    def staff_address(self) -> str:
        """Where Steward writes to the operator's staff (breach and filing reminders): the
        DPO's address when the register names one, else the privacy address."""
        return str(self.dpo.email) if self.dpo else str(self.privacy_email)


# python-stdnum is imported only for a number to check (stdnum.util imports ssl and pydoc)
def _check_inn(value: str) -> str:
    from stdnum.ru import inn as ru_inn

    if not ru_inn.is_valid(value):
        raise ValueError(f"'{value}' is not a valid INN (10 or 12 digits with a correct checksum)")
    return ru_inn.compact(value)


def _check_ogrn(value: str) -> str:
    from stdnum.ru import ogrn as ru_ogrn

    if not ru_ogrn.is_valid(value):
        raise ValueError(
            f"'{value}' is not a valid OGRN/OGRNIP (13 or 15 digits with a correct checksum)"
        )
    return ru_ogrn.compact(value)


class Registration(Model):
    """State registration numbers of the operator, checked by their checksums."""

    ru_inn: Annotated[str, BeforeValidator(_to_str), AfterValidator(_check_inn)] | None = None
    ru_ogrn: Annotated[str, BeforeValidator(_to_str), AfterValidator(_check_ogrn)] | None = None
    rkn_registry: str | None = Field(
        None, description="entry in Roskomnadzor's register of operators"
    )


class Operator(Model):
    id: Id
    legal_name: str = Field(min_length=1)
    names: Localized
    country: Country
    contacts: Contacts
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    languages: list[LangCode] = Field(min_length=1)
    registration: Registration | None = None
    website: str | None = None


class Subject(Model):
    id: Id
    names: Localized
    descriptions: Localized | None = None


class CustomCategory(Model):
    """A register's own category, below a built-in or another custom one."""

    id: CategoryId
    names: Localized
    sensitivity: Sensitivity = Sensitivity.ORDINARY

    def as_category(self) -> Category:
        return Category(
            self.id,
            self.names.get("en") or next(iter(self.names.values())),
            self.names.get("ru") or self.names.get("en") or next(iter(self.names.values())),
            self.sensitivity,
        )


class Retention(Model):
    duration: Duration
    from_: RetentionStart = Field(RetentionStart.COLLECTION, alias="from")
    notes: Localized | None = None


PurposeTag = Literal[
    "essential", "analytics", "marketing", "advertising", "sale", "sharing", "security", "legal"
]


class Purpose(Model):
    id: Id
    names: Localized
    descriptions: Localized
    basis: LegalBasis
    basis_reference: str | None = Field(
        None,
        description="citation of the basis, e.g. 'GDPR Art. 6(1)(b)' or '152-FZ Art. 6 p.1(5)'",
    )
    special_basis: SpecialBasis | None = None
    categories: list[CategoryId] = Field(min_length=1)
    subjects: list[Id] = Field(min_length=1)
    sources: list[Source] = Field(default_factory=list)
    retention: Retention | None = None
    recipients: list[Id] = Field(default_factory=list)
    automated_decision: bool = False
    tags: list[PurposeTag] = Field(default_factory=list)


class Recipient(Model):
    id: Id
    name: str = Field(min_length=1)
    names: Localized | None = None
    role: RecipientRole
    country: Country
    transfer_basis: TransferBasis | None = None
    descriptions: Localized | None = None


class Lookup(Model):
    """Where the access report finds what a column's value stands for (a city's name for a
    ``city_id``): the row of ``table`` whose ``key`` equals the value, its column ``value``."""

    table: str = Field(min_length=1)
    schema_: str | None = Field(None, alias="schema")
    key: str = Field("id", min_length=1, description="the column the value refers to")
    value: str = Field(min_length=1, description="the column whose text the report shows")


class ColumnSpec(Model):
    category: CategoryId
    label: Localized | None = Field(
        None,
        description="the column's name as the subject reads it in the access report, per "
        "language; unset: the column's name made readable (city_id -> 'City id')",
    )
    lookup: Lookup | None = Field(
        None, description="the access report shows the referred row's text instead of the key"
    )
    mask: Literal["null", "fixed", "hash", "pseudonym", "year", "keep"] | None = None
    value: str | None = Field(None, description="the replacement text for mask: fixed")
    part: Literal["given", "middle", "family"] | None = Field(
        None,
        description="which part of a name the column holds (identity.name); by default read "
        "from its name (first_name, surname, patronymic...), else the whole name",
    )

    @model_validator(mode="after")
    def _fixed_needs_value(self) -> ColumnSpec:
        if self.mask == "fixed" and self.value is None:
            raise ValueError("mask 'fixed' needs a 'value' with the replacement text")
        return self


def _column_spec(value: Any) -> Any:
    return {"category": value} if isinstance(value, str) else value


class Reference(Model):
    """A link between tables that the database does not declare as a foreign key."""

    columns: Annotated[list[str], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]
    table: str
    to_columns: Annotated[list[str], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]
    direction: Literal["both", "to", "from"] = Field(
        "both",
        description="which way the subject search may cross it: 'to' only from these rows to "
        "the rows they refer to (an order leads to the card it was paid with; the card does "
        "not make the order its holder's), 'from' only from the referred rows to these",
    )

    @model_validator(mode="after")
    def _same_arity(self) -> Reference:
        if len(self.columns) != len(self.to_columns):
            raise ValueError(
                f"'columns' has {len(self.columns)} names but 'to_columns' has "
                f"{len(self.to_columns)}; a reference pairs them one to one"
            )
        return self


class TableRetention(Model):
    column: str
    duration: Duration
    action: TableAction = TableAction.DELETE
    from_: Literal["date", "year-end"] = Field(
        "date",
        alias="from",
        description="count from the column's date, or from the end of its calendar year",
    )


class Table(Model):
    name: str = Field(min_length=1)
    schema_: str | None = Field(None, alias="schema")
    subject: Id | None = None
    belongs_to: list[Id] = Field(
        default_factory=list,
        description="the subject kinds whose data its rows are; unset: its purposes' subjects",
    )
    reference_data: bool = False
    identity: dict[str, IdentityKind] = Field(default_factory=dict)
    columns: dict[str, Annotated[ColumnSpec, BeforeValidator(_column_spec)]] = Field(
        default_factory=dict
    )
    references: list[Reference] = Field(default_factory=list)
    retention: TableRetention | None = None
    on_erasure: TableAction | None = None
    purposes: list[Id] = Field(default_factory=list)
    restrict_column: str | None = Field(
        None,
        description="boolean column set to true on restriction; unset: Steward's restriction list",
    )
    collected_at: str | None = Field(
        None, description="column holding when a row was collected; legal holds count from it"
    )
    label: Localized | None = Field(
        None,
        description="the table's name as the subject reads it in the access report, per "
        "language; unset: its name made readable (call_recordings -> 'Call recordings')",
    )
    language_column: str | None = Field(
        None,
        description="column holding the subject's language (an ISO 639-1 code such as 'ru' or "
        "a locale such as 'ru-RU'); letters to the subject are written in it",
    )

    @property
    def qualified_name(self) -> str:
        return f"{self.schema_}.{self.name}" if self.schema_ else self.name


_PASSWORD_IN_URL = re.compile(r"^[a-z0-9+]+://[^/@:]*:[^/@]+@", re.IGNORECASE)


class Connection(Model):
    env: EnvVar | None = Field(None, description="variable holding the SQLAlchemy URL")
    url: str | None = Field(None, description="a URL without a password, e.g. sqlite:///app.db")

    @model_validator(mode="after")
    def _one_source(self) -> Connection:
        if (self.env is None) == (self.url is None):
            raise ValueError("give exactly one of 'env' (recommended) or 'url'")
        if self.url is not None and _PASSWORD_IN_URL.match(self.url):
            raise ValueError(
                "the URL contains a password; put the URL in an environment variable and "
                "name it with 'env:'"
            )
        return self


class Datastore(Model):
    id: Id
    kind: Literal["postgresql", "mysql", "mariadb", "sqlite"]
    connection: Connection
    location: Country
    descriptions: Localized | None = None
    tables: list[Table] = Field(default_factory=list)


class Cookie(Model):
    name: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    purpose: Id
    lifetime: Duration | Literal["session", "persistent"]
    party: Party
    kind: TrackerKind = TrackerKind.COOKIE
    domain: str | None = None
    descriptions: Localized | None = None


class ConsentItem(Model):
    id: Id
    purpose: Id
    channel: Channel = Channel.ANY
    time_limit: Duration | None = None
    labels: Localized
    written: bool = Field(
        False,
        description="the operator treats this tick as consent in writing (152-FZ Art. 9 p.4); "
        "the ledger keeps the form and text it was given on",
    )


class AgeRule(Model):
    jurisdiction: Jurisdiction | None = None
    minimum: int | None = Field(None, ge=0, le=21)
    guardian_below: int | None = Field(None, ge=0, le=21)

    @model_validator(mode="after")
    def _meaningful(self) -> AgeRule:
        if self.minimum is None and self.guardian_below is None:
            raise ValueError("an age rule needs 'minimum', 'guardian_below' or both")
        if (
            self.minimum is not None
            and self.guardian_below is not None
            and self.guardian_below <= self.minimum
        ):
            raise ValueError(
                f"guardian_below ({self.guardian_below}) must be above minimum ({self.minimum})"
            )
        return self


def _gpc_default() -> list[PurposeTag]:
    return ["sale", "sharing", "advertising"]


class Consents(Model):
    items: list[ConsentItem] = Field(default_factory=list)
    age: list[AgeRule] = Field(default_factory=list)
    ip_evidence: Literal["truncate", "hash", "none"] = Field(
        "truncate",
        description="how the consent ledger keeps the IP address as evidence: truncated "
        "(IPv4 /24, IPv6 /48), keyed hash, or not at all",
    )
    gpc_opt_out: list[PurposeTag] = Field(
        default_factory=_gpc_default,
        description="purpose tags that Global Privacy Control opts a visitor out of",
    )


class SecurityMeasure(Model):
    """One protective measure the notice promises (152-FZ Art. 19, GDPR Art. 32)."""

    id: Id
    names: Localized = Field(description="the measure as the notice states it, per language")


class ChangePolicy(Model):
    """How a new version of the notice takes effect and who is told."""

    effective: ChangeEffect = Field(
        ChangeEffect.ON_PUBLICATION, description="when a new version applies"
    )
    notice_period: Duration | None = Field(
        None, description="with 'after-notice': how long after subjects are told"
    )
    notify: list[Channel] = Field(
        default_factory=list,
        description="channels by which subjects are told of a material change (empty: none)",
    )

    @model_validator(mode="after")
    def _period_with_notice(self) -> ChangePolicy:
        if self.effective is ChangeEffect.AFTER_NOTICE and self.notice_period is None:
            raise ValueError("effective 'after-notice' needs a 'notice_period', e.g. P30D")
        if self.effective is ChangeEffect.ON_PUBLICATION and self.notice_period is not None:
            raise ValueError(
                "'notice_period' applies only with effective 'after-notice'; remove it or "
                "set effective: after-notice"
            )
        return self


class AnswerDeadline(Model):
    """The operator's own promise of how fast a request is answered."""

    days: int = Field(ge=1, le=90, description="number of days")
    working_days: bool = Field(False, description="count working days, not calendar days")


class RequestPolicy(Model):
    """How data-subject requests are made and answered, as the notice promises."""

    rights: list[Right] = Field(default_factory=list, description="rights the notice lists")
    channels: list[RequestChannel] = Field(
        default_factory=list, description="where a request may be filed"
    )
    signed_document: bool = Field(
        False,
        description="a request must be a document bearing the subject's signature "
        "(e.g. a signed scan, 152-FZ Art. 14 p.3)",
    )
    answer_within: AnswerDeadline | None = Field(
        None, description="the operator's deadline if it promises one shorter than the law's"
    )
    erase_on_objection: bool = Field(
        False, description="an objection to processing leads to erasure of the account"
    )
    subject: Id | None = Field(
        None,
        description="the subject kind a request filed in the Privacy Center is for; unset: the "
        "first subject kind with an account table, else the first subject kind",
    )


class BreachPolicy(Model):
    """What the notice promises subjects when their data is breached."""

    notify_subjects: list[Channel] = Field(
        min_length=1, description="channels used to tell affected subjects"
    )
    within: Duration | None = Field(
        None, description="promised delay; absent means 'as soon as possible'"
    )


class Policy(Model):
    """Promises of the notice that are not about one purpose, table or consent."""

    last_updated: date | None = Field(None, description="date shown as 'last updated'")
    changes: ChangePolicy | None = None
    requests: RequestPolicy | None = None
    breaches: BreachPolicy | None = None
    security: list[SecurityMeasure] = Field(default_factory=list)
    unsolicited_categories: list[CategoryId] = Field(
        default_factory=list,
        description="categories the operator asks not to be sent; discovery reports any found",
    )
    human_review: bool = Field(
        False, description="no decision is based solely on automated processing; a person reviews"
    )


class Register(Model):
    steward: Literal[1] = Field(1, description="register format version")
    operator: Operator
    subjects: list[Subject] = Field(min_length=1)
    categories: list[CustomCategory] = Field(default_factory=list)
    purposes: list[Purpose] = Field(min_length=1)
    recipients: list[Recipient] = Field(default_factory=list)
    datastores: list[Datastore] = Field(default_factory=list)
    cookies: list[Cookie] = Field(default_factory=list)
    consents: Consents = Field(default_factory=Consents)
    policy: Policy = Field(default_factory=Policy)

    @cached_property
    def all_categories(self) -> dict[str, Category]:
        merged = dict(BUILTIN_CATEGORIES)
        merged.update({c.id: c.as_category() for c in self.categories})
        return merged

    def purpose(self, purpose_id: str) -> Purpose:
        return next(p for p in self.purposes if p.id == purpose_id)

    def recipient(self, recipient_id: str) -> Recipient:
        return next(r for r in self.recipients if r.id == recipient_id)

    def category(self, category_id: str) -> Category:
        return self.all_categories[category_id]

    def category_name(self, category_id: str, lang: str) -> str:
        """A category's name in ``lang``; its id when neither the register nor the built-in
        taxonomy has it (a check refuses unknown ids, but a stored record may predate one)."""
        category = self.all_categories.get(category_id)
        return category.name(lang) if category is not None else category_id

    def default_subject(self) -> str:
        """The subject kind a request is for when it does not say (the Privacy Center's)."""
        if self.policy.requests is not None and self.policy.requests.subject:
            return self.policy.requests.subject
        accounts = {t.subject for d in self.datastores for t in d.tables if t.subject}
        return next((s.id for s in self.subjects if s.id in accounts), self.subjects[0].id)

    def table_kinds(self, table: Table) -> frozenset[str]:
        """The subject kinds whose data ``table``'s rows are.

        An account table's own kind; else ``belongs_to``; else the subjects of its purposes;
        else (no purposes) every subject kind of the register.
        """
        if table.subject:
            return frozenset([table.subject])
        if table.belongs_to:
            return frozenset(table.belongs_to)
        known = {p.id: p for p in self.purposes}
        kinds = {s for p in table.purposes if p in known for s in known[p].subjects}
        return frozenset(kinds or (s.id for s in self.subjects))

    def purposes_covering(self, category_id: str) -> list[Purpose]:
        """Purposes that declare this category or one of its ancestors."""
        return [p for p in self.purposes if any(_within(category_id, c) for c in p.categories)]


def _within(category_id: str, ancestor: str) -> bool:
    return category_id == ancestor or category_id.startswith(ancestor + ".")


def within(category_id: str, ancestor: str) -> bool:
    """True when ``category_id`` is ``ancestor`` or below it in the taxonomy."""
    return _within(category_id, ancestor)
