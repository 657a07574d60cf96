"""The one scoping rule of every read path: a row is visible when its region code lies in the
user's subtree and the user holds the view permission. Deny by default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from canlian.accounts.access import acting
from canlian.accounts.roles import SEES_ALL, Perm
from canlian.audit.models import Entry, EntryQuerySet
from canlian.places.models import PREFIX_LENGTH, Level

if TYPE_CHECKING:
    from canlian.accounts.access import Reader

Q = TypeVar("Q", bound=models.QuerySet[Any])


def scoped(qs: Q, user: Reader, *, perm: str, field: str, sees_all: bool = True) -> Q:
    """`qs` narrowed to the rows whose region code (`field`, e.g. "place__code") starts with
    the user's prefix; nothing for a user signed out, without `perm` or without a node; all
    rows for the roles that see the whole city (auditors) unless `sees_all` is False (rows
    that are work to act on, not records to read: account requests, import jobs)."""
    actor = acting(user)
    if actor is None or not actor.can(perm):
        return qs.none()
    if sees_all and actor.role in SEES_ALL:
        return qs
    prefix = actor.scope_prefix
    if not prefix:
        return qs.none()
    return qs.filter(**{f"{field}__startswith": prefix})


def audit_entries(user: Reader) -> EntryQuerySet:
    """The audit entries `user` may read, for the holders of the audit permission: those of
    their subtree; every entry, those with no region included, for a reader of the city or
    the province. (The rule lives here rather than on Entry: audit lies below accounts.)"""
    entries: EntryQuerySet = Entry.objects.all()
    actor = acting(user)
    if actor is None or not actor.can(Perm.VIEW_AUDIT):
        return entries.none()
    prefix = actor.scope_prefix
    if not prefix:
        return entries.none()
    if len(prefix) <= PREFIX_LENGTH[Level.CITY]:
        return entries
    return entries.filter(region__startswith=prefix).exclude(region="")


def audit_actors(user: Reader) -> models.QuerySet[Any]:
    """The users whose entries a reader of the log filters by: those of the reader's subtree
    (everyone for a reader of the city or the province), loaded to be named with their
    office (canlian.accounts.display)."""
    from canlian.accounts.display import OFFICE
    from canlian.accounts.models import User

    actor = acting(user)
    prefix = (actor.scope_prefix or "") if actor is not None else ""
    users = User.objects.select_related(OFFICE)
    if not prefix or actor is None or not actor.can(Perm.VIEW_AUDIT):
        return users.none()
    if len(prefix) <= PREFIX_LENGTH[Level.CITY]:
        return users
    return users.filter(place__prefix__startswith=prefix)


def reaches(user: Reader, region: str) -> bool:
    """Whether `user` may read a record of the region `region`: it lies in their jurisdiction,
    or they are a role that sees the whole city (auditors)."""
    return getattr(user, "role", None) in SEES_ALL or covers(user, region)


def covers(user: Reader, region: str) -> bool:
    """Whether the region code `region` lies in `user`'s jurisdiction (for writes: auditors'
    city-wide reading does not count)."""
    prefix: str | None = getattr(user, "scope_prefix", None)
    return bool(prefix) and region.startswith(str(prefix))


def outside_refusal() -> str:
    """The one refusal for a record that lies outside the user's jurisdiction and blocks what
    they asked (an ID number registered elsewhere): it says neither where nor what the record
    is, so that a refusal cannot be used to probe other jurisdictions. The county federation
    above, which sees more, resolves the case."""
    return _(
        "This cannot be done here: the ID number is held by a record outside your "
        "jurisdiction. Refer the case to the county federation."
    )
