"""The request's clock: which jurisdictions apply, which rule is strictest, when it falls due.

Pure over its arguments: the requests service stores what ``compute`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from steward.law import LAWS, Deadline, NoDeadline, RequestKind, acknowledgement_due, deadline, law
from steward.law.counting import Period, Unit
from steward.lib.i18n import N_
from steward.register import Register
from steward.requests.states import RequestError


@dataclass(frozen=True)
class Clock:
    due: date | None
    rule: str
    jurisdiction: str | None
    clock_start: date
    acknowledge_by: date | None
    extension_allowed: bool
    extension_citation: str | None
    pausable: bool


def applicable(register: Register | None, stated: str | None) -> list[str]:
    """The operator's declared jurisdictions plus the one the subject says applies to them.

    Adding the subject's own can only tighten the clock (the strictest rule wins), never loosen it.
    """
    found = [str(j) for j in register.operator.jurisdictions] if register else []
    if stated:
        if stated not in LAWS:
            raise RequestError(
                N_("'%(law)s' is not a jurisdiction; known: %(known)s"),
                law=stated,
                known=", ".join(LAWS),
            )
        if stated not in found:
            found.append(stated)
    return found or ["eu-gdpr"]


def kinds_allowed(register: Register | None, jurisdictions: list[str]) -> list[RequestKind]:
    """Kinds the subject may file: granted by an applicable law or promised by the register."""
    kinds = {r.kind for j in jurisdictions for r in law(j).rights}
    policy = register.policy.requests if register and register.policy else None
    if policy:
        kinds |= {RequestKind(str(r)) for r in policy.rights}
    return [k for k in RequestKind if k in kinds]


def needs_verification(kind: RequestKind, jurisdictions: list[str]) -> bool:
    """False when a law says this kind needs no identity check (CCPA opt-out of sale)."""
    return not any(kind in law(j).no_verification for j in jurisdictions)


def _promise(register: Register | None) -> Period | None:
    policy = register.policy.requests if register and register.policy else None
    if policy is None or policy.answer_within is None:
        return None
    unit = Unit.WORKING_DAYS_RU if policy.answer_within.working_days else Unit.CALENDAR_DAYS
    return Period(policy.answer_within.days, unit)


def compute(
    register: Register | None,
    jurisdictions: list[str],
    kind: RequestKind,
    received: date,
    *,
    extended: bool = False,
    paused_days: int = 0,
    identity_confirmed: date | None = None,
) -> Clock:
    """The strictest deadline among the laws and the operator's own promise.

    An extension applies under each law that allows one; the operator's promise is never
    extended, so it still caps the due date of an extended request (an extension never pushes
    the date past what the operator promised). An extension is offered only when it moves the
    date. Paused days count only under a rule that lets the clock stop.
    """
    found: list[Deadline] = []
    for j in jurisdictions:
        rule = law(j).rule_for(kind)
        if rule is None:
            continue
        try:
            found.append(
                deadline(
                    j,
                    kind,
                    received,
                    extended=extended and rule.extension is not None,
                    paused_days=paused_days if rule.pausable else 0,
                    identity_confirmed=identity_confirmed,
                )
            )
        except NoDeadline:
            continue
    ack = [a for a in (acknowledgement_due(j, received) for j in jurisdictions) if a]
    candidates: list[tuple[date, str, str | None, date]] = [
        (d.due, d.explain(), d.jurisdiction, d.clock_start) for d in found
    ]
    promise = _promise(register)
    if promise is not None:
        due = promise.after(received)
        held = "; a law's extension does not move it" if extended else ""
        candidates.append(
            (
                due,
                f"{due.isoformat()}: {promise} from {received.isoformat()} "
                f"(the operator's promise, register policy.requests.answer_within{held})",
                None,
                received,
            )
        )
    if not candidates:
        return Clock(
            None,
            "no fixed deadline under " + ", ".join(jurisdictions),
            None,
            received,
            min(ack) if ack else None,
            False,
            None,
            False,
        )
    due, rule_text, jurisdiction, start = min(candidates, key=lambda c: (c[0], c[1]))
    winner = next((d for d in found if d.jurisdiction == jurisdiction), None)
    # The winning law's extension decides; the operator's promise defers to any law's extension.
    extensible = [winner] if winner else [d for d in found if d.rule.extension is not None]
    extensible = [d for d in extensible if d.rule.extension is not None]
    moves = False
    if extensible and not extended:
        later = compute(
            register,
            jurisdictions,
            kind,
            received,
            extended=True,
            paused_days=paused_days,
            identity_confirmed=identity_confirmed,
        )
        moves = later.due is not None and later.due > due
    return Clock(
        due=due,
        rule=rule_text,
        jurisdiction=jurisdiction,
        clock_start=start,
        acknowledge_by=min(ack) if ack else None,
        extension_allowed=moves,
        extension_citation=extensible[0].rule.citation if extensible else None,
        pausable=any(d.rule.pausable for d in found),
    )
