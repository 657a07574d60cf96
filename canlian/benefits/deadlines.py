"""Time limits of the steps of a subsidy application, in working days (dated parameters:
``benefits.deadline.township_check_working_days``, ``…county_review_working_days``,
``…approval_working_days``). A step's time runs from the day after the step before it (the day
the application was taken, for the township's first check); it is overdue from the day after
its last day. No notice in our sources sets these limits: the values are samples."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from django.db.models import Count, DateField, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr

from canlian.benefits.eligibility.rules import load_parameters
from canlian.benefits.models import ApplicationStatus, ApplicationStep, SubsidyApplication
from canlian.lib import workdays

__all__ = [
    "APPROVAL_DAYS",
    "COUNTY_REVIEW_DAYS",
    "TOWNSHIP_CHECK_DAYS",
    "StepDue",
    "annotate_due",
    "count_overdue",
    "due_for",
    "step_due",
    "with_step_start",
    "working_days",
]

TOWNSHIP_CHECK_DAYS = "benefits.deadline.township_check_working_days"
COUNTY_REVIEW_DAYS = "benefits.deadline.county_review_working_days"
APPROVAL_DAYS = "benefits.deadline.approval_working_days"

# The time limit of the step each open status awaits.
STEP_LIMITS = {
    ApplicationStatus.SUBMITTED: TOWNSHIP_CHECK_DAYS,
    ApplicationStatus.TOWNSHIP_CHECKED: COUNTY_REVIEW_DAYS,
    ApplicationStatus.COUNTY_REVIEWED: APPROVAL_DAYS,
}


@dataclasses.dataclass(frozen=True)
class StepDue:
    """The last day of the step an application awaits, and whether it has passed."""

    due: datetime.date
    overdue: bool
    # Counted over a year without an official holiday schedule (weekends only).
    estimated: bool
    # The time limit it was counted with, in working days.
    days: int


def step_start() -> Coalesce:
    """The day of an application's latest step (its application, its first check, its
    review), from which the awaited step's time runs: an expression for a query."""
    latest = (
        ApplicationStep.objects.filter(application=OuterRef("pk"))
        .order_by("-acted_on")
        .values("acted_on")[:1]
    )
    return Coalesce(Subquery(latest), F("applied_on"), output_field=DateField())


def with_step_start(qs: QuerySet[SubsidyApplication]) -> QuerySet[SubsidyApplication]:
    """`qs` with `step_started` (:func:`step_start`)."""
    return qs.annotate(step_started=step_start())


def working_days(status: str, region: str, on: datetime.date) -> int | None:
    """The time limit, in working days, of the step awaited at `status` in `region` as in
    force on `on`; None where none is."""
    name = STEP_LIMITS.get(ApplicationStatus(status))
    if name is None:
        return None
    value = load_parameters().value(name, on=on, region=region[:6])
    if value is None or int(value.value) <= 0:
        return None
    return int(value.value)


def _limit(
    status: str, region: str, started: datetime.date
) -> tuple[int, workdays.Deadline] | None:
    days = working_days(status, region, started)
    if days is None:
        return None
    return days, workdays.add_working_days(started, days)


def due_for(status: str, region: str, started: datetime.date) -> workdays.Deadline | None:
    """The last day of the step awaited at `status` begun on `started` in `region`."""
    limit = _limit(status, region, started)
    return None if limit is None else limit[1]


def count_overdue(qs: QuerySet[SubsidyApplication], status: str, today: datetime.date) -> int:
    """How many applications of `qs` (all at `status`) are past their step's last day: one
    query, grouped by county and starting day, whatever the number of applications."""
    groups = (
        qs.order_by()
        .annotate(county=Substr("region", 1, 6), started=step_start())
        .values("county", "started")
        .annotate(n=Count("pk"))
    )
    overdue = 0
    for row in groups:
        deadline = due_for(status, row["county"], row["started"])
        if deadline is not None and today > deadline.day:
            overdue += row["n"]
    return overdue


def _started(application: SubsidyApplication) -> datetime.date:
    started = getattr(application, "step_started", None)
    if started is None and application.pk is not None and not hasattr(application, "step_started"):
        started = application.steps.aggregate(last=Max("acted_on"))["last"]
    return started or application.applied_on


def step_due(application: SubsidyApplication, today: datetime.date) -> StepDue | None:
    """When the step `application` awaits is due; None once decided or where no time limit
    is in force for its county on the day the step began."""
    if application.status not in STEP_LIMITS:
        return None
    limit = _limit(application.status, application.region, _started(application))
    if limit is None:
        return None
    days, deadline = limit
    return StepDue(
        due=deadline.day,
        overdue=today > deadline.day,
        estimated=bool(deadline.estimated_years),
        days=days,
    )


def annotate_due(applications: Iterable[SubsidyApplication], today: datetime.date) -> None:
    """Set each application's `step_due` (a StepDue or None) for the pages."""
    for application in applications:
        application.step_due = step_due(application, today)  # type: ignore[attr-defined]
