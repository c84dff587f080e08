"""The facts a notice states, gathered from the register for one language.

    notice = build_notice(register, "ru", version="3", published=date(2026, 11, 22),
                          base_url="https://privacy.example.com")

``build_notice`` only selects and labels register data; the sentences around it live in the
per-language templates. Every section of the notice is built here from declared data, so the
notice cannot promise what the register does not declare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from steward.law import RequestKind
from steward.lib import i18n
from steward.lib.i18n import NC_, Vocabulary
from steward.notices import phrases
from steward.notices.lawfacts import RIGHTS, jurisdiction_facts, right_id
from steward.notices.measures import security_measures
from steward.notices.plural import Case, count_phrase, duration_phrase
from steward.register.countries import country_name
from steward.register.models import Register
from steward.register.taxonomy import LegalBasis, Sensitivity, Source, category_sensitivity

SECTIONS = (
    "operator",
    "data",
    "processing",
    "recipients",
    "cookies",
    "rights",
    "automated-decisions",
    "children",
    "localization",
    "security",
    "changes",
    "version",
)


@dataclass(frozen=True)
class OperatorInfo:
    name: str
    legal_name: str
    country: str
    address: str
    email: str
    phone: str | None
    website: str | None
    dpo_name: str | None
    dpo_email: str | None
    inn: str | None
    ogrn: str | None
    rkn_registry: str | None


@dataclass(frozen=True)
class CategoryLine:
    id: str
    name: str
    sources: list[str]
    special: bool


@dataclass(frozen=True)
class CategoryGroup:
    name: str
    items: list[CategoryLine]


@dataclass(frozen=True)
class ProcessingRow:
    purpose_id: str
    purpose: str
    description: str
    data: list[str]
    subjects: list[str]
    basis: str
    basis_reference: str | None
    retention: str
    retention_notes: str | None
    consent: bool


@dataclass(frozen=True)
class StorageLimit:
    data: list[str]
    limit: str  # "3 months" / «3 месяцев» (genitive, after "не более")
    anonymise: bool


@dataclass(frozen=True)
class RecipientLine:
    name: str
    role: str
    country: str
    cross_border: bool
    transfer_basis: str | None
    description: str | None
    purposes: list[str]


@dataclass(frozen=True)
class CookieLine:
    name: str
    provider: str
    purpose: str
    lifetime: str
    party: str
    kind: str


@dataclass(frozen=True)
class RightLine:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class JurisdictionRights:
    id: str
    law: str
    rights: list[RightLine]
    deadline: str | None
    extension: str | None
    citation: str | None


@dataclass(frozen=True)
class AgeLine:
    where: str | None
    minimum: int | None
    guardian_below: int | None


@dataclass(frozen=True)
class StorageLine:
    country: str
    code: str
    description: str | None


@dataclass
class Notice:
    lang: str
    operator: OperatorInfo
    version: str | None
    published: date
    published_text: str
    subjects: list[str]
    groups: list[CategoryGroup]
    sources: list[str]
    processing: list[ProcessingRow]
    storage_limits: list[StorageLimit]
    recipients: list[RecipientLine]
    cookies: list[CookieLine]
    jurisdictions: list[JurisdictionRights]
    requests_url: str | None
    versions_url: str | None
    automated: list[str]
    ages: list[AgeLine]
    storage: list[StorageLine]
    all_in_russia: bool
    ru_law: bool
    has_consent: bool
    security: list[str] = field(default_factory=list)
    answer_promise: str | None = None  # the operator's own deadline, if it declares one
    signed_document: bool = False
    breach: str | None = None
    # What the notice may say about itself: only what Steward does for this operator.
    last_updated_text: str = ""  # policy.last_updated, else the publication date
    retention_automatic: bool = False  # retention sweeps configured and running
    announce_by: str | None = None  # policy.changes.notify as a phrase; None: no announcement
    effective_after: str | None = None  # 'after-notice': the notice period as a phrase


def _text(localized: dict[str, str] | str | None, lang: str) -> str | None:
    if localized is None or isinstance(localized, str):
        return localized
    return localized.get(lang) or localized.get("en") or next(iter(localized.values()), None)


def _operator(register: Register, lang: str) -> OperatorInfo:
    op = register.operator
    contacts = op.contacts
    reg = op.registration
    return OperatorInfo(
        name=_text(op.names, lang) or op.legal_name,
        legal_name=op.legal_name,
        country=country_name(op.country, lang),
        address=_text(contacts.postal_address, lang) or "",
        email=str(contacts.privacy_email),
        phone=contacts.phone,
        website=contacts.website or op.website,
        dpo_name=contacts.dpo.name if contacts.dpo else None,
        dpo_email=str(contacts.dpo.email) if contacts.dpo else None,
        inn=reg.ru_inn if reg else None,
        ogrn=reg.ru_ogrn if reg else None,
        rkn_registry=reg.rkn_registry if reg else None,
    )


def _groups(register: Register, lang: str) -> tuple[list[CategoryGroup], list[str]]:
    sources: dict[str, set[Source]] = {}
    for purpose in register.purposes:
        for category_id in purpose.categories:
            sources.setdefault(category_id, set()).update(purpose.sources)
    groups: dict[str, list[CategoryLine]] = {}
    for category_id in sorted(sources):
        root = category_id.split(".")[0]
        order = [s for s in Source if s in sources[category_id]]
        groups.setdefault(root, []).append(
            CategoryLine(
                id=category_id,
                name=register.category_name(category_id, lang),
                sources=[phrases.SOURCE[lang][s] for s in order],
                special=category_sensitivity(category_id, register.all_categories)
                is not Sensitivity.ORDINARY,
            )
        )
    used = {s for found in sources.values() for s in found}
    return (
        [
            CategoryGroup(register.category_name(root, lang), items)
            for root, items in groups.items()
        ],
        [phrases.SOURCE[lang][s] for s in Source if s in used],
    )


def _processing(register: Register, lang: str) -> list[ProcessingRow]:
    subject_names = {s.id: _text(s.names, lang) or s.id for s in register.subjects}
    rows = []
    for purpose in register.purposes:
        retention = purpose.retention
        rows.append(
            ProcessingRow(
                purpose_id=purpose.id,
                purpose=_text(purpose.names, lang) or purpose.id,
                description=_text(purpose.descriptions, lang) or "",
                data=[register.category_name(c, lang) for c in purpose.categories],
                subjects=[subject_names.get(s, s) for s in purpose.subjects],
                basis=phrases.BASIS[lang][purpose.basis],
                basis_reference=purpose.basis_reference,
                retention=phrases.retention_phrase(
                    retention.duration if retention else None,
                    retention.from_ if retention else None,
                    lang,
                ),
                retention_notes=_text(retention.notes, lang) if retention else None,
                consent=purpose.basis is LegalBasis.CONSENT,
            )
        )
    return rows


def _storage_limits(register: Register, lang: str) -> list[StorageLimit]:
    limits = []
    for store in register.datastores:
        for table in store.tables:
            if table.retention is None:
                continue
            names: list[str] = []
            for spec in table.columns.values():
                name = register.category_name(spec.category, lang)
                if name not in names:
                    names.append(name)
            limits.append(
                StorageLimit(
                    data=names or [table.name],
                    limit=duration_phrase(table.retention.duration, lang, case="gen"),
                    anonymise=table.retention.action.value == "anonymise",
                )
            )
    return limits


def _recipients(register: Register, lang: str) -> list[RecipientLine]:
    home = register.operator.country
    lines = []
    for recipient in register.recipients:
        purposes = [
            _text(p.names, lang) or p.id for p in register.purposes if recipient.id in p.recipients
        ]
        basis = recipient.transfer_basis
        lines.append(
            RecipientLine(
                name=_text(recipient.names, lang) or recipient.name,
                role=phrases.ROLE[lang][recipient.role],
                country=country_name(recipient.country, lang),
                cross_border=recipient.country != home,
                transfer_basis=phrases.TRANSFER_BASIS[lang][basis] if basis else None,
                description=_text(recipient.descriptions, lang),
                purposes=purposes,
            )
        )
    return lines


def _cookies(register: Register, lang: str) -> list[CookieLine]:
    names = {p.id: _text(p.names, lang) or p.id for p in register.purposes}
    lines = []
    for cookie in register.cookies:
        lifetime = (
            phrases.LIFETIME[lang][cookie.lifetime]
            if isinstance(cookie.lifetime, str)
            else duration_phrase(cookie.lifetime, lang)
        )
        lines.append(
            CookieLine(
                name=cookie.name,
                provider=cookie.provider,
                purpose=names.get(cookie.purpose, cookie.purpose),
                lifetime=lifetime,
                party=phrases.PARTY[lang][cookie.party],
                kind=phrases.TRACKER[lang][cookie.kind],
            )
        )
    return lines


def _rights(register: Register, lang: str) -> list[JurisdictionRights]:
    has_consent = any(p.basis is LegalBasis.CONSENT for p in register.purposes)
    promised = register.policy.requests.rights if register.policy.requests else []
    result = []
    for jurisdiction in register.operator.jurisdictions:
        facts = jurisdiction_facts(jurisdiction)
        authority = phrases.AUTHORITY[lang].get(facts.authority or "", "")
        # Rights the operator declares (policy.requests.rights) hold whatever the law grants.
        declared = {right_id(RequestKind(r.value), jurisdiction) for r in promised}
        rights = []
        for right in [r for r in RIGHTS if r in set(facts.rights) | declared]:
            if right not in declared and right == "withdraw-consent" and not has_consent:
                continue
            if right == "complaint" and not authority:
                continue
            name, description = phrases.RIGHT[lang][right]
            rights.append(RightLine(right, name, description.format(authority=authority)))
        deadline, extension = facts.deadline, facts.extension
        result.append(
            JurisdictionRights(
                id=jurisdiction.value,
                law=phrases.JURISDICTION[lang][jurisdiction],
                rights=rights,
                deadline=count_phrase(deadline.count, deadline.unit, lang, case="gen")
                if deadline
                else None,
                extension=count_phrase(extension.count, extension.unit, lang)
                if extension
                else None,
                citation=deadline.citation if deadline else None,
            )
        )
    return result


def subject_rights(register: Register, lang: str) -> list[JurisdictionRights]:
    """The subject's rights under each of the register's jurisdictions, as the notice states
    them (the access report repeats them)."""
    return _rights(register, lang)


def _ages(register: Register, lang: str) -> list[AgeLine]:
    return [
        AgeLine(
            where=phrases.JURISDICTION[lang][rule.jurisdiction] if rule.jurisdiction else None,
            minimum=rule.minimum,
            guardian_below=rule.guardian_below,
        )
        for rule in register.consents.age
    ]


def _storage(register: Register, lang: str) -> list[StorageLine]:
    return [
        StorageLine(
            country=country_name(store.location, lang),
            code=store.location,
            description=_text(store.descriptions, lang),
        )
        for store in register.datastores
    ]


_CHANNELS = Vocabulary(
    "notify-channel",
    {
        "email": NC_("notify-channel", "e-mail"),
        "phone": NC_("notify-channel", "telephone"),
        "sms": NC_("notify-channel", "SMS"),
        "post": NC_("notify-channel", "post"),
        "messenger": NC_("notify-channel", "messenger"),
        "web": NC_("notify-channel", "a notice on our website"),
        "push": NC_("notify-channel", "push notification"),
        "any": NC_("notify-channel", "any channel we use with you"),
    },
)


def _channels(channels: list[str], lang: str) -> str:
    names = [_CHANNELS[lang].get(str(c), str(c)) for c in channels]
    word = i18n.translator(lang).pgettext("list", "or")
    return f" {word} ".join(names)


def _answer_promise(register: Register, lang: str) -> str | None:
    """The operator's own answer deadline (policy.requests.answer_within), as a phrase."""
    promise = register.policy.requests.answer_within if register.policy.requests else None
    if promise is None:
        return None
    unit = "working_day" if promise.working_days else "day"
    return count_phrase(promise.days, unit, lang, case="gen")


def _breach_notice(register: Register, lang: str) -> str | None:
    breaches = register.policy.breaches
    if breaches is None:
        return None
    by = _channels([c.value for c in breaches.notify_subjects], lang)
    _ = i18n.translator(lang).gettext
    # Russian: «в течение» takes the genitive («в течение 3 дней»).
    case: Case = "gen" if lang == "ru" else "nom"
    when = (
        _("within {duration}").format(duration=duration_phrase(breaches.within, lang, case=case))
        if breaches.within
        else _("as soon as possible")
    )
    return _("If a breach affects your personal data, we tell you {when} by {by}.").format(
        when=when, by=by
    )


def build_notice(
    register: Register,
    lang: str,
    *,
    version: str | None = None,
    published: date,
    base_url: str | None = None,
    sweeps_running: bool = False,
) -> Notice:
    """Everything the notice states, labelled in ``lang`` ("en" or "ru").

    ``sweeps_running``: retention sweeps are configured and running for this operator, so the
    notice may say storage periods are enforced automatically. No sweep exists yet; callers
    leave it False and the notice says the operator deletes the data.
    """
    if lang not in phrases.LANGUAGES:
        raise ValueError(f"no notice templates for language {lang!r}; available: en, ru")
    groups, sources = _groups(register, lang)
    base = base_url.rstrip("/") if base_url else None
    storage = _storage(register, lang)
    return Notice(
        lang=lang,
        operator=_operator(register, lang),
        version=version,
        published=published,
        published_text=phrases.long_date(published, lang),
        subjects=[_text(s.names, lang) or s.id for s in register.subjects],
        groups=groups,
        sources=sources,
        processing=_processing(register, lang),
        storage_limits=_storage_limits(register, lang),
        recipients=_recipients(register, lang),
        cookies=_cookies(register, lang),
        jurisdictions=_rights(register, lang),
        requests_url=f"{base}/privacy/requests/new" if base else None,
        versions_url=f"{base}/privacy/notice/versions" if base else None,
        automated=[_text(p.names, lang) or p.id for p in register.purposes if p.automated_decision],
        ages=_ages(register, lang),
        storage=storage,
        all_in_russia=bool(storage) and all(s.code == "RU" for s in storage),
        ru_law=any(j.value == "ru-152fz" for j in register.operator.jurisdictions),
        has_consent=any(p.basis is LegalBasis.CONSENT for p in register.purposes),
        security=security_measures(register, lang, sweeps_running=sweeps_running),
        answer_promise=_answer_promise(register, lang),
        signed_document=bool(register.policy.requests and register.policy.requests.signed_document),
        breach=_breach_notice(register, lang),
        last_updated_text=phrases.long_date(register.policy.last_updated or published, lang),
        retention_automatic=sweeps_running,
        announce_by=_announce_by(register, lang),
        effective_after=_effective_after(register, lang),
    )


def _announce_by(register: Register, lang: str) -> str | None:
    changes = register.policy.changes
    if changes is None or not changes.notify:
        return None
    return _channels([c.value for c in changes.notify], lang)


def _effective_after(register: Register, lang: str) -> str | None:
    changes = register.policy.changes
    if changes is None or changes.notice_period is None:
        return None
    return duration_phrase(changes.notice_period, lang)
