"""Reads of the entered schedules."""

from __future__ import annotations

import datetime

from canlian.holidays.models import Schedule


def entered_schedules() -> dict[int, dict[datetime.date, bool]]:
    """Every entered schedule, year → {day: is_working_day}, in one query: the loader that
    `canlian.lib.workdays` calls (and caches)."""
    result: dict[int, dict[datetime.date, bool]] = {}
    rows = Schedule.objects.values_list("year", "days__day", "days__is_working_day")
    for year, day, working in rows:
        days = result.setdefault(year, {})
        if day is not None:
            days[day] = working
    return result
