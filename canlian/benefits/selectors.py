"""Reads of subsidy applications and enrolments shared by the staff pages, the person's page
(its subsidies section) and the applicant's progress page in the portal."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.benefits import deadlines, eligibility, services
from canlian.benefits.models import (
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Step,
    SubsidyApplication,
)
from canlian.lib import todo

if TYPE_CHECKING:
    from canlian.accounts.models import User
    from canlian.people.models import Person

# The status tags' colour variants (the status is always written out as well).
APPLICATION_TAGS = {
    ApplicationStatus.SUBMITTED: "info",
    ApplicationStatus.TOWNSHIP_CHECKED: "info",
    ApplicationStatus.COUNTY_REVIEWED: "info",
    ApplicationStatus.APPROVED: "success",
    ApplicationStatus.REJECTED: "danger",
}
ENROLMENT_TAGS = {EnrolmentStatus.ACTIVE: "success", EnrolmentStatus.ENDED: "neutral"}


def next_step(application: SubsidyApplication) -> tuple[str, str] | None:
    """(step, permission) of the step the application awaits; None once decided."""
    step = services.NEXT_STEP.get(application.status)
    return (step[0], step[1]) if step else None


def annotate_applications(applications: list[SubsidyApplication]) -> None:
    """Set each application's status tag (the colour of its status) and the label of the step
    it awaits ("" once decided): for the staff pages and the applicant's progress page."""
    for application in applications:
        step = next_step(application)
        application.status_tag = APPLICATION_TAGS.get(  # type: ignore[attr-defined]
            ApplicationStatus(application.status), "neutral"
        )
        application.next_step_label = (  # type: ignore[attr-defined]
            Step(step[0]).label if step else ""
        )


def annotate_enrolments(enrolments: list[Enrolment]) -> None:
    for enrolment in enrolments:
        enrolment.status_tag = ENROLMENT_TAGS.get(  # type: ignore[attr-defined]
            EnrolmentStatus(enrolment.status), "neutral"
        )


@dataclasses.dataclass(frozen=True)
class PersonApplications:
    """What the person's page shows of their subsidy applications and enrolments."""

    applications: list[SubsidyApplication]
    enrolments: list[Enrolment]
    can_apply: bool


def person_subsidies(user: User, person: Person) -> PersonApplications | None:
    """The person's applications and enrolments visible to `user`, for the person's page;
    None for a user who may not view subsidies."""
    if not user.can(Perm.VIEW_SUBSIDY):
        return None
    applications = list(
        SubsidyApplication.objects.visible_to(user)
        .filter(person=person)
        .order_by("-applied_on", "-id")
    )
    annotate_applications(applications)
    enrolments = list(
        Enrolment.objects.visible_to(user).filter(person=person).order_by("-start_month", "-id")
    )
    annotate_enrolments(enrolments)
    return PersonApplications(
        applications=applications,
        enrolments=enrolments,
        can_apply=bool(user.can(Perm.APPLY_SUBSIDY)) and covers(user, person.place_id),
    )


def person_section(user: User, person: Person, today: datetime.date) -> Mapping[str, object]:
    """The person's page's subsidies section (people.sections): the two subsidies this month,
    each condition with its reason (under the programme's label), and the person's
    applications and enrolments."""
    explanation = eligibility.explain(person, eligibility.Month(today.year, today.month))
    return {
        "subsidies": explanation,
        "subsidy_results": [
            (Programme(key).label, result) for key, result in explanation.programmes.items()
        ],
        "subsidy_records": person_subsidies(user, person),
    }


TODO_TITLES = {
    ApplicationStatus.SUBMITTED: gettext_lazy(
        "Subsidy applications awaiting the township's first check"
    ),
    ApplicationStatus.TOWNSHIP_CHECKED: gettext_lazy(
        "Subsidy applications awaiting the county federation's review"
    ),
    ApplicationStatus.COUNTY_REVIEWED: gettext_lazy("Subsidy applications awaiting approval"),
}


def todo_groups(
    user: User, today: datetime.date, limit: int = todo.FIRST_ITEMS
) -> list[todo.Group]:
    """The subsidy applications waiting on `user`'s office for the home page: at each step
    whose permission they hold, in their own jurisdiction, oldest first, with the step's last
    day (``benefits.deadline.*``). Two queries a step, whatever the number of applications."""
    groups: list[todo.Group] = []
    prefix = user.scope_prefix
    if not prefix:
        return groups
    for status, (_step, perm, _next) in services.NEXT_STEP.items():
        if not user.can(perm):
            continue
        qs = deadlines.with_step_start(
            SubsidyApplication.objects.visible_to(user)
            .filter(status=status, region__startswith=prefix)
            .select_related("person", "person__place")
        ).order_by("step_started", "id")

        def item(application: SubsidyApplication) -> tuple[str, str, str]:
            detail = (
                f"{application.number} · {application.get_programme_display()}"
                f" · {application.person.place.name}"
            )
            url = reverse("benefits:detail", args=[application.pk])
            return application.person.name, url, detail

        def due(application: SubsidyApplication) -> datetime.date | None:
            step = deadlines.step_due(application, today)
            return step.due if step else None

        def estimated(application: SubsidyApplication, day: datetime.date) -> bool:
            step = deadlines.step_due(application, today)
            return bool(step and step.estimated)

        groups.append(
            todo.group(
                f"subsidy_{status}",
                str(TODO_TITLES[ApplicationStatus(status)]),
                qs,
                list_url=f"{reverse('benefits:list')}?status={status}",
                today=today,
                item=item,
                due=due,
                estimated=estimated,
                overdue=functools.partial(deadlines.count_overdue, status=status, today=today),
                limit=limit,
            )
        )
    return groups
