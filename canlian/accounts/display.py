"""People and places by name on the pages: a user by full name and office, never by login; a
place by its name, never by code; an audit entry with its action and details in words."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Q
from django.utils.translation import gettext as _

from canlian.accounts.models import User
from canlian.audit import actions
from canlian.audit.models import Entry
from canlian.lib import masks
from canlian.places.models import Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

# What naming a user with their office reads: their place and its parents up to the county.
# Every page that names users loads them with `with_office(relation)` (a join, no query per
# row), so a user is shown the same, name and office, wherever they appear.
OFFICE = "place__parent__parent__parent"


def with_office(relation: str) -> str:
    """The select_related path that loads the user of `relation` ("actor") with the office
    their name is shown with."""
    return f"{relation}__{OFFICE}"


def user_name(user: User | None, *, office: bool = True) -> str:
    """`user` as colleagues know them: full name and office（县残联…）, or the role and office
    when no full name is on file; never the login. `office=False`: without the office."""
    if user is None:
        return _("System")
    name = user.full_name.strip() or (str(user.get_role_display()) if user.role else "")
    name = name or _("Staff member")
    place = user.place if office and user.place_id else None
    where = (place.full_name() or place.name) if place is not None else ""
    return f"{name}（{where}）" if where else name


def actor_name(user: Actor | None, fallback: str = "") -> str:
    """Who did something: a user by full name and office; a command-line operator (no account)
    by the name the command was given (`fallback`, else their name); nobody: `fallback`."""
    if isinstance(user, User):
        return user_name(user)
    return fallback or (user.get_username() if user is not None else "")


def user_names(ids: Iterable[int | None]) -> dict[int, str]:
    """The display name of each user of `ids`, with one query."""
    wanted = {pk for pk in ids if pk is not None}
    users = User.objects.filter(pk__in=wanted).select_related(OFFICE)
    return {user.pk: user_name(user) for user in users}


class PlaceNames:
    """Place names by code or prefix, looked up once per page."""

    def __init__(self) -> None:
        self._names: dict[str, str | None] = {}

    def load(self, codes: Iterable[str]) -> None:
        """Look up all of `codes` (codes or prefixes) with one query."""
        wanted = {code for code in codes if code and code not in self._names}
        if not wanted:
            return
        places = Place.objects.filter(Q(code__in=wanted) | Q(prefix__in=wanted))
        for place in places.select_related("parent__parent__parent"):
            name = place.full_name() or place.name
            for key in (place.code, place.prefix):
                if key in wanted:
                    self._names[key] = name
        for code in wanted:
            self._names.setdefault(code, None)

    def __call__(self, code: str) -> str | None:
        if code not in self._names:
            self.load([code])
        return self._names[code]


def _codes(detail: object, key: str = "") -> Iterator[str]:
    """The place codes of a detail: the digits under a key of actions.PLACE_KEYS, at any depth
    (a before/after holds its own keys)."""
    if isinstance(detail, str):
        if key in actions.PLACE_KEYS and detail.isdigit():
            yield detail
    elif isinstance(detail, list):
        for item in detail:
            yield from _codes(item, key)
    elif isinstance(detail, dict):
        for inner, item in detail.items():
            yield from _codes(item, str(inner))


@dataclass
class EntryView:
    """An audit entry as a page shows it."""

    entry: Entry
    actor: str
    action: str
    details: list[tuple[str, str]] = field(default_factory=list)
    region: str = ""
    # The entry's details as stored, sensitive values masked again with today's masks.
    detail: dict[str, Any] = field(default_factory=dict)
    source: str = ""


def entry_views(entries: Iterable[Entry], places: PlaceNames | None = None) -> list[EntryView]:
    """`entries` with their user, action, details and area in words (`places`: the page's
    place names, looked up here in one query for all the codes the entries hold). Details
    are shown as they may be: sensitive values masked again with today's masks (an entry
    recorded before a mask changed keeps what it recorded)."""
    entries = list(entries)
    details = {e.pk: cast(dict[str, Any], masks.recorded("", e.detail or {})) for e in entries}
    names = user_names(entry.actor_id for entry in entries)
    places = places if places is not None else PlaceNames()
    places.load(code for entry in entries for code in (entry.region, *_codes(details[entry.pk])))
    views = []
    for entry in entries:
        detail = details[entry.pk]
        if entry.actor_id is not None:
            actor = names.get(entry.actor_id, _("Former user"))
        else:
            actor = _("System")
        views.append(
            EntryView(
                entry=entry,
                actor=actor,
                action=actions.action_name(entry.action),
                details=actions.detail_items(entry.action, detail, place_name=places),
                region=(places(entry.region) or "") if entry.region else "",
                source=actions.source_name(entry.source),
                detail=detail,
            )
        )
    return views
