"""Designated assessment institutions (评定机构): who may assess which categories, for which area.

An institution is designated for a province, a city or a county and assesses applicants whose
household registration lies in that area. Institutions are reference data, not personal data:
every account that deals with certificates sees those that serve its area.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import SEES_ALL, Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.certificates.models import Institution
from canlian.lib import rules
from canlian.lib.rules import Problem
from canlian.people import services as people
from canlian.people.fields import clean_text
from canlian.places.models import PREFIX_LENGTH, Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

DESIGNATING_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY})
NAME_LIMIT = 100
ADDRESS_LIMIT = 200


def institutions_for(user: Actor) -> models.QuerySet[Institution]:
    """The institutions `user` may see: those designated for an area above, at or below the
    user's node (a county clerk sees the county's, the city's and the province's)."""
    qs = Institution.objects.select_related("place")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if not (user.can(Perm.VIEW_CERTIFICATE) or user.can(Perm.MANAGE_PLACES)):
        return qs.none()
    if user.role in SEES_ALL:
        return qs
    prefix = user.scope_prefix
    if not prefix:
        return qs.none()
    above = [prefix[:n] for n in sorted(set(PREFIX_LENGTH.values())) if n <= len(prefix)]
    return qs.filter(Q(place__prefix__in=above) | Q(place__code__startswith=prefix))


def serving(place: Place) -> models.QuerySet[Institution]:
    """Active institutions designated for `place` or an area containing it."""
    prefixes = [place.code[:n] for n in sorted(set(PREFIX_LENGTH.values()))]
    return Institution.objects.filter(active=True, place__prefix__in=prefixes).select_related(
        "place"
    )


@dataclasses.dataclass
class Designation:
    """An institution as entered on the form, before it is checked."""

    name: str
    place: Place | None
    categories: list[int]
    address: str
    acting_user: Actor
    institution: Institution | None  # the one being changed; None for a new one


@transaction.atomic
def save_institution(
    *,
    name: str,
    place: Place | None,
    categories: Iterable[int],
    home_visits: bool,
    address: str,
    active: bool,
    acting_user: Actor,
    institution: Institution | None = None,
) -> Institution:
    """Create an institution, or change `institution`: designate it for a province, city or
    county of the user's jurisdiction, for one or more of the categories 1 to 7."""
    require(acting_user, Perm.MANAGE_PLACES)
    d = Designation(
        name=clean_text(name),
        place=place,
        categories=sorted(set(categories)),
        address=clean_text(address),
        acting_user=acting_user,
        institution=institution,
    )
    rules.enforce(rules.collect(d, DESIGNATION_CHECKS))
    assert place is not None
    target = (
        Institution()
        if institution is None
        else Institution.objects.select_for_update().get(pk=institution.pk)
    )
    before = _snapshot(target) if institution is not None else {}
    target.name = d.name
    target.place = place
    target.categories = d.categories
    target.home_visits = home_visits
    target.address = d.address
    target.active = active
    target.save()
    after = _snapshot(target)
    # A creation lists every field; an update, those changed.
    changes = audit.changes(before, after, after, also=after if institution is None else ())
    audit.record(
        acting_user=acting_user,
        action="certificate.institution." + ("create" if institution is None else "update"),
        target=target,
        detail={"changes": changes},
        region=place.code,
    )
    return target


def _named(d: Designation) -> Iterator[Problem]:
    if not d.name:
        yield "name", _("Enter the name of the institution.")
    elif len(d.name) > NAME_LIMIT:
        yield "name", _("This is longer than %(limit)s characters.") % {"limit": NAME_LIMIT}


def _address_short(d: Designation) -> Iterator[Problem]:
    if len(d.address) > ADDRESS_LIMIT:
        yield "address", _("This is longer than %(limit)s characters.") % {"limit": ADDRESS_LIMIT}


def _place_problem(d: Designation) -> str | None:
    if d.place is None:
        return _("Choose the area the institution is designated for.")
    if d.place.level not in DESIGNATING_LEVELS:
        return _("Choose a province, city or county, not a township or village.")
    if not covers(d.acting_user, d.place.code):
        return _("This place is outside your jurisdiction.")
    return None


def _place_designating(d: Designation) -> Iterator[Problem]:
    problem = _place_problem(d)
    if problem:
        yield "place", problem


def _categories_assessed(d: Designation) -> Iterator[Problem]:
    if not d.categories:
        yield "categories", _("Choose at least one category the institution assesses.")
    elif any(c not in people.CATEGORIES for c in d.categories):
        yield "categories", _("The category must be a national code from 1 to 7.")


def _name_unique_in_place(d: Designation) -> Iterator[Problem]:
    if not d.name or d.place is None or _place_problem(d) is not None:
        return
    same = Institution.objects.filter(place=d.place, name=d.name)
    if d.institution is not None:
        same = same.exclude(pk=d.institution.pk)
    if same.exists():
        yield (
            "name",
            _("An institution of this name is already designated for %(place)s.")
            % {"place": d.place.name},
        )


def _changed_in_jurisdiction(d: Designation) -> Iterator[Problem]:
    if d.institution is not None and not covers(d.acting_user, d.institution.place.code):
        yield "place", _("This place is outside your jurisdiction.")


DESIGNATION_CHECKS: tuple[rules.Check[Designation], ...] = (
    _named,
    _address_short,
    _place_designating,
    _categories_assessed,
    _name_unique_in_place,
    _changed_in_jurisdiction,
)


def _snapshot(institution: Institution) -> dict[str, Any]:
    return {
        "name": institution.name,
        "place": institution.place_id,
        "categories": list(institution.categories),
        "home_visits": institution.home_visits,
        "address": institution.address,
        "active": institution.active,
    }
