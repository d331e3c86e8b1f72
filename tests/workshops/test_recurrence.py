"""Recurrence: which dates a series' rule gives, across months and years, every N weeks, until or count."""
from __future__ import annotations

from datetime import date, timezone

import pytest

from outreach.errors import OutreachError
from outreach.workshops.recurrence import RecurrenceRule, recurrence_dates, series_starts
from tests.workshops.helpers import at


def days(*isos: str) -> list[date]:
    return [date.fromisoformat(d) for d in isos]


def test_weekly_across_the_end_of_a_year():
    # 2026-12-28 is a Monday
    assert recurrence_dates(date(2026, 12, 28), {"weekdays": [1], "count": 3}) == days(
        "2026-12-28", "2027-01-04", "2027-01-11")


def test_weekly_across_the_end_of_a_month():
    # 2027-01-29 is a Friday; February 2027 has 28 days
    assert recurrence_dates(date(2027, 1, 29), {"weekdays": [5], "until": date(2027, 3, 5)}) == days(
        "2027-01-29", "2027-02-05", "2027-02-12", "2027-02-19", "2027-02-26", "2027-03-05")


def test_several_weekdays_in_date_order():
    assert recurrence_dates(date(2027, 3, 1), RecurrenceRule(weekdays=(3, 1), count=5)) == days(
        "2027-03-01", "2027-03-03", "2027-03-08", "2027-03-10", "2027-03-15")


def test_days_before_the_first_date_in_its_week_are_skipped():
    # first date a Wednesday: Monday of that week is not a session
    assert recurrence_dates(date(2027, 3, 3), {"weekdays": [1, 3], "count": 3}) == days(
        "2027-03-03", "2027-03-08", "2027-03-10")


def test_every_other_week_on_two_days():
    assert recurrence_dates(date(2027, 3, 1), {"weekdays": [1, 5], "interval_weeks": 2, "count": 4}) == days(
        "2027-03-01", "2027-03-05", "2027-03-15", "2027-03-19")


def test_every_three_weeks_across_the_new_year_until_a_date():
    assert recurrence_dates(date(2026, 12, 14), {"weekdays": [1], "interval_weeks": 3,
                                                 "until": date(2027, 2, 1)}) == days(
        "2026-12-14", "2027-01-04", "2027-01-25")


def test_until_is_included():
    assert recurrence_dates(date(2027, 3, 1), {"weekdays": [1], "until": date(2027, 3, 15)})[-1] == date(2027, 3, 15)


def test_with_until_and_count_the_earlier_end_wins():
    assert len(recurrence_dates(date(2027, 3, 1), {"weekdays": [1], "count": 3, "until": date(2027, 12, 31)})) == 3
    assert len(recurrence_dates(date(2027, 3, 1), {"weekdays": [1], "count": 30, "until": date(2027, 3, 14)})) == 2


def test_no_weekday_chosen_means_the_weekday_of_the_first_date():
    assert recurrence_dates(date(2027, 3, 3), {"count": 2}) == days("2027-03-03", "2027-03-10")


def test_at_most_200_sessions():
    assert len(recurrence_dates(date(2027, 3, 1), {"weekdays": [1], "count": 200})) == 200
    every_day_200 = {"weekdays": [1, 2, 3, 4, 5, 6, 7], "until": date(2027, 9, 16)}  # 200 days from 1 March
    assert len(recurrence_dates(date(2027, 3, 1), every_day_200)) == 200
    with pytest.raises(OutreachError) as too_many:
        recurrence_dates(date(2027, 3, 1), {"weekdays": [1], "count": 201})
    assert "count" in too_many.value.fields
    with pytest.raises(OutreachError) as too_long:
        recurrence_dates(date(2027, 3, 1), {**every_day_200, "until": date(2027, 9, 17)})
    assert "until" in too_long.value.fields


@pytest.mark.parametrize("rule,field", [
    ({"weekdays": [1]}, "until"),  # neither an end date nor a count
    ({"weekdays": [1], "until": date(2027, 2, 1)}, "until"),  # ends before it starts
    ({"weekdays": [8], "count": 2}, "weekdays"),
    ({"weekdays": [1], "interval_weeks": 0, "count": 2}, "interval_weeks"),
    ({"weekdays": [1], "count": 0}, "count"),
    ({"weekdays": [3], "until": date(2027, 3, 2)}, "until"),  # no Wednesday between Monday and Tuesday
])
def test_rules_that_make_no_sense_are_refused(rule, field):
    with pytest.raises(OutreachError) as error:
        recurrence_dates(date(2027, 3, 1), rule)
    assert field in error.value.fields


def test_sessions_keep_the_almaty_wall_clock_time():
    starts = series_starts(at(2027, 3, 29, 15, 30), {"weekdays": [1, 4], "count": 4})
    assert [s.astimezone(timezone.utc).hour for s in starts] == [10, 10, 10, 10]
    assert [(s.day, s.hour, s.minute) for s in starts] == [(29, 15, 30), (1, 15, 30), (5, 15, 30), (8, 15, 30)]
