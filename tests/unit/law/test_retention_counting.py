"""Retention periods counted as the law counts them, with dated cases."""

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from steward.law.counting import retention_end, year_end
from steward.register.duration import Duration
from steward.register.taxonomy import RetentionStart

FIVE_YEARS = Duration(years=5)


def test_402fz_accounting_documents_count_from_the_end_of_their_reporting_year() -> None:
    # 402-FZ Art. 29(1): kept "not less than five years after the reporting year"
    assert retention_end(
        FIVE_YEARS, RetentionStart.YEAR_END, date(2021, 3, 10), date(2026, 1, 1)
    ) == date(2026, 12, 31)
    assert retention_end(
        FIVE_YEARS, RetentionStart.YEAR_END, date(2021, 12, 31), date(2026, 1, 1)
    ) == date(2026, 12, 31)


def test_collection_counts_from_the_rows_own_date() -> None:
    assert retention_end(
        FIVE_YEARS, RetentionStart.COLLECTION, date(2021, 3, 10), date(2026, 1, 1)
    ) == date(2026, 3, 10)
    # a month after 31 January is the last day of February (2028 is a leap year)
    one_month = Duration(months=1)
    assert retention_end(
        one_month, RetentionStart.COLLECTION, date(2028, 1, 31), date(2028, 1, 31)
    ) == date(2028, 2, 29)


def test_contract_end_counts_from_today_because_the_erasure_ends_the_contract() -> None:
    today = date(2026, 11, 22)
    assert retention_end(
        Duration(years=3), RetentionStart.CONTRACT_END, date(2019, 1, 1), today
    ) == date(2029, 11, 22)
    assert retention_end(Duration(years=3), RetentionStart.CONTRACT_END, None, today) == date(
        2029, 11, 22
    )


def test_a_period_counted_from_a_missing_date_has_no_end() -> None:
    assert retention_end(FIVE_YEARS, RetentionStart.COLLECTION, None, date(2026, 1, 1)) is None
    assert retention_end(FIVE_YEARS, RetentionStart.YEAR_END, None, date(2026, 1, 1)) is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2900, 12, 31)))
def test_year_end_is_the_last_day_of_the_same_year(day: date) -> None:
    end = year_end(day)
    assert end.year == day.year and (end.month, end.day) == (12, 31) and end >= day
    assert year_end(datetime(day.year, day.month, day.day, 23, 59)) == end


def test_a_sweep_cutoff_is_the_inverse_of_the_retention_end() -> None:
    from datetime import date

    from steward.law.counting import due_before, retention_end
    from steward.register.duration import Duration
    from steward.register.taxonomy import RetentionStart

    today = date(2026, 12, 1)
    five = Duration(years=5)
    cutoff = due_before(five, today, from_year_end=True)
    assert cutoff == date(2021, 1, 1)
    for day in (date(2020, 12, 31), date(2021, 1, 1), date(2021, 6, 30)):
        end = retention_end(five, RetentionStart.YEAR_END, day, today)
        assert end is not None
        assert (day < cutoff) == (end < today), day
    three_months = Duration(months=3)
    assert due_before(three_months, today) == date(2026, 9, 1)
