"""Mobile certification tours (巡回下乡办证): a team and an institution visit villages of one
county, take first applications on the spot, then book and publish them together.

The batch steps act on each application in its own savepoint: one refusal is reported beside
the others' results and does not undo or stop them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.certificates import services
from canlian.certificates.models import Application, Institution, Kind, Status, Tour
from canlian.lib.forms import refusal_text
from canlian.people import services as people
from canlian.places.models import Level, Place

# A tour visits villages for days or weeks; a longer span is a typing mistake.
MAX_TOUR_DAYS = 92
TOUR_PLACE_LEVELS = frozenset({Level.TOWNSHIP, Level.VILLAGE})

Outcome = tuple[Application, str | None]


def _require_tour(acting_user: Any, tour: Tour) -> None:
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    if not covers(acting_user, tour.county.code):
        raise PermissionDenied(_("This tour is outside your jurisdiction."))


def designated_for_tour(institution: Institution, county: Place) -> bool:
    """Whether `institution` may assess on a tour of `county`: designated for it or its city."""
    return institution.place_id in (county.code, county.parent_id)


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
    acting_user: Any,
) -> Tour:
    """Plan a tour to townships and villages of one county of the user's jurisdiction."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if county is None or county.level != Level.COUNTY:
        fail("county", _("Choose the county the tour visits."))
        county = None
    elif not covers(acting_user, county.code):
        fail("county", _("This place is outside your jurisdiction."))
        county = None
    name = people._clean_text(name)
    if not name:
        fail("name", _("Enter a name for the tour."))
    elif len(name) > 100:
        fail("name", _("This is longer than %(limit)s characters.") % {"limit": 100})
    team = team.strip()
    if not team:
        fail("team", _("Enter the members of the team."))
    elif len(team) > 1000:
        fail("team", _("This is longer than %(limit)s characters.") % {"limit": 1000})
    if ends_on < starts_on:
        fail("ends_on", _("The last day is before the first day."))
    elif (ends_on - starts_on).days >= MAX_TOUR_DAYS:
        fail("ends_on", _("A tour lasts at most %(days)s days.") % {"days": MAX_TOUR_DAYS})
    if institution is None:
        fail("institution", _("Choose the assessment institution."))
    elif not institution.active:
        fail("institution", _("This institution is no longer designated."))
    elif county is not None and not designated_for_tour(institution, county):
        fail("institution", _("This institution is not designated for this county or its city."))
    places = list(villages)
    if not places:
        fail("villages", _("Choose at least one township or village."))
    elif county is not None:
        outside = [
            p.name
            for p in places
            if p.level not in TOUR_PLACE_LEVELS or not p.code.startswith(county.prefix)
        ]
        if outside:
            fail(
                "villages",
                _("Not a township or village of %(county)s: %(places)s.")
                % {"county": county.name, "places": "、".join(outside)},
            )
    if errors:
        raise ValidationError(errors)
    assert county is not None and institution is not None
    tour = Tour.objects.create(
        county=county,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        institution=institution,
        team=team,
        created_by=acting_user,
    )
    tour.villages.set(places)
    audit.record(
        acting_user=acting_user,
        action="certificate.tour.create",
        target=tour,
        detail={
            "county": county.code,
            "name": name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "institution": institution.pk,
            "villages": sorted(p.code for p in places),
        },
        region=county.code,
    )
    return tour


def register_applicant(
    *,
    tour: Tour,
    applicant: services.Applicant,
    category: int | None,
    applied_by: str,
    documents: Sequence[str],
    received_on: datetime.date,
    acting_user: Any,
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
    tour: Tour, acting_user: Any, action: str, outcomes: list[Outcome], **detail: Any
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
def book_all(*, tour: Tour, booked_for: datetime.date, acting_user: Any) -> list[Outcome]:
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
    *, tour: Tour, starts_on: datetime.date, location: str, acting_user: Any
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
