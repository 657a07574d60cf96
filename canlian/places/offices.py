"""The federation office that takes an application at a place, and its phone, for receipts.

An application is taken at the township's window (subsidies) or the county federation's
(certificates). The office is the place's ancestor at that level; its phone is that place's
``phone``, or the nearest enclosing place's that has one (a township without its own number
gives the county federation's)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from canlian.lib.receipts import Office
from canlian.places.models import Level, Place

__all__ = ["office_of"]


def office_of(place: Place, level: Level) -> Office:
    """The office at ``level`` (TOWNSHIP or COUNTY) that ``place`` belongs to, and its phone."""
    chain = place.lineage()
    at_level = next((p for p in chain if p.level == level), None)
    if at_level is None:  # a place above the level: the nearest place there is
        at_level = chain[0]
    start = chain.index(at_level)
    phone = next((p.phone for p in chain[start:] if p.phone), "")
    return Office(
        name=_("%(place)s Disabled Persons' Federation") % {"place": at_level.full_name()},
        phone=phone,
    )
