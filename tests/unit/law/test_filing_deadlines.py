"""Filing deadlines of 152-FZ, dated on the Russian production calendar (holidays 0.109)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from steward.law.calendars import calendar_for
from steward.law.filings import (
    FilingKind,
    cessation_notification_due,
    change_notification_due,
    transfer_may_start,
    transfer_notification_due,
)

RU = calendar_for("RU")


def test_change_in_march_2026_is_due_on_15_april() -> None:
    due = change_notification_due(date(2026, 3, 4))
    assert due.kind is FilingKind.CHANGE and due.due == date(2026, 4, 15)
    assert due.moved_from is None
    assert "ч. 7 ст. 22" in due.citation_ru and "Art. 22 p.7" in due.citation_en


def test_change_in_february_2026_moves_past_sunday_15_march_to_monday_16() -> None:
    due = change_notification_due(date(2026, 2, 10))
    assert due.due == date(2026, 3, 16) and due.moved_from == date(2026, 3, 15)
    assert "Art. 193" in due.explain()


def test_change_on_new_years_eve_is_due_in_january() -> None:
    assert change_notification_due(date(2025, 12, 31)).due == date(2026, 1, 15)


def test_cessation_on_30_april_2026_counts_ten_working_days_past_the_may_holidays() -> None:
    # 1 May (Fri) and 11 May (the 9 May holiday moved from Saturday) are days off.
    assert cessation_notification_due(date(2026, 4, 30)).due == date(2026, 5, 18)


def test_cessation_on_30_december_2025_skips_the_new_year_holidays_and_9_january() -> None:
    assert cessation_notification_due(date(2025, 12, 30)).due == date(2026, 1, 23)


def test_transfer_is_notified_before_it_starts() -> None:
    due = transfer_notification_due(date(2026, 6, 1))
    assert due.due == date(2026, 6, 1) and "ч. 3 ст. 12" in due.citation_ru


def test_transfer_to_a_state_without_adequate_protection_waits_ten_working_days() -> None:
    assert transfer_may_start(date(2026, 3, 4), adequate=True) == date(2026, 3, 4)
    # 4 March 2026 (Wed) + 10 working days (9 March is off: 8 March fell on a Sunday) = 19
    # March; the transfer may start the day after.
    assert transfer_may_start(date(2026, 3, 4), adequate=False) == date(2026, 3, 20)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)))
def test_change_deadline_is_a_working_day_in_the_next_month_from_the_15th(day: date) -> None:
    due = change_notification_due(day).due
    assert RU.is_working_day(due)
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    assert (due.year, due.month) == (next_month.year, next_month.month)
    assert 15 <= due.day <= 20


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 1)))
def test_cessation_deadline_has_exactly_ten_working_days_after_the_event(day: date) -> None:
    due = cessation_notification_due(day).due
    between = [day + timedelta(days=i) for i in range(1, (due - day).days + 1)]
    assert sum(RU.is_working_day(d) for d in between) == 10 and RU.is_working_day(due)
