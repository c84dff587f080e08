"""What the notice says about each jurisdiction: the subject's rights and the answer deadline.

    facts = jurisdiction_facts(Jurisdiction.RU_152FZ)
    facts.rights        -> ("access", "rectification", ...)
    facts.deadline      -> Deadline(10, "working_day", "152-FZ Art. 14 p.3, Art. 20 p.1")
    facts.extension     -> Deadline(5, "working_day", ...) or None

This is the notices' one seam onto ``steward.law``. The law package (deadlines computed on the
production calendar) is being written on another branch; until it lands, the table below holds
the same published figures with their citations so the notice can state them. When
``steward.law`` exposes its jurisdiction table, ``jurisdiction_facts`` reads from it instead and
this table goes away; nothing else in ``notices/`` changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from steward.notices.plural import Unit
from steward.register.taxonomy import Jurisdiction

# Right kinds, shared with the requests domain (requests/kinds), in the order a notice lists them.
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


@dataclass(frozen=True, slots=True)
class Deadline:
    count: int
    unit: Unit
    citation: str


@dataclass(frozen=True, slots=True)
class JurisdictionFacts:
    jurisdiction: Jurisdiction
    rights: tuple[str, ...]
    deadline: Deadline | None
    extension: Deadline | None = None
    authority: str | None = None


_GDPR_RIGHTS = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "automated-decision",
    "withdraw-consent",
    "complaint",
)

_FACTS: Final[dict[Jurisdiction, JurisdictionFacts]] = {
    Jurisdiction.RU_152FZ: JurisdictionFacts(
        Jurisdiction.RU_152FZ,
        (
            "access",
            "transfers-info",
            "rectification",
            "erasure",
            "restriction",
            "automated-decision",
            "withdraw-consent",
            "complaint",
        ),
        Deadline(10, "working_day", "152-FZ Art. 14 p.3, Art. 20 p.1"),
        Deadline(5, "working_day", "152-FZ Art. 14 p.3"),
        "roskomnadzor",
    ),
    Jurisdiction.EU_GDPR: JurisdictionFacts(
        Jurisdiction.EU_GDPR,
        _GDPR_RIGHTS,
        Deadline(1, "month", "GDPR Art. 12(3)"),
        Deadline(2, "month", "GDPR Art. 12(3)"),
        "eu-dpa",
    ),
    Jurisdiction.UK_GDPR: JurisdictionFacts(
        Jurisdiction.UK_GDPR,
        _GDPR_RIGHTS,
        Deadline(1, "month", "UK GDPR Art. 12(3)"),
        Deadline(2, "month", "UK GDPR Art. 12(3)"),
        "ico",
    ),
    Jurisdiction.US_CCPA: JurisdictionFacts(
        Jurisdiction.US_CCPA,
        (
            "access",
            "erasure",
            "rectification",
            "opt-out-sale",
            "limit-sensitive",
            "non-discrimination",
        ),
        Deadline(45, "day", "Cal. Civ. Code §1798.130(a)(2)"),
        Deadline(45, "day", "Cal. Civ. Code §1798.130(a)(2)"),
        None,
    ),
    Jurisdiction.US_COPPA: JurisdictionFacts(
        Jurisdiction.US_COPPA,
        ("access", "erasure", "withdraw-consent"),
        None,
        None,
        None,
    ),
    Jurisdiction.BR_LGPD: JurisdictionFacts(
        Jurisdiction.BR_LGPD,
        (
            "access",
            "rectification",
            "erasure",
            "portability",
            "transfers-info",
            "withdraw-consent",
            "objection",
            "automated-decision",
            "complaint",
        ),
        Deadline(15, "day", "LGPD Art. 19(II)"),
        None,
        "anpd",
    ),
}


def jurisdiction_facts(jurisdiction: Jurisdiction) -> JurisdictionFacts:
    """The rights and answer deadline a notice states for ``jurisdiction``."""
    return _FACTS[jurisdiction]
