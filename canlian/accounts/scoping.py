"""The one scoping rule of every read path: a row is visible when its region code lies in the
user's subtree and the user holds the view permission. Deny by default."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from canlian.accounts.roles import SEES_ALL, Perm
from canlian.audit.models import Entry, EntryQuerySet
from canlian.places.models import PREFIX_LENGTH, Level

Q = TypeVar("Q", bound=models.QuerySet[Any])


def scoped(qs: Q, user: Any, *, perm: str, field: str) -> Q:
    """`qs` narrowed to the rows whose region code (`field`, e.g. "place__code") starts with
    the user's prefix; nothing for a user signed out, without `perm` or without a node; all
    rows for the roles that see the whole city (auditors)."""
    if not getattr(user, "is_authenticated", False) or not user.can(perm):
        return qs.none()
    if user.role in SEES_ALL:
        return qs
    prefix = user.scope_prefix
    if not prefix:
        return qs.none()
    return qs.filter(**{f"{field}__startswith": prefix})


def audit_entries(user: Any) -> EntryQuerySet:
    """The audit entries `user` may read, for the holders of the audit permission: those of
    their subtree; every entry, those with no region included, for a reader of the city or
    the province. (The rule lives here rather than on Entry: audit lies below accounts.)"""
    entries: EntryQuerySet = Entry.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.VIEW_AUDIT):
        return entries.none()
    prefix = user.scope_prefix
    if not prefix:
        return entries.none()
    if len(prefix) <= PREFIX_LENGTH[Level.CITY]:
        return entries
    return entries.filter(region__startswith=prefix).exclude(region="")


def reaches(user: Any, region: str) -> bool:
    """Whether `user` may read a record of the region `region`: it lies in their jurisdiction,
    or they are a role that sees the whole city (auditors)."""
    return getattr(user, "role", None) in SEES_ALL or covers(user, region)


def covers(user: Any, region: str) -> bool:
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
