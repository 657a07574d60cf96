"""Entering a year's official holiday schedule: validate, replace, audit, refresh the calendar."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.holidays.models import Schedule, ScheduleDay
from canlian.holidays.signals import schedule_changed
from canlian.lib import workdays

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

MIN_YEAR = 2000
MAX_YEAR = 2100
REFERENCE_MAX = 100
NAME_MAX = 50
HOLIDAY_MARK = "休"
WORKING_MARK = "班"


@dataclasses.dataclass(frozen=True)
class DayEntry:
    """One day of a schedule: an official holiday (is_working_day=False) on a weekday, or a
    Saturday or Sunday worked (True). `line` is where it was written, for the messages; when
    it is 0 the day's position in the list is used."""

    day: datetime.date
    is_working_day: bool
    name: str
    line: int = 0


def _line_error(message: str, code: str, line: int, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params={"line": line, **params})


def line_of(error: ValidationError) -> int:
    """The line an error is about (0 for the whole schedule), to sort messages by."""
    params = getattr(error, "params", None) or {}
    line = params.get("line", 0)
    return line if isinstance(line, int) else 0


def _year_problem(year: int) -> ValidationError | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return ValidationError(
            _("Enter a year from %(min)s to %(max)s."),
            code="year",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )
    return None


def _reference_problem(reference: str) -> ValidationError | None:
    if not reference:
        return ValidationError(
            _("Enter the notice reference, for example 国办发明电〔2026〕7号."), code="reference"
        )
    if len(reference) > REFERENCE_MAX:
        return ValidationError(
            _("The reference is longer than %(limit)s characters."),
            code="reference",
            params={"limit": REFERENCE_MAX},
        )
    return None


# ---------------------------------------------------------------------------------------------
# The rules of one day of the schedule, written on `line`, each with its message or None


def in_the_year(entry: DayEntry, line: int, year: int) -> ValidationError | None:
    if entry.day.year != year:
        return _line_error(
            _("Line %(line)s: %(day)s is not in %(year)s."),
            "other_year",
            line,
            day=entry.day.isoformat(),
            year=year,
        )
    return None


def holiday_on_a_weekday(entry: DayEntry, line: int, year: int) -> ValidationError | None:
    """A Saturday or Sunday is a day off anyway: only weekdays are listed as holidays."""
    if not entry.is_working_day and entry.day.weekday() >= 5:
        return _line_error(
            _(
                "Line %(line)s: %(day)s is a Saturday or Sunday, a day off anyway. "
                "List only the holidays that fall on Monday to Friday."
            ),
            "weekend_holiday",
            line,
            day=entry.day.isoformat(),
        )
    return None


def working_day_on_a_weekend(entry: DayEntry, line: int, year: int) -> ValidationError | None:
    """A weekday is worked anyway: only Saturdays and Sundays are listed as working days."""
    if entry.is_working_day and entry.day.weekday() < 5:
        return _line_error(
            _(
                "Line %(line)s: %(day)s is a Monday to Friday, a working day anyway. "
                "List only the Saturdays and Sundays that are worked."
            ),
            "weekday_working",
            line,
            day=entry.day.isoformat(),
        )
    return None


def named(entry: DayEntry, line: int, year: int) -> ValidationError | None:
    name = entry.name.strip()
    if not name:
        return _line_error(
            _("Line %(line)s: enter the name of the holiday."),
            "name",
            line,
            day=entry.day.isoformat(),
        )
    if len(name) > NAME_MAX:
        return _line_error(
            _("Line %(line)s: the name is longer than %(limit)s characters."),
            "name",
            line,
            limit=NAME_MAX,
        )
    return None


DAY_RULES: tuple[Callable[[DayEntry, int, int], ValidationError | None], ...] = (
    in_the_year,
    holiday_on_a_weekday,
    working_day_on_a_weekend,
    named,
)


def _day_problems(year: int, days: Sequence[DayEntry]) -> list[ValidationError]:
    """Every problem of the days by DAY_RULES, and each day written twice, in line order."""
    problems: list[ValidationError] = []
    if not days:
        problems.append(
            ValidationError(_("Enter at least one holiday or working weekend."), code="empty")
        )
    seen: dict[datetime.date, int] = {}
    for position, entry in enumerate(days, start=1):
        line = entry.line or position
        problems.extend(found for rule in DAY_RULES if (found := rule(entry, line, year)))
        if entry.day in seen:
            problems.append(
                _line_error(
                    _("Line %(line)s: %(day)s is already on line %(first)s."),
                    "duplicate",
                    line,
                    day=entry.day.isoformat(),
                    first=seen[entry.day],
                )
            )
        else:
            seen[entry.day] = line
    return sorted(problems, key=line_of)


def validate_schedule(*, year: int, reference: str, days: Sequence[DayEntry]) -> None:
    """Raise one ValidationError mapping "year", "reference" and "days" to every problem;
    each problem of a day names its line."""
    errors: dict[str, list[ValidationError]] = {}
    for field, problem in (
        ("year", _year_problem(year)),
        ("reference", _reference_problem(reference.strip())),
    ):
        if problem is not None:
            errors[field] = [problem]
    problems = _day_problems(year, days)
    if problems:
        errors["days"] = problems
    if errors:
        raise ValidationError(errors)


def _described(days: Sequence[DayEntry] | Sequence[ScheduleDay]) -> list[str]:
    return [
        f"{d.day.isoformat()} {WORKING_MARK if d.is_working_day else HOLIDAY_MARK} {d.name}"
        for d in days
    ]


@transaction.atomic
def enter_schedule(
    *, year: int, reference: str, days: Sequence[DayEntry], acting_user: Actor | None
) -> Schedule:
    """Store `days` as the official schedule of `year`, replacing the one entered before.

    From then on `canlian.lib.workdays` counts that year by this schedule instead of the
    package's data or the weekends-only estimate."""
    require(acting_user, Perm.MANAGE_PLACES)
    validate_schedule(year=year, reference=reference, days=days)
    ordered = sorted(days, key=lambda d: d.day)
    schedule = Schedule.objects.select_for_update().filter(year=year).first()
    before: dict[str, Any] | None = None
    if schedule is None:
        schedule = Schedule(year=year)
    else:
        before = {
            "reference": schedule.reference,
            "entered_by": schedule.entered_by_id,
            "entered_at": schedule.entered_at.isoformat(),
            "days": _described(list(schedule.days.all())),
        }
        schedule.days.all().delete()
    schedule.reference = reference.strip()
    schedule.entered_by_id = acting_user.pk if acting_user is not None else None
    schedule.entered_at = timezone.now()
    schedule.save()
    ScheduleDay.objects.bulk_create(
        ScheduleDay(
            schedule=schedule, day=d.day, is_working_day=d.is_working_day, name=d.name.strip()
        )
        for d in ordered
    )
    audit.record(
        acting_user=acting_user,
        action="holidays.schedule.replace" if before else "holidays.schedule.enter",
        target=schedule,
        detail={
            "year": year,
            "reference": schedule.reference,
            "days": _described(ordered),
            "before": before,
        },
    )
    # This process computes with the new schedule at once (its own transaction sees it); the
    # cache is cleared again once the change is committed, in case another thread read the
    # old schedule meanwhile. Other processes pick it up within workdays.CACHE_SECONDS.
    workdays.invalidate()
    transaction.on_commit(workdays.invalidate)
    schedule_changed.send(sender=Schedule, year=year, acting_user=acting_user)
    return schedule
