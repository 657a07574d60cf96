"""Designated assessment institutions (评定机构): who may assess which categories, for which area.

An institution is designated for a province, a city or a county and assesses applicants whose
household registration lies in that area. Institutions are reference data, not personal data:
every account that deals with certificates sees those that serve its area.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import SEES_ALL, Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.certificates.models import Institution
from canlian.people import services as people
from canlian.places.models import PREFIX_LENGTH, Level, Place

DESIGNATING_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY})


def institutions_for(user: Any) -> models.QuerySet[Institution]:
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


@transaction.atomic
def save_institution(
    *,
    name: str,
    place: Place | None,
    categories: Iterable[int],
    home_visits: bool,
    address: str,
    active: bool,
    acting_user: Any,
    institution: Institution | None = None,
) -> Institution:
    """Create an institution, or change `institution`: designate it for a province, city or
    county of the user's jurisdiction, for one or more of the categories 1 to 7."""
    require(acting_user, Perm.MANAGE_PLACES)
    errors: dict[str, list[str]] = {}
    name = people._clean_text(name)
    address = people._clean_text(address)
    if not name:
        errors["name"] = [_("Enter the name of the institution.")]
    elif len(name) > 100:
        errors["name"] = [_("This is longer than %(limit)s characters.") % {"limit": 100}]
    if len(address) > 200:
        errors["address"] = [_("This is longer than %(limit)s characters.") % {"limit": 200}]
    if place is None:
        errors["place"] = [_("Choose the area the institution is designated for.")]
    elif place.level not in DESIGNATING_LEVELS:
        errors["place"] = [_("Choose a province, city or county, not a township or village.")]
    elif not covers(acting_user, place.code):
        errors["place"] = [_("This place is outside your jurisdiction.")]
    chosen = sorted(set(categories))
    if not chosen:
        errors["categories"] = [_("Choose at least one category the institution assesses.")]
    elif any(c not in people.CATEGORIES for c in chosen):
        errors["categories"] = [_("The category must be a national code from 1 to 7.")]
    if name and place is not None and "place" not in errors:
        same = Institution.objects.filter(place=place, name=name)
        if institution is not None:
            same = same.exclude(pk=institution.pk)
        if same.exists():
            errors.setdefault("name", []).append(
                _("An institution of this name is already designated for %(place)s.")
                % {"place": place.name}
            )
    if institution is not None and not covers(acting_user, institution.place.code):
        errors.setdefault("place", []).append(_("This place is outside your jurisdiction."))
    if errors:
        raise ValidationError(errors)
    assert place is not None
    target = (
        Institution()
        if institution is None
        else Institution.objects.select_for_update().get(pk=institution.pk)
    )
    before = _snapshot(target) if institution is not None else {}
    target.name = name
    target.place = place
    target.categories = chosen
    target.home_visits = home_visits
    target.address = address
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


def _snapshot(institution: Institution) -> dict[str, Any]:
    return {
        "name": institution.name,
        "place": institution.place_id,
        "categories": list(institution.categories),
        "home_visits": institution.home_visits,
        "address": institution.address,
        "active": institution.active,
    }
