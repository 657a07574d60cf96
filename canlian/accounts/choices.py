"""The places of a user's jurisdiction as form choices: one builder for every form that picks
a county, township or village (the registry, certificates, levy, subsidies, payroll)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

Choices = list[tuple[str, Any]]


def places_in_scope(user: Actor, *, levels: Collection[int]) -> QuerySet[Place]:
    """The places of `levels` in `user`'s subtree, by code; none for a user with no node."""
    prefix = user.scope_prefix or "-"
    return (
        Place.objects.filter(code__startswith=prefix, level__in=levels)
        .select_related("parent")
        .order_by("code")
    )


def jurisdiction_choices(
    user: Actor,
    *,
    levels: Collection[int],
    value: Callable[[Place], str] = lambda place: place.code,
    label: Callable[[Place], str] = lambda place: place.name,
    by_county: bool = False,
    below_own: bool = False,
) -> Choices:
    """(value, label) of each place of `levels` in `user`'s jurisdiction, by code: flat, or
    grouped under the county's name (`by_county`, for a select's optgroups). `below_own`
    leaves out the user's own node (a filter that would select everything)."""
    places = places_in_scope(user, levels=levels)
    if below_own:
        places = places.exclude(prefix=user.scope_prefix)
    if not by_county:
        return [(value(place), label(place)) for place in places]
    groups: dict[str, list[tuple[str, str]]] = {}
    for place in places:
        groups.setdefault(place.code[:6], []).append((value(place), label(place)))
    names = dict(Place.objects.filter(level=Level.COUNTY).values_list("code", "name"))
    return [(names.get(f"{county}000000", county), options) for county, options in groups.items()]


def county_choices(user: Actor) -> Choices:
    """(6-digit code, name) of each county in `user`'s jurisdiction."""
    return jurisdiction_choices(user, levels={Level.COUNTY}, value=lambda place: place.code[:6])


def place_choices(user: Actor) -> Choices:
    """The townships and villages of `user`'s jurisdiction under their county: where a person
    lives."""
    return jurisdiction_choices(
        user, levels={Level.TOWNSHIP, Level.VILLAGE}, label=with_parent, by_county=True
    )


def indented(top: int) -> Callable[[Place], str]:
    """A label that sets the places below level `top` under it with a dash ("— 测试一镇")."""
    return lambda place: place.name if place.level <= top else f"— {place.name}"


def with_parent(place: Place) -> str:
    """A village under its township's name ("测试一镇 测试一村"); a township by its own name."""
    return place.name if place.level <= Level.TOWNSHIP else f"{place.parent} {place.name}"


def county_itself(place: Place) -> str:
    """A county among its townships, said to be the county itself."""
    if place.level == Level.COUNTY:
        return _("%(county)s (the county itself)") % {"county": place.name}
    return place.name
