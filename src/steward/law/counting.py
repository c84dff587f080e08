"""Periods as the law counts them: calendar days, working days, business days, months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from steward.law.calendars import Overlay, calendar_for
from steward.register.duration import Duration


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
