"""What happens next with a subsidy application, in the applicant's words: the receipt's last
section and the public progress page (/portal/subsidies/).

Each step names its time limit in working days where one is in force for the county, and the
step the application awaits its last day and whether it has passed: both from
canlian.benefits.deadlines, as on the staff's list (one definition of a step's last day)."""

from __future__ import annotations

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from canlian.benefits import deadlines, publicity
from canlian.benefits.models import ApplicationStatus, SubsidyApplication

__all__ = ["next_steps"]

# The statuses that await a step, in the order of the steps.
AWAITING = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.TOWNSHIP_CHECKED,
    ApplicationStatus.COUNTY_REVIEWED,
)


def _step(status: str, days: int | None) -> str:
    """The step awaited at `status`, with its time limit where there is one."""
    if status == ApplicationStatus.SUBMITTED:
        if days is None:
            return _("The township federation checks the application and the documents.")
        return _(
            "The township federation checks the application and the documents within "
            "%(days)s working days."
        ) % {"days": days}
    if status == ApplicationStatus.TOWNSHIP_CHECKED:
        if days is None:
            return _("The county federation reviews the application.")
        return _("The county federation reviews the application within %(days)s working days.") % {
            "days": days
        }
    if days is None:
        return _("The county civil-affairs bureau approves or rejects it and gives its reason.")
    return _(
        "The county civil-affairs bureau approves or rejects it within %(days)s working days "
        "and gives its reason."
    ) % {"days": days}


def _awaited(application: SubsidyApplication, due: deadlines.StepDue) -> str:
    """The step `application` awaits, with its limit, its last day and whether it is overdue."""
    day = date_format(due.due, "Y-m-d")
    if due.overdue:
        when = _("Your application is at this step: its last day was %(day)s (overdue).")
    else:
        when = _("Your application is at this step: its last day is %(day)s.")
    text = _("%(step)s %(when)s") % {
        "step": _step(application.status, due.days),
        "when": when % {"day": day},
    }
    if due.estimated:
        text = _("%(step)s %(when)s") % {
            "step": text,
            "when": _("(estimated: no official holiday schedule for that year yet)"),
        }
    return text


def next_steps(application: SubsidyApplication, today: datetime.date) -> list[str]:
    """The steps of `application` still to come on `today` (from the one it awaits), or, once
    decided, the whole way from the application (its receipt printed again). A step not yet
    begun gives the limit in force on `today`; the step awaited, the limit and last day
    counted from the day it began."""
    status = ApplicationStatus(application.status)
    ahead = AWAITING[AWAITING.index(status) :] if status in AWAITING else AWAITING
    due = deadlines.step_due(application, today) if status in AWAITING else None
    rule = publicity.rule_of(application)
    steps = []
    for awaited in ahead:
        if awaited == ApplicationStatus.TOWNSHIP_CHECKED and rule.required and rule.days:
            steps.append(
                _("The proposed recipients are posted in your village for %(days)s days.")
                % {"days": rule.days}
            )
        if awaited == status and due is not None:
            steps.append(_awaited(application, due))
        else:
            steps.append(_step(awaited, deadlines.working_days(awaited, application.region, today)))
    steps.append(
        _("Once approved, the subsidy is paid from %(month)s, the month of application.")
        % {"month": f"{application.start_month:%Y-%m}"}
    )
    return steps
