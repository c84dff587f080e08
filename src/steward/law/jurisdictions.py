"""Each jurisdiction as data, with citations: rights, answer deadlines, extensions, clocks, ages.

Deadlines are counted by ``deadlines.py``; nothing here computes. Where a law sets no fixed
answer deadline for a right, the right is listed without an answer rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from steward.law.counting import Period, Unit
from steward.law.kinds import RequestKind, Right

K = RequestKind


class ClockStart(StrEnum):
    RECEIPT = "receipt"
    LATEST_OF_RECEIPT_IDENTITY_FEE = "latest of receipt, identity confirmation and fee"


@dataclass(frozen=True, slots=True)
class AnswerRule:
    """How long an operator has to answer requests of ``kinds``."""

    kinds: frozenset[RequestKind]
    period: Period
    citation: str
    extension: Period | None = None
    extension_condition: str | None = None
    pausable: bool = False  # the clock stops while the operator awaits the subject's clarification

    def describe(self) -> str:
        text = f"{self.period}"
        if self.extension is not None:
            text += f", extendable by {self.extension}"
            if self.extension_condition:
                text += f" ({self.extension_condition})"
        return text


@dataclass(frozen=True, slots=True)
class Law:
    id: str
    names: dict[str, str]
    authority: dict[str, str]
    rights: tuple[Right, ...]
    answers: tuple[AnswerRule, ...]
    clock_start: ClockStart = ClockStart.RECEIPT
    acknowledgement: Period | None = None
    acknowledgement_citation: str | None = None
    no_verification: frozenset[RequestKind] = field(default_factory=frozenset)
    consent_age: int | None = None  # below it a guardian consents for the child
    consent_age_citation: str | None = None

    def rule_for(self, kind: RequestKind) -> AnswerRule | None:
        return next((r for r in self.answers if kind in r.kinds), None)

    def grants(self, kind: RequestKind) -> bool:
        return any(r.kind is kind for r in self.rights)


_WD = Unit.WORKING_DAYS_RU

RU_152FZ = Law(
    id="ru-152fz",
    names={
        "en": "Federal Law No. 152-FZ «On Personal Data» (Russia)",
        "ru": "Федеральный закон от 27.07.2006 № 152-ФЗ «О персональных данных»",
    },
    authority={"en": "Roskomnadzor", "ru": "Роскомнадзор"},
    rights=(
        Right(K.ACCESS, "152-FZ Art. 14 p.1, p.7"),
        Right(K.INFORMATION, "152-FZ Art. 14 p.7"),
        Right(K.RECTIFICATION, "152-FZ Art. 14 p.1, Art. 20 p.3"),
        Right(K.ERASURE, "152-FZ Art. 14 p.1, Art. 20 p.3"),
        Right(K.RESTRICTION, "152-FZ Art. 14 p.1, Art. 21 p.1"),
        Right(K.OBJECTION, "152-FZ Art. 21 p.5.1"),
        Right(K.WITHDRAW_CONSENT, "152-FZ Art. 9 p.2, Art. 21 p.5"),
        Right(K.COMPLAINT, "152-FZ Art. 17"),
    ),
    answers=(
        AnswerRule(
            frozenset({K.ACCESS, K.INFORMATION}),
            Period(10, _WD),
            "152-FZ Art. 14 p.3, Art. 20 p.1",
            extension=Period(5, _WD),
            extension_condition="once, with a reasoned notice sent to the subject",
        ),
        AnswerRule(frozenset({K.RECTIFICATION, K.ERASURE}), Period(7, _WD), "152-FZ Art. 20 p.3"),
        AnswerRule(
            frozenset({K.OBJECTION}),
            Period(10, _WD),
            "152-FZ Art. 21 p.5.1",
            extension=Period(5, _WD),
            extension_condition="once, with a reasoned notice sent to the subject",
        ),
        AnswerRule(
            frozenset({K.RESTRICTION}), Period(0, _WD), "152-FZ Art. 21 p.1", extension=None
        ),
        AnswerRule(
            frozenset({K.WITHDRAW_CONSENT}), Period(30, Unit.CALENDAR_DAYS), "152-FZ Art. 21 p.5"
        ),
    ),
    consent_age=14,
    consent_age_citation="Civil Code of the Russian Federation Art. 26, 28",
)

_GDPR_RIGHTS = (
    Right(K.ACCESS, "GDPR Art. 15"),
    Right(K.INFORMATION, "GDPR Art. 13-15"),
    Right(K.RECTIFICATION, "GDPR Art. 16"),
    Right(K.ERASURE, "GDPR Art. 17"),
    Right(K.RESTRICTION, "GDPR Art. 18"),
    Right(K.PORTABILITY, "GDPR Art. 20"),
    Right(K.OBJECTION, "GDPR Art. 21"),
    Right(K.WITHDRAW_CONSENT, "GDPR Art. 7(3)"),
    Right(K.COMPLAINT, "GDPR Art. 77"),
)
_GDPR_ANSWERED = frozenset(r.kind for r in _GDPR_RIGHTS) - {K.COMPLAINT}

EU_GDPR = Law(
    id="eu-gdpr",
    names={
        "en": "General Data Protection Regulation (EU) 2016/679",
        "ru": "Общий регламент ЕС по защите данных (GDPR)",
    },
    authority={
        "en": "the supervisory authority of your member state",
        "ru": "надзорный орган вашего государства — члена ЕС",
    },
    rights=_GDPR_RIGHTS,
    answers=(
        AnswerRule(
            _GDPR_ANSWERED,
            Period(1, Unit.MONTHS),
            "GDPR Art. 12(3)",
            extension=Period(2, Unit.MONTHS),
            extension_condition="where necessary, if the subject is told within the first month",
        ),
    ),
    consent_age=16,
    consent_age_citation="GDPR Art. 8(1) (member states may set 13 to 16)",
)

UK_GDPR = Law(
    id="uk-gdpr",
    names={"en": "UK GDPR and the Data Protection Act 2018", "ru": "UK GDPR (Великобритания)"},
    authority={
        "en": "the Information Commissioner's Office",
        "ru": "Офис комиссара по информации (ICO)",
    },
    rights=tuple(Right(r.kind, r.citation.replace("GDPR", "UK GDPR")) for r in _GDPR_RIGHTS),
    answers=(
        AnswerRule(
            _GDPR_ANSWERED,
            Period(1, Unit.MONTHS),
            "UK GDPR Art. 12(3); DPA 2018 s.53-54",
            extension=Period(2, Unit.MONTHS),
            extension_condition="complex or numerous requests, told within the first month",
            pausable=True,
        ),
    ),
    clock_start=ClockStart.LATEST_OF_RECEIPT_IDENTITY_FEE,
    consent_age=13,
    consent_age_citation="DPA 2018 s.9",
)

US_CCPA = Law(
    id="us-ccpa",
    names={
        "en": "California Consumer Privacy Act (as amended by the CPRA)",
        "ru": "Закон Калифорнии о защите прав потребителей (CCPA/CPRA)",
    },
    authority={
        "en": "the California Privacy Protection Agency",
        "ru": "Агентство по защите конфиденциальности Калифорнии",
    },
    rights=(
        Right(K.ACCESS, "Cal. Civ. Code §1798.110"),
        Right(K.INFORMATION, "Cal. Civ. Code §1798.110, §1798.115"),
        Right(K.PORTABILITY, "Cal. Civ. Code §1798.130(a)(3)(B)(iii)"),
        Right(K.ERASURE, "Cal. Civ. Code §1798.105"),
        Right(K.RECTIFICATION, "Cal. Civ. Code §1798.106"),
        Right(K.OPT_OUT_SALE, "Cal. Civ. Code §1798.120"),
        Right(K.RESTRICTION, "Cal. Civ. Code §1798.121 (sensitive personal information)"),
        Right(K.COMPLAINT, "Cal. Civ. Code §1798.199.45"),
    ),
    answers=(
        AnswerRule(
            frozenset({K.ACCESS, K.INFORMATION, K.PORTABILITY, K.ERASURE, K.RECTIFICATION}),
            Period(45, Unit.CALENDAR_DAYS),
            "Cal. Civ. Code §1798.130(a)(2); 11 CCR §7021",
            extension=Period(45, Unit.CALENDAR_DAYS),
            extension_condition="once, when reasonably necessary, with notice in the first 45 days",
        ),
        AnswerRule(
            frozenset({K.OPT_OUT_SALE, K.RESTRICTION}),
            Period(15, Unit.BUSINESS_DAYS_US),
            "11 CCR §7026(f), §7027(g)",
        ),
    ),
    acknowledgement=Period(10, Unit.BUSINESS_DAYS_US),
    acknowledgement_citation="11 CCR §7021(a)",
    no_verification=frozenset({K.OPT_OUT_SALE}),
    consent_age=16,
    consent_age_citation="Cal. Civ. Code §1798.120(c) (opt-in to sale under 16; a parent under 13)",
)

US_COPPA = Law(
    id="us-coppa",
    names={
        "en": "Children's Online Privacy Protection Act (US)",
        "ru": "Закон США о защите конфиденциальности детей в интернете (COPPA)",
    },
    authority={"en": "the Federal Trade Commission", "ru": "Федеральная торговая комиссия США"},
    rights=(
        Right(K.ACCESS, "16 CFR §312.6(a)(1)-(3) (a parent reviews the child's data)"),
        Right(K.ERASURE, "16 CFR §312.6(a)(2)"),
        Right(K.WITHDRAW_CONSENT, "16 CFR §312.6(a)(2)"),
    ),
    answers=(),
    consent_age=13,
    consent_age_citation="15 U.S.C. §6501(1); 16 CFR §312.2",
)

BR_LGPD = Law(
    id="br-lgpd",
    names={
        "en": "Lei Geral de Proteção de Dados (Brazil, Law 13.709/2018)",
        "ru": "Общий закон Бразилии о защите персональных данных (LGPD)",
    },
    authority={"en": "the ANPD", "ru": "Национальное агентство по защите данных Бразилии (ANPD)"},
    rights=(
        Right(K.ACCESS, "LGPD Art. 18 II, Art. 19"),
        Right(K.INFORMATION, "LGPD Art. 18 I, VII, VIII"),
        Right(K.RECTIFICATION, "LGPD Art. 18 III"),
        Right(K.RESTRICTION, "LGPD Art. 18 IV (anonymisation, blocking)"),
        Right(K.ERASURE, "LGPD Art. 18 IV, VI"),
        Right(K.PORTABILITY, "LGPD Art. 18 V"),
        Right(K.WITHDRAW_CONSENT, "LGPD Art. 18 IX"),
        Right(K.OBJECTION, "LGPD Art. 18 §2"),
        Right(K.COMPLAINT, "LGPD Art. 18 §1"),
    ),
    answers=(
        AnswerRule(
            frozenset({K.ACCESS, K.INFORMATION}), Period(15, Unit.CALENDAR_DAYS), "LGPD Art. 19 II"
        ),
    ),
    consent_age=12,
    consent_age_citation="LGPD Art. 14 §1 with ECA Art. 2 (children under 12)",
)

LAWS: Final[dict[str, Law]] = {
    law.id: law for law in (RU_152FZ, EU_GDPR, UK_GDPR, US_CCPA, US_COPPA, BR_LGPD)
}


class UnknownJurisdiction(ValueError):
    pass


def law(jurisdiction_id: str) -> Law:
    try:
        return LAWS[jurisdiction_id]
    except KeyError:
        known = ", ".join(LAWS)
        raise UnknownJurisdiction(
            f"unknown jurisdiction '{jurisdiction_id}'; known: {known}"
        ) from None


def rights(jurisdiction_id: str) -> tuple[Right, ...]:
    """The rights a jurisdiction grants, with citations."""
    return law(jurisdiction_id).rights
