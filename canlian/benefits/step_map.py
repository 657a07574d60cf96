"""The steps of a subsidy application for the step indicator: 受理 → 乡镇初审 → 县级残联审核 → 审批.

A step with a decision recorded is done; the step the status awaits is current, with its last
day (canlian.benefits.deadlines: overdue from the day after it, not on it); a rejection ends the
application, so the steps after it do not apply.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils.translation import pgettext_lazy

from canlian.benefits import deadlines
from canlian.benefits.models import ApplicationStatus, ApplicationStep, SubsidyApplication
from canlian.benefits.models import Step as Kind
from canlian.lib.steps import State, Step

__all__ = ["application_steps"]

ORDER = (Kind.APPLY, Kind.TOWNSHIP_CHECK, Kind.COUNTY_REVIEW, Kind.APPROVAL)
LABELS = {
    Kind.APPLY: pgettext_lazy("step", "Accepted"),
    Kind.TOWNSHIP_CHECK: pgettext_lazy("step", "Township first check"),
    Kind.COUNTY_REVIEW: pgettext_lazy("step", "County review"),
    Kind.APPROVAL: pgettext_lazy("step", "Approval"),
}
AWAITED = {
    ApplicationStatus.SUBMITTED: Kind.TOWNSHIP_CHECK,
    ApplicationStatus.TOWNSHIP_CHECKED: Kind.COUNTY_REVIEW,
    ApplicationStatus.COUNTY_REVIEWED: Kind.APPROVAL,
}


def application_steps(
    application: SubsidyApplication,
    today: datetime.date,
    taken: Iterable[ApplicationStep] | None = None,
) -> list[Step]:
    """The steps of `application` on `today`, in order, with their states; the current one
    with its last day. `taken`: its recorded steps, where the caller has them already."""
    recorded = {s.step for s in (application.steps.all() if taken is None else taken)}
    # The application itself is the first step, recorded or not.
    recorded.add(Kind.APPLY)
    current = AWAITED.get(ApplicationStatus(application.status))
    rejected = application.status == ApplicationStatus.REJECTED
    steps = []
    for kind in ORDER:
        label = str(LABELS[kind])
        if kind == current:
            due = deadlines.step_due(application, today)
            if due is None:
                steps.append(Step(label, State.CURRENT))
            else:
                steps.append(Step(label, State.CURRENT, due.due, due.overdue, due.estimated))
        elif kind in recorded:
            steps.append(Step(label, State.DONE))
        elif rejected:
            steps.append(Step(label, State.SKIPPED))
        else:
            steps.append(Step(label, State.UPCOMING))
    return steps
