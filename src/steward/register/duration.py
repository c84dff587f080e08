"""ISO 8601 durations (``P3M``, ``P1W``, ``P2Y6M``, ``PT12H``) with calendar arithmetic.

Months and years are calendar units: one month after 31 January is the last day of February,
which is how GDPR Art. 12(3) and retention schedules count.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pydantic is imported by the models that use the type, not by law/
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

_PATTERN = re.compile(
    r"P(?!\Z)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?\Z"
)
FORMAT_HINT = "an ISO 8601 duration such as P30D, P3M, P1W, P2Y6M or PT12H"

_D = TypeVar("_D", date, datetime)


def _add_months(day: _D, months: int) -> _D:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


@dataclass(frozen=True, slots=True)
class Duration:
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``text``; raises ``ValueError`` naming the expected format."""
        match = _PATTERN.match(text.strip().upper()) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"'{text}' is not {FORMAT_HINT}")
        return cls(**{k: int(v) for k, v in match.groupdict().items() if v})

    def __str__(self) -> str:
        date_part = "".join(
            f"{n}{u}"
            for n, u in ((self.years, "Y"), (self.months, "M"), (self.weeks, "W"), (self.days, "D"))
            if n
        )
        time_part = "".join(
            f"{n}{u}" for n, u in ((self.hours, "H"), (self.minutes, "M"), (self.seconds, "S")) if n
        )
        text = "P" + date_part + (f"T{time_part}" if time_part else "")
        return text if text != "P" else "PT0S"

    def after(self, start: _D) -> _D:
        """The moment this duration after ``start``, counting calendar months and years."""
        moved = _add_months(start, self.years * 12 + self.months)
        delta = timedelta(
            weeks=self.weeks,
            days=self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )
        return moved + delta

    def before(self, end: _D) -> _D:
        """The moment this duration before ``end``: ``d.before(x).after`` lands on ``x`` or,
        across a shorter month, up to three days before it (e.g. P1M before 31 March)."""
        moved = _add_months(end, -(self.years * 12 + self.months))
        delta = timedelta(
            weeks=self.weeks,
            days=self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )
        return moved - delta

    def approximate_days(self) -> float:
        """Length in days for comparisons (a month counts 30.44 days, a year 365.25)."""
        return (
            self.years * 365.25
            + self.months * 30.44
            + self.weeks * 7
            + self.days
            + (self.hours * 3600 + self.minutes * 60 + self.seconds) / 86400
        )

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema

        def validate(value: Any) -> Duration:
            if isinstance(value, Duration):
                return value
            if not isinstance(value, str):
                raise ValueError(f"expected {FORMAT_HINT}, got {type(value).__name__}")
            return cls.parse(value)

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.to_string_ser_schema()
        )
