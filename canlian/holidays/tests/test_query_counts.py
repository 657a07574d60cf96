"""The calendar's list of years takes as many queries with many schedules as with few.

It is rendered with N schedules entered for years of its own row, then 3N, through the
service, as the system administrator (canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.urls import reverse

from canlian.conftest import assert_flat_queries, client_for
from canlian.holidays.services import DayEntry, enter_schedule

# The URL names these tests render (kept together: namespaces are being renamed).
YEARS = "holidays:list"

pytestmark = pytest.mark.django_db


def new_years_day(year: int) -> datetime.date:
    """The first weekday of `year`: a holiday the schedule may name."""
    day = datetime.date(year, 1, 1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def test_the_list_of_years_takes_no_query_per_schedule(system_admin: Any) -> None:
    # Years far enough ahead to be listed only once entered.
    years = itertools.count(2060)

    def add(n: int) -> None:
        for _ in range(n):
            year = next(years)
            enter_schedule(
                year=year, reference=f"国办发明电〔{year}〕1号",
                days=[DayEntry(day=new_years_day(year), is_working_day=False, name="元旦")],
                acting_user=system_admin,
            )  # fmt: skip

    assert_flat_queries(client_for(system_admin), reverse(YEARS), add, ceiling=8)
