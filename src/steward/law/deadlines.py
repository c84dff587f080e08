"""Answer deadlines: when a request of a kind, received on a day, must be answered.

    deadline("ru-152fz", RequestKind.ACCESS, date(2026, 4, 28)).due   # date(2026, 5, 14)
    strictest_deadline(["ru-152fz", "eu-gdpr"], RequestKind.ACCESS, received)  # earliest wins

The day of receipt is day 0; counting starts the next day. Exceptions: ``NoDeadline`` when the
jurisdiction grants no such right or sets no fixed deadline for it; ``ValueError`` when an
extension or a pause is asked for where the law allows none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from steward.law.calendars import Overlay
from steward.law.jurisdictions import AnswerRule, ClockStart, law
from steward.law.kinds import RequestKind


class NoDeadline(ValueError):
    """The jurisdiction sets no answer deadline for this kind of request."""


@dataclass(frozen=True, slots=True)
class Deadline:
    jurisdiction: str
    kind: RequestKind
    clock_start: date
    due: date
    rule: AnswerRule
    extended: bool = False
    paused_days: int = 0

    @property
    def extension_allowed(self) -> bool:
        return self.rule.extension is not None and not self.extended

    def explain(self) -> str:
        period = (
            self.rule.period.plus(self.rule.extension)
            if self.extended and self.rule.extension
            else self.rule.period
        )
        text = f"{self.due.isoformat()}: {period} from {self.clock_start.isoformat()}"
        if self.paused_days:
            text += f", plus {self.paused_days} paused day(s)"
        return f"{text} under {self.jurisdiction} ({self.rule.citation})"


def _clock_start(
    clock: ClockStart, received: date, identity_confirmed: date | None, fee_received: date | None
) -> date:
    if clock is ClockStart.LATEST_OF_RECEIPT_IDENTITY_FEE:
        return max(d for d in (received, identity_confirmed, fee_received) if d is not None)
    return received


def deadline(
    jurisdiction_id: str,
    kind: RequestKind | str,
    received: date,
    *,
    extended: bool = False,
    paused_days: int = 0,
    identity_confirmed: date | None = None,
    fee_received: date | None = None,
    overlay: Overlay | None = None,
) -> Deadline:
    """The answer deadline under one jurisdiction."""
    kind = RequestKind(kind)
    rules = law(jurisdiction_id)
    rule = rules.rule_for(kind)
    if rule is None:
        what = "grants no" if not rules.grants(kind) else "sets no fixed deadline for a"
        raise NoDeadline(f"{jurisdiction_id} {what} '{kind}' request")
    if extended and rule.extension is None:
        raise ValueError(f"{jurisdiction_id} allows no extension for '{kind}' ({rule.citation})")
    if paused_days < 0:
        raise ValueError("paused_days cannot be negative")
    if paused_days and not rule.pausable:
        raise ValueError(f"{jurisdiction_id} does not let the clock stop for '{kind}'")
    start = _clock_start(rules.clock_start, received, identity_confirmed, fee_received)
    period = rule.period.plus(rule.extension) if extended and rule.extension else rule.period
    due = period.after(start, overlay) + timedelta(days=paused_days)
    return Deadline(jurisdiction_id, kind, start, due, rule, extended, paused_days)


def strictest_deadline(
    jurisdictions: Iterable[str], kind: RequestKind | str, received: date, **options: object
) -> Deadline:
    """The earliest deadline among the jurisdictions that set one; it is the one to meet."""
    found: list[Deadline] = []
    for jurisdiction_id in jurisdictions:
        try:
            found.append(deadline(jurisdiction_id, kind, received, **options))  # type: ignore[arg-type]
        except NoDeadline:
            continue
    if not found:
        raise NoDeadline(f"no applicable jurisdiction sets a deadline for '{kind}'")
    return min(found, key=lambda d: (d.due, d.jurisdiction))


def acknowledgement_due(
    jurisdiction_id: str, received: date, overlay: Overlay | None = None
) -> date | None:
    """When receipt must be acknowledged, where the law requires it (CCPA: 10 business days)."""
    rules = law(jurisdiction_id)
    return rules.acknowledgement.after(received, overlay) if rules.acknowledgement else None
