"""Mobile certification tours (巡回下乡办证): a team and an institution visit villages of one
county, take first applications on the spot, then book and publish them together.

The batch steps act on each application in its own savepoint: one refusal is reported beside
the others' results and does not undo or stop them.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.certificates import services
from canlian.certificates.models import Application, Institution, Kind, Status, Tour
from canlian.lib import rules
from canlian.lib.forms import refusal_text
from canlian.lib.rules import Problem
from canlian.people.fields import clean_text
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User

# A tour visits villages for days or weeks; a longer span is a typing mistake.
MAX_TOUR_DAYS = 92
NAME_LIMIT = 100
TEAM_LIMIT = 1000
TOUR_PLACE_LEVELS = frozenset({Level.TOWNSHIP, Level.VILLAGE})

Outcome = tuple[Application, str | None]


def _require_tour(acting_user: Actor, tour: Tour) -> None:
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    if not covers(acting_user, tour.county.code):
        raise PermissionDenied(_("This tour is outside your jurisdiction."))


def designated_for_tour(institution: Institution, county: Place) -> bool:
    """Whether `institution` may assess on a tour of `county`: designated for it or its city."""
    return institution.place_id in (county.code, county.parent_id)


@dataclasses.dataclass
class TourPlan:
    """A tour as planned on the form, before it is checked."""

    county: Place | None
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    institution: Institution | None
    team: str
    villages: list[Place]
    acting_user: Actor

    @property
    def usable_county(self) -> Place | None:
        """The county, if it is one and lies in the user's jurisdiction."""
        county = self.county
        if county is None or county.level != Level.COUNTY:
            return None
        return county if covers(self.acting_user, county.code) else None


@transaction.atomic
def create_tour(
    *,
    county: Place | None,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    institution: Institution | None,
    team: str,
    villages: Iterable[Place],
    acting_user: User,
) -> Tour:
    """Plan a tour to townships and villages of one county of the user's jurisdiction."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    plan = TourPlan(
        county=county,
        name=clean_text(name),
        starts_on=starts_on,
        ends_on=ends_on,
        institution=institution,
        team=team.strip(),
        villages=list(villages),
        acting_user=acting_user,
    )
    rules.enforce(rules.collect(plan, PLAN_CHECKS))
    assert county is not None and institution is not None
    tour = Tour.objects.create(
        county=county,
        name=plan.name,
        starts_on=starts_on,
        ends_on=ends_on,
        institution=institution,
        team=plan.team,
        created_by=acting_user,
    )
    tour.villages.set(plan.villages)
    audit.record(
        acting_user=acting_user,
        action="certificate.tour.create",
        target=tour,
        detail={
            "county": county.code,
            "name": plan.name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "institution": institution.pk,
            "villages": sorted(p.code for p in plan.villages),
        },
        region=county.code,
    )
    return tour


def _county_in_jurisdiction(plan: TourPlan) -> Iterator[Problem]:
    if plan.county is None or plan.county.level != Level.COUNTY:
        yield "county", _("Choose the county the tour visits.")
    elif plan.usable_county is None:
        yield "county", _("This place is outside your jurisdiction.")


def _named(plan: TourPlan) -> Iterator[Problem]:
    if not plan.name:
        yield "name", _("Enter a name for the tour.")
    elif len(plan.name) > NAME_LIMIT:
        yield "name", _("This is longer than %(limit)s characters.") % {"limit": NAME_LIMIT}


def _team_listed(plan: TourPlan) -> Iterator[Problem]:
    if not plan.team:
        yield "team", _("Enter the members of the team.")
    elif len(plan.team) > TEAM_LIMIT:
        yield "team", _("This is longer than %(limit)s characters.") % {"limit": TEAM_LIMIT}


def _days_in_order(plan: TourPlan) -> Iterator[Problem]:
    if plan.ends_on < plan.starts_on:
        yield "ends_on", _("The last day is before the first day.")
    elif (plan.ends_on - plan.starts_on).days >= MAX_TOUR_DAYS:
        yield "ends_on", _("A tour lasts at most %(days)s days.") % {"days": MAX_TOUR_DAYS}


def _institution_designated(plan: TourPlan) -> Iterator[Problem]:
    institution, county = plan.institution, plan.usable_county
    if institution is None:
        yield "institution", _("Choose the assessment institution.")
    elif not institution.active:
        yield "institution", _("This institution is no longer designated.")
    elif county is not None and not designated_for_tour(institution, county):
        yield (
            "institution",
            _("This institution is not designated for this county or its city."),
        )


def _villages_of_the_county(plan: TourPlan) -> Iterator[Problem]:
    county = plan.usable_county
    if not plan.villages:
        yield "villages", _("Choose at least one township or village.")
        return
    if county is None:
        return
    outside = [
        p.name
        for p in plan.villages
        if p.level not in TOUR_PLACE_LEVELS or not p.code.startswith(county.prefix)
    ]
    if outside:
        yield (
            "villages",
            _("Not a township or village of %(county)s: %(places)s.")
            % {"county": county.name, "places": "、".join(outside)},
        )


PLAN_CHECKS: tuple[rules.Check[TourPlan], ...] = (
    _county_in_jurisdiction,
    _named,
    _team_listed,
    _days_in_order,
    _institution_designated,
    _villages_of_the_county,
)


def register_applicant(
    *,
    tour: Tour,
    applicant: services.Applicant,
    category: int | None,
    applied_by: str,
    documents: Sequence[str],
    received_on: datetime.date,
    acting_user: User,
    proxy_name: str = "",
) -> Application:
    """Take a first application on the spot, during the tour, from a household of its county."""
    _require_tour(acting_user, tour)
    return services.submit_application(
        kind=Kind.FIRST,
        tour=tour,
        applicant=applicant,
        category=category,
        applied_by=applied_by,
        documents=documents,
        received_on=received_on,
        proxy_name=proxy_name,
        acting_user=acting_user,
    )


def _reason(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return refusal_text(exc)


def _each(
    tour: Tour, status: str, step: Callable[[Application], object], empty: str
) -> list[Outcome]:
    """Apply `step` to every application of `tour` in `status`, each in its own savepoint."""
    applications = list(
        tour.applications.filter(status=status).select_related("place").order_by("id")
    )
    if not applications:
        raise ValidationError({"tour": [empty]})
    outcomes: list[Outcome] = []
    for application in applications:
        try:
            with transaction.atomic():
                step(application)
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append((application, _reason(exc)))
        else:
            application.refresh_from_db()
            outcomes.append((application, None))
    return outcomes


def _audit_batch(
    tour: Tour, acting_user: Actor, action: str, outcomes: list[Outcome], **detail: Any
) -> None:
    audit.record(
        acting_user=acting_user,
        action=f"certificate.tour.{action}",
        target=tour,
        detail={
            **detail,
            "done": [a.pk for a, error in outcomes if error is None],
            "refused": {str(a.pk): error for a, error in outcomes if error is not None},
        },
        region=tour.county_id,
    )


@transaction.atomic
def book_all(*, tour: Tour, booked_for: datetime.date, acting_user: Actor) -> list[Outcome]:
    """Book the assessment of every accepted application of the tour at the tour's institution."""
    _require_tour(acting_user, tour)
    outcomes = _each(
        tour,
        Status.SUBMITTED,
        lambda application: services.book_assessment(
            application=application,
            institution=tour.institution,
            booked_for=booked_for,
            at_home=False,
            acting_user=acting_user,
        ),
        _("No application of this tour is waiting for an assessment to be booked."),
    )
    _audit_batch(tour, acting_user, "book_all", outcomes, booked_for=booked_for.isoformat())
    return outcomes


@transaction.atomic
def publish_all(
    *, tour: Tour, starts_on: datetime.date, location: str, acting_user: Actor
) -> list[Outcome]:
    """Start the publicity of every assessed application of the tour."""
    _require_tour(acting_user, tour)
    if not location.strip():
        raise ValidationError({"location": [_("Enter where the notice is posted.")]})
    outcomes = _each(
        tour,
        Status.ASSESSED,
        lambda application: services.start_publicity(
            application=application,
            starts_on=starts_on,
            location=location,
            acting_user=acting_user,
        ),
        _("No application of this tour is assessed and waiting for publicity."),
    )
    _audit_batch(
        tour,
        acting_user,
        "publish_all",
        outcomes,
        starts_on=starts_on.isoformat(),
        location=location.strip(),
    )
    return outcomes
