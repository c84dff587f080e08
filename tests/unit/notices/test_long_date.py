"""Dates in notices are written out with CLDR's month names, in the forms notices always used."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from steward.notices.phrases import long_date

RU_GENITIVE = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
EN = "January February March April May June July August September October November December"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_a_long_date_reads_day_month_year_in_both_languages(day: date) -> None:
    assert long_date(day, "ru") == f"{day.day} {RU_GENITIVE[day.month - 1]} {day.year} г."
    assert long_date(day, "en") == f"{day.day} {EN.split()[day.month - 1]} {day.year}"
