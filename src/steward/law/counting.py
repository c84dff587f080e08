"""Periods as the law counts them: calendar days, working days, business days, months, and
retention periods (``retention_end``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from steward.law.calendars import Overlay, calendar_for
from steward.register.duration import Duration
from steward.register.taxonomy import RetentionStart


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar days"
    WORKING_DAYS_RU = "working days (Russian production calendar)"
    BUSINESS_DAYS_US = "business days (US federal holidays)"
    MONTHS = "months"


_CALENDAR_COUNTRY = {Unit.WORKING_DAYS_RU: "RU", Unit.BUSINESS_DAYS_US: "US"}


@dataclass(frozen=True, slots=True)
class Period:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"

    def after(self, start: date, overlay: Overlay | None = None) -> date:
        """The last day of this period counted from ``start`` (the day after start is day 1)."""
        if self.unit is Unit.CALENDAR_DAYS:
            return start + timedelta(days=self.amount)
        if self.unit is Unit.MONTHS:
            # A month ends on the same date next month, or that month's last day (GDPR Art. 12(3)).
            return Duration(months=self.amount).after(start)
        calendar = calendar_for(_CALENDAR_COUNTRY[self.unit], overlay)
        return calendar.nth_working_day_after(start, self.amount)

    def plus(self, other: Period) -> Period:
        if other.unit is not self.unit:
            raise ValueError(f"cannot add {other.unit} to {self.unit}")
        return Period(self.amount + other.amount, self.unit)


def year_end(day: date | datetime) -> date:
    """31 December of ``day``'s year."""
    return date(day.year, 12, 31)


# a retention that runs from one of these events starts when the erasure ends the relationship
_ENDED_BY_ERASURE = (
    RetentionStart.CONTRACT_END,
    RetentionStart.CONSENT_WITHDRAWAL,
    RetentionStart.PURPOSE_ACHIEVED,
)


def retention_end(
    duration: Duration, start: RetentionStart, row_date: date | None, today: date
) -> date | None:
    """The last day a record must be kept, or None when its start is unknown.

    - ``collection`` / ``last-activity``: ``duration`` after the record's own date.
    - ``year-end``: after 31 December of the record's year. Accounting and tax laws count so:
      402-FZ Art. 29(1) ("not less than five years after the reporting year"), Russian Tax
      Code Art. 23(1)(8) (four years), German HGB § 257(5) and AO § 147(4) ("the period begins
      at the end of the calendar year").
    - ``contract-end``, ``consent-withdrawal``, ``purpose-achieved``: an erasure request ends
      the contract (or withdraws the consent, or ends the purpose) today, so the period runs
      from ``today`` whatever the record's date.
    """
    if start in _ENDED_BY_ERASURE:
        return duration.after(today)
    if row_date is None:
        return None
    if start is RetentionStart.YEAR_END:
        return duration.after(year_end(row_date))
    return duration.after(row_date)


def due_before(duration: Duration, today: date, *, from_year_end: bool = False) -> date:
    """Records dated before this day are past ``duration`` today (a sweep's cutoff).

    The inverse of ``retention_end`` for a record's own date: with ``from_year_end`` the period
    runs from 31 December of the record's year, so a record is due once that year's end plus the
    period has passed, i.e. when its year is before the cutoff's year.
    """
    moment = duration.before(today)
    return date(moment.year, 1, 1) if from_year_end else moment
