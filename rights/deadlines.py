"""The legal deadline of a data subject's request, counted the way the law counts it.

Art. 12(3) GDPR gives the controller "one month of receipt of the request", extendable "by two further
months". Periods in EU acts are counted under Regulation (EEC, Euratom) No 1182/71:

- Art. 3(2)(c): a period in months ends at the end of the day which, in the last month, has the same date
  as the day the period started from; if that day does not exist in the last month, the period ends on the
  month's last day (31 January -> 28/29 February, 31 March -> 30 April).
- Art. 3(4): a period that would end on a public holiday, a Saturday or a Sunday ends at the end of the
  following working day.

"Public holiday" is that of the organisation's country (its ISO 3166 alpha-2 code), from the maintained
``holidays`` library; a country the library does not know counts weekends only. Nothing here reads the
database: the caller passes the dates and the country.
"""
from __future__ import annotations

import calendar
import datetime
from functools import lru_cache

import holidays

SATURDAY = 5


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The same date ``months`` months after ``start``, clamped to the last day of the target month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[datetime.date]:
    try:
        calendar_ = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # the library does not know this country: weekends only
        return frozenset()
    return frozenset(calendar_.keys())


def is_working_day(day: datetime.date, *, country: str) -> bool:
    """False on Saturdays, Sundays and the public holidays of ``country``."""
    return day.weekday() < SATURDAY and day not in _holidays((country or "").upper(), day.year)


def next_working_day(day: datetime.date, *, country: str) -> datetime.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, country=country):
        day += datetime.timedelta(days=1)
    return day


def due_date(*, start: datetime.date, country: str, months: int = 1) -> datetime.date:
    """The last day to answer a request received on ``start`` (Art. 12(3); Regulation 1182/71 Art. 3).

    ``months`` is 1 for the ordinary period and 3 when extended by two further months.
    """
    if months < 0:
        raise ValueError("months must not be negative")
    return next_working_day(add_months(start, months), country=country)


def working_days_between(start: datetime.date, end: datetime.date, *, country: str) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day, country=country)
    return count
