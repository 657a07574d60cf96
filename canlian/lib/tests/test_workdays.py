"""Tests for canlian.lib.workdays: China's official working days, with adjusted weekends.

Dates of 2025 and 2026 are those of the chinese-calendar package, which match the State
Council's notices for those years; schedules "entered" here are invented."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canlian.lib import workdays
from canlian.lib.workdays import (
    MAX_DAYS,
    PACKAGE_YEARS,
    Deadline,
    add_working_days,
    count_working_days,
    estimated_years,
    is_working_day,
    schedule_source,
    working_days_from,
)

D = datetime.date
FIRST_UNKNOWN = PACKAGE_YEARS.stop  # the first year the package has no data for


@pytest.fixture
def _2027_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the package stopped at 2026, whatever release is installed."""
    from canlian.lib import workdays as module

    monkeypatch.setattr(module, "PACKAGE_YEARS", range(module.PACKAGE_YEARS.start, 2027))


needs_2027_unknown = pytest.mark.usefixtures("_2027_unknown")


class FakeSchedules:
    """A loader standing in for the database: counts its calls."""

    def __init__(self) -> None:
        self.schedules: dict[int, dict[datetime.date, bool]] = {}
        self.calls = 0

    def __call__(self) -> Mapping[int, Mapping[datetime.date, bool]]:
        self.calls += 1
        return self.schedules


@pytest.fixture(autouse=True)
def entered() -> Iterator[FakeSchedules]:
    fake = FakeSchedules()
    previous = workdays.set_schedule_loader(fake)
    yield fake
    workdays.set_schedule_loader(previous)


def days_of(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


# National Day and Mid-autumn 2025: 1–8 October off; Sunday 28 September and Saturday
# 11 October worked.


def test_national_day_week_2025_is_off_from_the_first_to_the_eighth_of_october():
    assert not any(is_working_day(day) for day in days_of(D(2025, 10, 1), D(2025, 10, 8)))
    assert is_working_day(D(2025, 9, 30)) and is_working_day(D(2025, 10, 9))


def test_the_weekends_around_national_day_2025_are_worked():
    assert D(2025, 9, 28).weekday() == 6 and is_working_day(D(2025, 9, 28))
    assert D(2025, 10, 11).weekday() == 5 and is_working_day(D(2025, 10, 11))
    assert not is_working_day(D(2025, 9, 27)) and not is_working_day(D(2025, 10, 12))


def test_a_deadline_jumps_the_national_day_week():
    assert add_working_days(D(2025, 9, 30), 1) == Deadline(D(2025, 10, 9))
    # Posted on Monday 29 September: 29, 30 September, 9, 10 and Saturday 11 October.
    assert working_days_from(D(2025, 9, 29), 5) == Deadline(D(2025, 10, 11))
    assert add_working_days(D(2025, 9, 26), 1).day == D(2025, 9, 28)  # the Sunday worked


def test_october_2025_has_eighteen_working_days():
    # 23 weekdays, less the 6 weekday holidays, plus Saturday 11 October.
    assert count_working_days(D(2025, 9, 30), D(2025, 10, 31)) == 18


# Spring Festival 2026: 15–23 February off; Saturdays 14 and 28 February worked.


def test_spring_festival_2026_is_off_from_the_fifteenth_to_the_twenty_third_of_february():
    assert not any(is_working_day(day) for day in days_of(D(2026, 2, 15), D(2026, 2, 23)))
    assert is_working_day(D(2026, 2, 14)) and is_working_day(D(2026, 2, 28))
    assert is_working_day(D(2026, 2, 24))


def test_a_publicity_posted_before_spring_festival_2026_ends_after_it():
    # Friday 13, Saturday 14 (worked), then Tuesday 24 to Thursday 26 February.
    assert working_days_from(D(2026, 2, 13), 5) == Deadline(D(2026, 2, 26))


def test_a_ten_working_day_review_across_spring_festival_2026():
    # 14, 24, 25, 26, 27, 28 (Saturday worked) February, then 2–5 March.
    deadline = add_working_days(D(2026, 2, 13), 10)
    assert deadline == Deadline(D(2026, 3, 5))
    assert count_working_days(D(2026, 2, 13), D(2026, 3, 5)) == 10


# Years with no official schedule.


def test_the_package_years_are_read_from_its_data():
    assert PACKAGE_YEARS.start <= 2016 and 2026 in PACKAGE_YEARS
    assert schedule_source(2025) == "package"
    assert schedule_source(FIRST_UNKNOWN) == "weekends"


@needs_2027_unknown
def test_a_deadline_running_into_a_year_without_schedule_is_estimated_and_names_it():
    # 28–31 December 2026, then 1 January 2027 counted as a plain Friday, 4–8 January.
    deadline = add_working_days(D(2026, 12, 25), 10)
    assert deadline.day == D(2027, 1, 8)
    assert deadline.estimated and deadline.estimated_years == (2027,)
    assert schedule_source(2027) == "weekends"


@needs_2027_unknown
def test_a_deadline_ending_before_the_year_end_is_not_estimated():
    deadline = add_working_days(D(2026, 12, 21), 5)
    assert deadline == Deadline(D(2026, 12, 28)) and not deadline.estimated


def test_a_long_period_lists_every_estimated_year_in_order():
    start = D(FIRST_UNKNOWN - 1, 12, 1)
    deadline = add_working_days(start, 400)
    assert deadline.estimated_years == (FIRST_UNKNOWN, FIRST_UNKNOWN + 1)
    assert estimated_years(start, deadline.day) == deadline.estimated_years


def test_weekends_only_counts_monday_to_friday():
    year = FIRST_UNKNOWN + 3
    week = days_of(D(year, 3, 1), D(year, 3, 7))
    assert [is_working_day(d) for d in week] == [d.weekday() < 5 for d in week]


# Schedules entered by staff.


def test_an_entered_schedule_overrides_the_weekends_fallback(entered):
    year = FIRST_UNKNOWN
    monday = next(d for d in days_of(D(year, 2, 1), D(year, 2, 7)) if d.weekday() == 0)
    saturday = monday + datetime.timedelta(days=12)
    assert is_working_day(monday) and not is_working_day(saturday)
    entered.schedules = {year: {monday: False, saturday: True}}
    workdays.invalidate()
    assert not is_working_day(monday) and is_working_day(saturday)
    assert schedule_source(year) == "entered"
    assert not add_working_days(monday - datetime.timedelta(days=3), 1).estimated


def test_an_entered_schedule_overrides_the_package_too(entered):
    entered.schedules = {2025: {D(2025, 10, 8): True}}  # invented correction
    workdays.invalidate()
    assert is_working_day(D(2025, 10, 8)) and schedule_source(2025) == "entered"
    # The rest of the year is the entered schedule's: no package day applies any more.
    assert is_working_day(D(2025, 10, 1)) and not is_working_day(D(2025, 10, 11))


def test_the_schedules_are_read_once_and_again_after_invalidation(entered):
    for n in range(1, 30):
        add_working_days(D(2026, 12, 1), n * 10)
        is_working_day(D(2027, 1, 1))
    assert entered.calls == 1
    workdays.invalidate()
    is_working_day(D(2027, 1, 1))
    assert entered.calls == 2


def test_the_schedules_are_read_again_once_the_cache_expires(entered, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(workdays, "_clock", lambda: now[0])
    workdays.invalidate()
    is_working_day(D(2027, 1, 1))
    now[0] += workdays.CACHE_SECONDS - 1
    is_working_day(D(2027, 1, 1))
    assert entered.calls == 1
    now[0] += 2
    is_working_day(D(2027, 1, 1))
    assert entered.calls == 2


def test_without_a_loader_only_the_package_and_weekends_count():
    workdays.set_schedule_loader(None)
    assert schedule_source(2025) == "package" and schedule_source(FIRST_UNKNOWN) == "weekends"


# Arguments and bounds.


@pytest.mark.parametrize("days", [0, -1, MAX_DAYS + 1])
def test_a_number_of_days_out_of_bounds_is_refused(days):
    with pytest.raises(ValueError):
        add_working_days(D(2025, 1, 1), days)
    with pytest.raises(ValueError):
        working_days_from(D(2025, 1, 1), days)


def test_the_largest_period_is_computed():
    deadline = add_working_days(D(2025, 1, 1), MAX_DAYS)
    assert count_working_days(D(2025, 1, 1), deadline.day) == MAX_DAYS


def test_a_count_over_a_too_long_period_is_refused():
    with pytest.raises(ValueError):
        count_working_days(D(2000, 1, 1), D(2060, 1, 1))


def test_a_period_running_past_the_last_date_is_refused():
    with pytest.raises(ValueError):
        add_working_days(D(9999, 12, 20), 10)
    with pytest.raises(ValueError):
        add_working_days(datetime.date.max, 1)


def test_a_time_instead_of_a_date_is_refused():
    with pytest.raises(TypeError):
        is_working_day(datetime.datetime(2025, 10, 1, 9, 0))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_working_days(D(2025, 10, 1), 1.5)  # type: ignore[arg-type]


def test_a_count_is_zero_when_the_end_is_not_after_the_start():
    assert count_working_days(D(2025, 10, 9), D(2025, 10, 9)) == 0
    assert count_working_days(D(2025, 10, 10), D(2025, 10, 9)) == 0
    assert count_working_days(D(2025, 10, 8), D(2025, 10, 9)) == 1  # (after, until]


# The three functions agree with each other, everywhere.

dates = st.dates(min_value=D(2003, 1, 1), max_value=D(FIRST_UNKNOWN + 2, 12, 31))


@given(start=dates, days=st.integers(min_value=1, max_value=80))
def test_adding_counting_and_periods_agree(start, days):
    deadline = add_working_days(start, days)
    assert deadline.day > start and is_working_day(deadline.day)
    assert count_working_days(start, deadline.day) == days
    assert count_working_days(start, deadline.day - datetime.timedelta(days=1)) == days - 1
    assert working_days_from(start + datetime.timedelta(days=1), days) == deadline
    assert deadline.estimated_years == estimated_years(start, deadline.day)
    period = working_days_from(start, days)
    assert period.day <= deadline.day
    assert (period.day == deadline.day) != is_working_day(start)


@given(start=dates, days=st.integers(min_value=1, max_value=80))
def test_one_more_working_day_is_the_next_working_day(start, days):
    this = add_working_days(start, days).day
    following = add_working_days(start, days + 1).day
    assert following == add_working_days(this, 1).day
    between = days_of(this + datetime.timedelta(days=1), following - datetime.timedelta(days=1))
    assert not any(is_working_day(day) for day in between)
