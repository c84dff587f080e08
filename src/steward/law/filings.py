"""Filing deadlines for notifications to Roskomnadzor (152-FZ), with citations.

    change_notification_due(date(2026, 3, 4)).due        # date(2026, 4, 15)
    cessation_notification_due(date(2026, 4, 30)).due    # 10 working days later (2026-05-18)
    transfer_notification_due(date(2026, 3, 4)).due      # before the transfer starts: that day
    transfer_may_start(date(2026, 3, 4), adequate=False)  # 10 working days after filing

Pure: dates in, dates out. Working days are counted on the Russian production calendar
(``calendars.py``). A deadline whose last day is not a working day moves to the next working
day (Civil Code of the Russian Federation, Art. 193); each result says so in ``explain``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from steward.law.calendars import Overlay, calendar_for
from steward.register.duration import Duration

NOTIFICATION_FORMS_RU = "Приказ Роскомнадзора от 28.10.2022 № 180"
NOTIFICATION_FORMS_EN = "Roskomnadzor Order No. 180 of 28.10.2022"


class FilingKind(StrEnum):
    """What is filed with Roskomnadzor, named as Steward stores it."""

    INTENTION = "ru-22-intention"  # 152-FZ Art. 22 p.1, p.3
    CHANGE = "ru-22-change"  # 152-FZ Art. 22 p.7, first sentence
    CESSATION = "ru-22-cessation"  # 152-FZ Art. 22 p.7, second sentence
    TRANSFER = "ru-12-transfer"  # 152-FZ Art. 12 p.3, p.4


@dataclass(frozen=True, slots=True)
class FilingDue:
    kind: FilingKind
    event: date  # the day the processing started, changed, stopped, or the transfer starts
    due: date  # the last day to file
    citation_ru: str
    citation_en: str
    moved_from: date | None = None  # the day before Art. 193 moved it past a day off

    def explain(self) -> str:
        text = f"{self.due.isoformat()}: {self.citation_en}"
        if self.moved_from is not None:
            text += (
                f"; {self.moved_from.isoformat()} is not a working day, so the deadline moves "
                "to the next working day (Civil Code of the Russian Federation, Art. 193)"
            )
        return text


def _next_working_day(day: date, overlay: Overlay | None) -> tuple[date, date | None]:
    calendar = calendar_for("RU", overlay)
    moved = day
    while not calendar.is_working_day(moved):
        moved += timedelta(days=1)
    return moved, (day if moved != day else None)


def intention_notification_due(starts_on: date) -> FilingDue:
    """Art. 22 p.1: the notification is filed before processing starts."""
    return FilingDue(
        FilingKind.INTENTION,
        starts_on,
        starts_on,
        "ч. 1 ст. 22 Федерального закона от 27.07.2006 № 152-ФЗ (до начала обработки)",
        "152-FZ Art. 22 p.1 (before processing starts)",
    )


def change_notification_due(changed_on: date, overlay: Overlay | None = None) -> FilingDue:
    """Art. 22 p.7: changes are notified by the 15th of the month after the one they occur in."""
    first_of_next = Duration(months=1).after(changed_on.replace(day=1))
    fifteenth = first_of_next.replace(day=15)
    due, moved = _next_working_day(fifteenth, overlay)
    return FilingDue(
        FilingKind.CHANGE,
        changed_on,
        due,
        "ч. 7 ст. 22 Федерального закона от 27.07.2006 № 152-ФЗ (не позднее 15-го числа "
        "месяца, следующего за месяцем, в котором возникли изменения)",
        "152-FZ Art. 22 p.7 (by the 15th of the month after the month of the change)",
        moved,
    )


def cessation_notification_due(ceased_on: date, overlay: Overlay | None = None) -> FilingDue:
    """Art. 22 p.7: cessation of processing is notified within 10 working days."""
    due = calendar_for("RU", overlay).nth_working_day_after(ceased_on, 10)
    return FilingDue(
        FilingKind.CESSATION,
        ceased_on,
        due,
        "ч. 7 ст. 22 Федерального закона от 27.07.2006 № 152-ФЗ (в течение десяти рабочих "
        "дней с даты прекращения обработки)",
        "152-FZ Art. 22 p.7 (within 10 working days of the end of processing)",
    )


def transfer_notification_due(starts_on: date) -> FilingDue:
    """Art. 12 p.3: a cross-border transfer is notified before it starts, separately from the
    Art. 22 notification."""
    return FilingDue(
        FilingKind.TRANSFER,
        starts_on,
        starts_on,
        "ч. 3 ст. 12 Федерального закона от 27.07.2006 № 152-ФЗ (до начала трансграничной "
        "передачи, отдельно от уведомления по ст. 22)",
        "152-FZ Art. 12 p.3 (before the transfer starts, separately from the Art. 22 notification)",
    )


TRANSFER_REVIEW_WORKING_DAYS = 10


def transfer_may_start(filed_on: date, *, adequate: bool, overlay: Overlay | None = None) -> date:
    """The first day a notified transfer may start.

    To a state that ensures adequate protection the transfer may start once the notification
    is filed; to any other state only after Roskomnadzor's 10 working days to review it
    (152-FZ Art. 12 pp.9-11). Which states are adequate is the operator's assessment (Art. 12
    p.5); Steward does not keep the list.
    """
    if adequate:
        return filed_on
    last = calendar_for("RU", overlay).nth_working_day_after(filed_on, TRANSFER_REVIEW_WORKING_DAYS)
    return last + timedelta(days=1)
