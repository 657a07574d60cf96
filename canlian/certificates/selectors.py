"""Scoped reads for the certificate pages: worklists of what is due, and application search."""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Case, DateField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy

from canlian.accounts.roles import Perm
from canlian.certificates import dated
from canlian.certificates.models import (
    OPEN_STATUSES,
    Application,
    Assessment,
    Kind,
    Level,
    Objection,
    Status,
)
from canlian.lib import todo
from canlian.lib.steps import overdue_filter
from canlian.people.models import LifeStatus, Person
from canlian.people.selectors import number_index

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

WORKLIST_ROWS = 50


@dataclasses.dataclass
class Worklist:
    """One list of the worklist page: its key (for headings), rows and the number overdue."""

    key: str
    rows: list[Any]
    total: int
    overdue: int


def _applications(user: Actor) -> QuerySet[Application]:
    return Application.objects.visible_to(user).select_related("place", "place__parent")


def office_steps(
    apps: QuerySet[Application], today: datetime.date
) -> dict[str, QuerySet[Application]]:
    """`apps` at each step the county office takes next, in the order they are due: the
    worklist's lists and the home page's groups of the same names. An assessment booked
    carries its day as `booked_for` (the last day of its step: overdue the day after)."""
    booked = Assessment.objects.filter(application=OuterRef("pk"), level=Level.INITIAL).order_by(
        "id"
    )
    return {
        "to_book": apps.filter(status=Status.SUBMITTED, needs_assessment=True).order_by(
            "received_on", "id"
        ),
        "to_assess": apps.filter(status=Status.BOOKED)
        .annotate(booked_for=Subquery(booked.values("booked_for")[:1]))
        .order_by(F("booked_for").asc(nulls_last=True), "id"),
        "to_publish": apps.filter(status=Status.ASSESSED).order_by("updated_at", "id"),
        "to_review": apps.filter(
            Application.publicity_over_filter(today) | Q(status=Status.AWAITING_REVIEW)
        ).order_by("review_due", "id"),
        "to_issue": apps.filter(status=Status.SUBMITTED, needs_assessment=False).order_by(
            "received_on", "id"
        ),
    }


# The last day of each of `office_steps` that has one: a field (or annotation) of its rows.
STEP_DUES = {"to_assess": "booked_for", "to_review": "review_due"}


def worklists(user: Actor, today: datetime.date) -> list[Worklist]:
    """What is due, oldest deadline first: each list counts its overdue rows (a last day
    passed: lib.steps.overdue_filter, the rule the home page and the statistics count by)."""
    apps = _applications(user)
    lists: list[Worklist] = []

    def add(key: str, qs: QuerySet[Any], overdue: Q | None) -> None:
        lists.append(
            Worklist(
                key=key,
                rows=list(qs[:WORKLIST_ROWS]),
                total=qs.count(),
                overdue=qs.filter(overdue).count() if overdue is not None else 0,
            )
        )

    steps = office_steps(apps, today)
    add("to_book", steps["to_book"], None)
    add("to_assess", steps["to_assess"], overdue_filter(STEP_DUES["to_assess"], today))
    add("to_publish", steps["to_publish"], None)
    add("to_review", steps["to_review"], overdue_filter(STEP_DUES["to_review"], today))
    add(
        "in_publicity",
        apps.filter(status=Status.PUBLICITY, publicity_ends_on__gte=today).order_by(
            "publicity_ends_on", "id"
        ),
        None,
    )
    add("to_issue", steps["to_issue"], None)
    if user.can(Perm.DECIDE_OBJECTION):
        # Only for whoever may decide them: an objection is not the work of an office that
        # can read it but not act on it.
        objections = (
            Objection.objects.filter(application__in=apps, decided_on__isnull=True)
            .select_related("application", "application__place")
            .order_by("decision_due", "id")
        )
        add("objections", objections, overdue_filter("decision_due", today))
    return lists


def expiring(user: Actor, today: datetime.date) -> QuerySet[Person]:
    """Holders whose certificate expires within their county's renewal window on `today`
    (``certificates.renewal.window_days``), or has expired, and who have no renewal in
    progress: the renewal worklist. Each county's window is a bound of the one query."""
    windows, default = dated.renewal_horizons(today)
    horizon = Case(
        *[
            When(place__code__startswith=prefix, then=Value(today + datetime.timedelta(days=days)))
            for prefix, days in windows
        ],
        default=Value(today + datetime.timedelta(days=default)),
        output_field=DateField(),
    )
    in_progress = Application.objects.filter(kind=Kind.RENEWAL, status__in=OPEN_STATUSES).values(
        "person_id"
    )
    return (
        Person.objects.visible_to(user)
        .filter(life_status=LifeStatus.ACTIVE)
        .alias(renewal_horizon=horizon)
        .filter(certificate_expires_on__lte=F("renewal_horizon"))
        .exclude(pk__in=in_progress)
        .select_related("place", "place__parent")
        .order_by("certificate_expires_on", "id")
    )


def renewals_due(user: Actor, today: datetime.date) -> QuerySet[Person]:
    """Holders whose certificate expires within their county's renewal window and has not
    expired yet, soonest first: the renewals to take now."""
    return expiring(user, today).filter(certificate_expires_on__gte=today)


# The orders of the expired list: a key of the page's address, and its ordering.
EXPIRED_ORDERS = {
    "recent": ("-certificate_expires_on", "id"),
    "oldest": ("certificate_expires_on", "id"),
    "name": ("name", "id"),
    "place": ("place__code", "name", "id"),
}
EXPIRED_DEFAULT_ORDER = "recent"


def expired(
    user: Actor, today: datetime.date, order: str = EXPIRED_DEFAULT_ORDER
) -> QuerySet[Person]:
    """Living holders whose certificate expired before `today` with no renewal in progress,
    in one of ``EXPIRED_ORDERS`` (the most recently expired first unless said)."""
    ordering = EXPIRED_ORDERS.get(order, EXPIRED_ORDERS[EXPIRED_DEFAULT_ORDER])
    return expiring(user, today).filter(certificate_expires_on__lt=today).order_by(*ordering)


def renewal_window(user: Actor, today: datetime.date) -> int | None:
    """The renewal window in days that applies to all of `user`'s jurisdiction on `today`,
    or None when its counties have different windows."""
    prefix = user.scope_prefix or ""
    if len(prefix) >= 6:
        return dated.renewal_window_days(on=today, region=prefix[:6])
    windows, default = dated.renewal_horizons(today)
    days = {d for p, d in windows if p.startswith(prefix)} | {default}
    return days.pop() if len(days) == 1 else None


def search_applications(
    user: Actor, *, q: str = "", status: str = "", kind: str = ""
) -> QuerySet[Application]:
    """The applications of `user`'s jurisdiction, newest first, narrowed to the start of the
    applicant's name or to an exact ID or certificate number, alone or beside a name (王建国
    41082519…: the number decides; people.selectors.number_index). Raises
    accounts.lookups.TooManyNumberSearches past the hourly limit of searches by number."""
    qs = _applications(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    q = q.strip()
    if q:
        index = number_index(user, q, where="certificates")
        if index is not None:
            qs = qs.filter(id_number_index=index)
        else:
            qs = qs.filter(name__startswith=q)
    return qs.order_by("-received_on", "-id")


TODO_TITLES = {
    "to_review": gettext_lazy("Certificate applications: publicity ended, county review due"),
    "to_book": gettext_lazy("Certificate applications: assessment to book"),
    "to_assess": gettext_lazy("Certificate applications: assessment booked, result to record"),
    "to_publish": gettext_lazy("Certificate applications: publicity to post"),
    "to_issue": gettext_lazy("Renewals, replacements and transfers to complete"),
    "objections": gettext_lazy("Objections to assessments awaiting your decision"),
}


def todo_groups(
    user: Actor, today: datetime.date, limit: int = todo.FIRST_ITEMS
) -> list[todo.Group]:
    """The certificate work waiting on `user` for the home page: applications at the steps
    their office takes (for whoever processes certificates) and objections they may decide.
    Only in their own jurisdiction: work is what they may act on, not what they may read."""
    groups: list[todo.Group] = []
    prefix = user.scope_prefix
    if not prefix:
        return groups

    def counted_over_estimate(app: Application, day: datetime.date) -> bool:
        return day.year in (app.estimated_years or [])

    def application_item(app: Application) -> tuple[str, str, str]:
        url = reverse("certificates:application_detail", args=[app.pk])
        return app.name, url, f"{app.get_kind_display()} · {app.place.name}"

    if user.can(Perm.PROCESS_CERTIFICATE):
        apps = Application.objects.visible_to(user).filter(place__code__startswith=prefix)
        apps = apps.select_related("place")
        steps = office_steps(apps, today)
        for key in ("to_review", "to_book", "to_assess", "to_publish", "to_issue"):
            groups.append(
                todo.group(
                    key,
                    str(TODO_TITLES[key]),
                    steps[key],
                    due=STEP_DUES.get(key),
                    # A booking's day is chosen, not counted in working days.
                    estimated=counted_over_estimate if key != "to_assess" else None,
                    today=today,
                    item=application_item,
                    limit=limit,
                    list_url=reverse("certificates:worklist"),
                )
            )
    if user.can(Perm.DECIDE_OBJECTION):
        objections = (
            Objection.objects.filter(
                application__in=Application.objects.visible_to(user),
                application__place__code__startswith=prefix,
                decided_on__isnull=True,
            )
            .select_related("application", "application__place")
            .order_by("decision_due", "id")
        )

        def objection_item(objection: Objection) -> tuple[str, str, str]:
            app = objection.application
            url = reverse("certificates:application_detail", args=[app.pk])
            return app.name, url, f"{objection.get_level_display()} · {app.place.name}"

        groups.append(
            todo.group(
                "objections",
                str(TODO_TITLES["objections"]),
                objections,
                list_url=reverse("certificates:worklist"),
                due="decision_due",
                today=today,
                item=objection_item,
                estimated=lambda o, day: counted_over_estimate(o.application, day),
                limit=limit,
            )
        )
    return groups
