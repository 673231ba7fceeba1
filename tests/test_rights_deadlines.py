"""The legal deadline of a request: Art. 12(3) GDPR counted under Regulation 1182/71 Art. 3."""
from __future__ import annotations

import datetime

import pytest

from rights.deadlines import add_months, due_date, is_working_day, next_working_day, working_days_between


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "country", "due"),
    [
        # 31 Feb does not exist -> 28 Feb (Sat) -> Mon 2 Mar.
        ("2026-01-31", "SE", "2026-03-02"),
        # 25 Dec (Fri) Christmas, 26 Sat, 27 Sun -> Mon 28 Dec in Sweden and Denmark...
        ("2026-11-25", "SE", "2026-12-28"),
        ("2026-11-25", "DK", "2026-12-28"),
        # ...but in the UK Boxing Day falls on a Saturday and is substituted on Mon 28 Dec -> Tue 29 Dec.
        ("2026-11-25", "GB", "2026-12-29"),
        # Leap year: 29 Feb 2028 exists and is a Tuesday.
        ("2028-01-29", "SE", "2028-02-29"),
    ],
)
def test_due_date_cases_of_the_issue(start, country, due):
    assert due_date(start=d(start), country=country) == d(due)


def test_month_end_is_clamped_to_the_shorter_months_last_day():
    # 31 Apr does not exist -> 30 Apr 2026, a Thursday and a working day in Sweden.
    assert due_date(start=d("2026-03-31"), country="SE") == d("2026-04-30")
    assert add_months(d("2027-01-31"), 1) == d("2027-02-28")
    assert add_months(d("2028-01-31"), 1) == d("2028-02-29")


def test_extension_counts_three_months_from_receipt_and_crosses_the_year():
    # 30 Nov 2026 + 3 months = 28 Feb 2027, a Sunday -> Mon 1 Mar 2027.
    assert due_date(start=d("2026-11-30"), country="SE", months=3) == d("2027-03-01")
    # Clamped too: 31 Jan + 3 months = 30 Apr (Thu).
    assert due_date(start=d("2026-01-31"), country="DK", months=3) == d("2026-04-30")
    assert due_date(start=d("2026-01-31"), country="DK", months=3) > due_date(start=d("2026-01-31"), country="DK")


def test_holiday_chain_moves_past_every_consecutive_holiday_and_weekend():
    # 2 Apr 2026 is Maundy Thursday, a Danish holiday; then Good Friday, Saturday, Easter Sunday and
    # Easter Monday: the first Danish working day is Tue 7 Apr.
    assert due_date(start=d("2026-03-02"), country="DK") == d("2026-04-07")
    # Maundy Thursday is a working day in Sweden: no move at all.
    assert due_date(start=d("2026-03-02"), country="SE") == d("2026-04-02")
    # New Year's Day (Fri) and the weekend, across the year boundary.
    assert due_date(start=d("2026-12-01"), country="SE") == d("2027-01-04")


def test_unknown_country_counts_weekends_only():
    # Christmas Day 2026 is a Friday: without a holiday calendar it is a working day.
    assert due_date(start=d("2026-11-25"), country="XX") == d("2026-12-25")
    assert due_date(start=d("2026-11-25"), country="") == d("2026-12-25")
    assert due_date(start=d("2026-01-31"), country="XX") == d("2026-03-02")


def test_country_code_is_case_insensitive():
    assert due_date(start=d("2026-11-25"), country="gb") == d("2026-12-29")


def test_negative_months_are_refused():
    with pytest.raises(ValueError):
        due_date(start=d("2026-01-01"), country="SE", months=-1)


def test_working_day_helpers():
    assert not is_working_day(d("2026-05-14"), country="SE")  # Ascension Day, a Thursday
    assert is_working_day(d("2026-05-14"), country="XX")
    assert next_working_day(d("2026-05-14"), country="SE") == d("2026-05-15")
    assert next_working_day(d("2026-05-15"), country="SE") == d("2026-05-15")
    # After Mon 21 Dec up to Mon 28 Dec 2026: 22, 23, 24 and 28 in Sweden (25 Dec is Christmas Day)...
    assert working_days_between(d("2026-12-21"), d("2026-12-28"), country="SE") == 4
    # ...and 25 Dec too where no holiday calendar applies.
    assert working_days_between(d("2026-12-21"), d("2026-12-28"), country="XX") == 5
    assert working_days_between(d("2026-12-28"), d("2026-12-21"), country="SE") == 0
