"""China's official working-day calendar: the one place that answers working-day questions.

The rules count deadlines in working days ("publicity for 5 working days", "county review
within 10 working days"). Which days are working days is set each year by the State Council's
holiday notice, with weekends that become working days (调休上班). Each year's answer comes
from the first of these sources that has it:

1. ``"entered"``: a schedule staff entered for that year (the ``canlian.holidays`` app stores
   it and installs the loader with :func:`set_schedule_loader`);
2. ``"package"``: the data of the ``chinese-calendar`` package, for the years it covers;
3. ``"weekends"``: Monday to Friday working, Saturday and Sunday off. A deadline that counted a
   day of such a year is an estimate: :attr:`Deadline.estimated_years` lists those years.

No Django import here: the entered schedules arrive through the loader, read at most once per
:data:`CACHE_SECONDS` and again at once after :func:`invalidate`.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Literal

import chinese_calendar

__all__ = [
    "CACHE_SECONDS",
    "ENTERED",
    "MAX_DAYS",
    "MAX_SPAN_DAYS",
    "PACKAGE",
    "PACKAGE_YEARS",
    "WEEKENDS",
    "Deadline",
    "ScheduleLoader",
    "Source",
    "add_working_days",
    "count_working_days",
    "estimated_years",
    "invalidate",
    "is_working_day",
    "package_days",
    "schedule_source",
    "set_schedule_loader",
    "working_days_from",
]

Source = Literal["entered", "package", "weekends"]
ENTERED: Source = "entered"
PACKAGE: Source = "package"
WEEKENDS: Source = "weekends"

# The longest period asked for, in working days (about 38 years), and in calendar days for
# counting: a bound on the work a single call may do.
MAX_DAYS = 10_000
MAX_SPAN_DAYS = 20_000
# How long a process trusts the entered schedules it read. Saving a schedule clears the cache
# of the saving process at once; other processes (other web workers, the task worker) see the
# new schedule after at most this long.
CACHE_SECONDS = 60.0

ONE_DAY = datetime.timedelta(days=1)

# Entered schedules: year → {day: is_working_day} for the days that differ from Monday–Friday.
ScheduleLoader = Callable[[], Mapping[int, Mapping[datetime.date, bool]]]


def _package_schedules() -> dict[int, dict[datetime.date, bool]]:
    """The package's data by year. A day listed as a working day wins over a holiday, as in
    `chinese_calendar.is_workday`."""
    result: dict[int, dict[datetime.date, bool]] = {}
    for day in chinese_calendar.holidays:
        result.setdefault(day.year, {})[day] = False
    for day in chinese_calendar.workdays:
        result.setdefault(day.year, {})[day] = True
    return result


_PACKAGE = _package_schedules()
# The years the package has data for: the same test its own functions apply (from the first
# to the last year of its holiday table), read from its constants so that a newer release of
# the package extends it without a change here.
PACKAGE_YEARS = range(
    min(day.year for day in chinese_calendar.holidays),
    max(day.year for day in chinese_calendar.holidays) + 1,
)

_EMPTY: Mapping[datetime.date, bool] = {}
_clock = time.monotonic
_loader: ScheduleLoader | None = None
# (time read, schedules); None until first read or after `invalidate`.
_cache: tuple[float, Mapping[int, Mapping[datetime.date, bool]]] | None = None
_generation = 0


def set_schedule_loader(loader: ScheduleLoader | None) -> ScheduleLoader | None:
    """Install the function that returns the entered schedules (all years); return the one it
    replaces. The cache is cleared."""
    global _loader
    previous, _loader = _loader, loader
    invalidate()
    return previous


def invalidate() -> None:
    """Forget the entered schedules read so far: the next question reads them again."""
    global _cache, _generation
    _generation += 1
    _cache = None


def _entered() -> Mapping[int, Mapping[datetime.date, bool]]:
    global _cache
    cache = _cache
    now = _clock()
    if cache is not None and now - cache[0] < CACHE_SECONDS:
        return cache[1]
    generation = _generation
    loader = _loader
    schedules: Mapping[int, Mapping[datetime.date, bool]] = (
        {year: dict(days) for year, days in loader().items()} if loader else {}
    )
    if generation == _generation:  # not invalidated while reading (by another thread)
        _cache = (now, schedules)
    return schedules


@dataclasses.dataclass(frozen=True)
class _Calendar:
    """The sources as they stood when a computation began, so that one answer uses one
    reading of the entered schedules."""

    entered: Mapping[int, Mapping[datetime.date, bool]]

    def rule(self, year: int) -> tuple[Source, Mapping[datetime.date, bool]]:
        if year in self.entered:
            return ENTERED, self.entered[year]
        if year in PACKAGE_YEARS:
            return PACKAGE, _PACKAGE.get(year, _EMPTY)
        return WEEKENDS, _EMPTY


def _calendar() -> _Calendar:
    return _Calendar(_entered())


def _check_date(value: object, name: str) -> None:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(
            f"{name} must be a datetime.date, not {type(value).__name__} "
            "(convert a time with django.utils.timezone.localdate)"
        )


def _check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, not {type(days).__name__}")
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    if days > MAX_DAYS:
        raise ValueError(f"days must be at most {MAX_DAYS}, not {days}")


@dataclasses.dataclass(frozen=True)
class Deadline:
    """A computed day, and the years counted with weekends only (no official schedule known):
    when there are any, the day may move once that year's schedule is entered."""

    day: datetime.date
    estimated_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_years)


def _days(first: datetime.date) -> Iterator[datetime.date]:
    day = first
    while True:
        yield day
        try:
            day += ONE_DAY
        except OverflowError:
            raise ValueError("the period runs past the last date Python knows") from None


def _walk(first: datetime.date, days: int) -> Deadline:
    """The `days`-th working day counting from `first` (included)."""
    calendar = _calendar()
    rules: dict[int, tuple[Source, Mapping[datetime.date, bool]]] = {}
    estimated: set[int] = set()
    counted = 0
    for day in _days(first):
        rule = rules.get(day.year)
        if rule is None:
            rule = rules[day.year] = calendar.rule(day.year)
        source, special = rule
        if source == WEEKENDS:
            estimated.add(day.year)
        if special.get(day, day.weekday() < 5):
            counted += 1
            if counted == days:
                return Deadline(day=day, estimated_years=tuple(sorted(estimated)))
    raise AssertionError("unreachable")  # pragma: no cover


def is_working_day(day: datetime.date) -> bool:
    """Whether `day` is a working day by its year's schedule (see the module's docstring)."""
    _check_date(day, "day")
    _source, special = _calendar().rule(day.year)
    return special.get(day, day.weekday() < 5)


def add_working_days(start: datetime.date, days: int) -> Deadline:
    """The day that is `days` working days after `start` (`start` itself is not counted):
    "within 10 working days of the decision". `days` is from 1 to MAX_DAYS."""
    _check_date(start, "start")
    _check_days(days)
    if start == datetime.date.max:
        raise ValueError("the period runs past the last date Python knows")
    return _walk(start + ONE_DAY, days)


def working_days_from(start: datetime.date, days: int) -> Deadline:
    """The last day of a period of `days` working days that begins on `start` (`start` counts
    when it is a working day): publicity for 5 working days posted on `start`."""
    _check_date(start, "start")
    _check_days(days)
    return _walk(start, days)


def _span(after: datetime.date, until: datetime.date) -> int:
    _check_date(after, "after")
    _check_date(until, "until")
    span = (until - after).days
    if span > MAX_SPAN_DAYS:
        raise ValueError(f"the period is longer than {MAX_SPAN_DAYS} days")
    return span


def count_working_days(after: datetime.date, until: datetime.date) -> int:
    """The number of working days in (after, until]: 0 when `until` is not after `after`."""
    span = _span(after, until)
    calendar = _calendar()
    count = 0
    year = None
    special: Mapping[datetime.date, bool] = _EMPTY
    for offset in range(1, span + 1):
        day = after + datetime.timedelta(days=offset)
        if day.year != year:
            year = day.year
            special = calendar.rule(year)[1]
        if special.get(day, day.weekday() < 5):
            count += 1
    return count


def estimated_years(after: datetime.date, until: datetime.date) -> tuple[int, ...]:
    """The years with days in (after, until] that are counted with weekends only: a count of
    `count_working_days` over that period is an estimate when there are any."""
    span = _span(after, until)
    if span <= 0:
        return ()
    calendar = _calendar()
    years = range((after + ONE_DAY).year, until.year + 1)
    return tuple(year for year in years if calendar.rule(year)[0] == WEEKENDS)


def schedule_source(year: int) -> Source:
    """Where `year`'s working days come from: "entered", "package" or "weekends"."""
    return _calendar().rule(year)[0]


def package_days(year: int) -> list[tuple[datetime.date, bool, str]]:
    """The package's days of `year` that differ from Monday–Friday working, as (day,
    is_working_day, Chinese name); empty for a year the package does not cover."""
    names = {**chinese_calendar.holidays, **chinese_calendar.workdays}
    result = []
    for day, working in sorted(_PACKAGE.get(year, _EMPTY).items()):
        if working == (day.weekday() < 5):
            continue  # a holiday on a Saturday or Sunday changes nothing
        name = chinese_calendar.Holiday(names[day]).chinese
        result.append((day, working, f"{name}调休" if working else name))
    return result
