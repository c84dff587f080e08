"""Working-day calendars: the Russian production calendar and US business days.

Built on the pinned ``holidays`` package, which knows Russia's transferred days off and working
Saturdays. ``OVERLAY`` corrects it for days it does not know yet (a new year's decree published
after the pinned release, a regional holiday): each entry says which days are off or working.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import holidays


@dataclass(frozen=True)
class Overlay:
    """Corrections to a country's calendar: extra days off and extra working days, with why."""

    off: dict[date, str] = field(default_factory=dict)
    working: dict[date, str] = field(default_factory=dict)


# Days the pinned `holidays` release does not know. Add an entry with the decree that sets it,
# e.g. date(2027, 1, 8): "Government Decree of ... No. ..., transfer from 2027-01-02".
OVERLAY: Final[dict[str, Overlay]] = {
    "RU": Overlay(),
    "US": Overlay(),
}


@lru_cache(maxsize=8)
def _country(code: str) -> holidays.HolidayBase:
    import holidays  # imported on first use: most commands never count working days
    from holidays.registry import COUNTRIES

    for module, (class_name, *codes) in COUNTRIES.items():
        if code in codes:
            _countries_package()
            country: type[holidays.HolidayBase] = getattr(
                importlib.import_module(f"holidays.countries.{module}"), class_name
            )
            return country()  # what holidays.country_holidays(code) builds, by default
    return holidays.country_holidays(code)


def _countries_package() -> None:
    """Let ``holidays.countries.<country>`` be imported alone.

    The package's ``__init__`` imports every one of its ~250 countries (a fifth of a second,
    most of ``steward law deadline``'s start); a package object with the real ``__path__`` and
    without that ``__init__`` run lets Python load just the country asked for, as holidays' own
    lazy loader does by module name. Only ``from holidays.countries import X`` would miss the
    names; Steward never writes it.
    """
    if "holidays.countries" in sys.modules:
        return
    spec = importlib.util.find_spec("holidays.countries")
    if spec is None:  # pragma: no cover - the pinned holidays has the package
        return
    sys.modules["holidays.countries"] = importlib.util.module_from_spec(spec)


@dataclass(frozen=True)
class WorkingCalendar:
    country: str
    overlay: Overlay = field(default_factory=Overlay)

    def is_working_day(self, day: date) -> bool:
        if day in self.overlay.off:
            return False
        if day in self.overlay.working:
            return True
        return bool(_country(self.country).is_working_day(day))

    def nth_working_day_after(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself is day 0, never counted)."""
        day = start
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day


def calendar_for(country: str, overlay: Overlay | None = None) -> WorkingCalendar:
    return WorkingCalendar(
        country, overlay if overlay is not None else OVERLAY.get(country, Overlay())
    )
