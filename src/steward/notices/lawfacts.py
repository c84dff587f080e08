"""What the notice says about each jurisdiction: the subject's rights and the answer deadline.

    facts = jurisdiction_facts(Jurisdiction.RU_152FZ)
    facts.rights        -> ("access", "transfers-info", "rectification", ...)
    facts.deadline      -> Deadline(10, "working_day", "152-FZ Art. 14 p.3, Art. 20 p.1")
    facts.extension     -> Deadline(5, "working_day", ...) or None

Everything comes from ``steward.law``, the one place the law is written down. The notice adds
rights that are not requests a subject files (not to be subject to a solely automated decision,
CCPA's non-discrimination) from ``NOTICE_ONLY_RIGHTS`` below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from steward.law import LAWS, Period, RequestKind, Unit
from steward.notices.plural import Unit as PhraseUnit
from steward.register.taxonomy import Jurisdiction

# Right ids in the order a notice lists them; phrases.RIGHT names each.
RIGHTS: Final = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "automated-decision",
    "withdraw-consent",
    "transfers-info",
    "opt-out-sale",
    "limit-sensitive",
    "non-discrimination",
    "complaint",
)

# Rights a notice states that are not kinds of request (GDPR Art. 22, 152-FZ Art. 16,
# LGPD Art. 20; Cal. Civ. Code §1798.125).
NOTICE_ONLY_RIGHTS: Final[dict[Jurisdiction, tuple[str, ...]]] = {
    Jurisdiction.RU_152FZ: ("automated-decision",),
    Jurisdiction.EU_GDPR: ("automated-decision",),
    Jurisdiction.UK_GDPR: ("automated-decision",),
    Jurisdiction.BR_LGPD: ("automated-decision",),
    Jurisdiction.US_CCPA: ("non-discrimination",),
}

# The key of the supervisory authority's name in phrases.AUTHORITY.
AUTHORITY: Final[dict[Jurisdiction, str]] = {
    Jurisdiction.RU_152FZ: "roskomnadzor",
    Jurisdiction.EU_GDPR: "eu-dpa",
    Jurisdiction.UK_GDPR: "ico",
    Jurisdiction.BR_LGPD: "anpd",
}

_UNITS: Final[dict[Unit, PhraseUnit]] = {
    Unit.CALENDAR_DAYS: "day",
    Unit.WORKING_DAYS_RU: "working_day",
    Unit.MONTHS: "month",
}


@dataclass(frozen=True, slots=True)
class Deadline:
    count: int
    unit: PhraseUnit
    citation: str


@dataclass(frozen=True, slots=True)
class JurisdictionFacts:
    jurisdiction: Jurisdiction
    rights: tuple[str, ...]
    deadline: Deadline | None
    extension: Deadline | None = None
    authority: str | None = None


def _right_id(kind: RequestKind, jurisdiction: Jurisdiction) -> str:
    if kind is RequestKind.INFORMATION:
        return "transfers-info"
    if kind is RequestKind.RESTRICTION and jurisdiction is Jurisdiction.US_CCPA:
        return "limit-sensitive"  # CCPA's restriction is limiting the use of sensitive data
    return kind.value


def _deadline(period: Period | None, citation: str) -> Deadline | None:
    if period is None or period.unit not in _UNITS:
        return None
    return Deadline(period.amount, _UNITS[period.unit], citation)


def jurisdiction_facts(jurisdiction: Jurisdiction) -> JurisdictionFacts:
    """The rights and the access-request deadline a notice states for ``jurisdiction``."""
    law = LAWS[jurisdiction.value]
    granted = {_right_id(r.kind, jurisdiction) for r in law.rights}
    granted |= set(NOTICE_ONLY_RIGHTS.get(jurisdiction, ()))
    rule = law.rule_for(RequestKind.ACCESS)
    return JurisdictionFacts(
        jurisdiction,
        tuple(r for r in RIGHTS if r in granted),
        _deadline(rule.period, rule.citation) if rule else None,
        _deadline(rule.extension, rule.citation) if rule else None,
        AUTHORITY.get(jurisdiction),
    )
