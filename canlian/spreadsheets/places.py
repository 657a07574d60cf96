"""Find the place of household registration a row names: by code, or by township (and village)
name, with the county name when a township name exists in more than one county.

What the row leaves out is taken from the user's jurisdiction (`home`): the county of a county
clerk or a township officer when the county cell is empty or the file has no such column, and
a township officer's own township when the township cell is empty. Every name that matches no
place is reported on its own column: the county, the township and the village."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from canlian.places.models import Level, Place
from canlian.spreadsheets.values import fold

# A place problem of a row: (column key, reason).
Problem = tuple[str, str]


class PlaceResolver:
    """All places read once per import; each row is then resolved without a query."""

    def __init__(self, home: Place | None = None) -> None:
        places = list(Place.objects.all())
        # The user's county (code prefix) and township, when the user's jurisdiction is
        # within one: what a row that leaves them out means.
        self.home_county = home.code[:6] if home and home.level >= Level.COUNTY else ""
        self.home_township: Place | None = None
        if home and home.level == Level.TOWNSHIP:
            self.home_township = home
        elif home and home.level == Level.VILLAGE:
            self.home_township = home.parent
        self.by_code: dict[str, Place] = {p.code: p for p in places}
        self.counties: dict[str, Place] = {p.code[:6]: p for p in places if p.level == Level.COUNTY}
        self.county_names = {fold(p.name) for p in self.counties.values()}
        self.townships: dict[str, list[Place]] = {}
        self.villages: dict[tuple[str, str], Place] = {}
        for place in places:
            if place.level == Level.TOWNSHIP:
                self.townships.setdefault(fold(place.name), []).append(place)
            elif place.level == Level.VILLAGE and place.parent_id:
                self.villages[(str(place.parent_id), fold(place.name))] = place
        self.village_names = {fold(p.name) for p in places if p.level == Level.VILLAGE}
        self._memo: dict[tuple[Any, ...], tuple[str, list[Problem]]] = {}

    def resolve(self, values: dict[str, Any], *, fallback: str) -> tuple[str, list[Problem]]:
        """(place code, []) or ("", every place problem of the row as (column key, reason)).
        With no place given in the row, `fallback` (the person's current place) is kept, or
        for a new person the township officer's own township taken."""
        key = (
            values.get("place_code"), values.get("township"), values.get("village"),
            values.get("county"),
        )  # fmt: skip
        if not any(key):
            if not fallback and self.home_township is not None:
                return self.home_township.code, []  # a township officer's new person
            return fallback, []
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._resolve(values)
        return found

    def _resolve(self, values: dict[str, Any]) -> tuple[str, list[Problem]]:
        code = fold(values.get("place_code") or "")
        if code:
            if code not in self.by_code:
                return "", [("place_code", _("No place has this code."))]
            return code, []
        problems: list[Problem] = []
        county_name = fold(values.get("county") or "")
        county_known = not county_name or county_name in self.county_names
        if not county_known:
            problems.append(("county", _("No county, county-level city or district of this name.")))
        candidates = self._townships(values, county_name if county_known else "", problems)
        village_name = fold(values.get("village") or "")
        if village_name and not self._has_village(candidates, village_name):
            problems.append(("village", self._no_village(candidates)))
        if problems:
            return "", problems
        township = candidates[0]
        if not village_name:
            return township.code, []
        return self.villages[(township.code, village_name)].code, []

    def _townships(
        self, values: dict[str, Any], county_name: str, problems: list[Problem]
    ) -> list[Place]:
        """The townships the row may mean (one when it is clear), its problems added to
        `problems`; `county_name` is a known county's, or "" when none (or no known one) is
        given."""
        township_name = fold(values.get("township") or "")
        if not township_name:
            if self.home_township is None:
                problems.append(("township", _("Fill in the township (or the place code).")))
                return []
            candidates = [self.home_township]
        else:
            candidates = self.townships.get(township_name, [])
        if county_name:
            candidates = [t for t in candidates if fold(self._county_name(t)) == county_name]
        elif self.home_county:
            # The user's own county's township; another county's (the only one of the name) is
            # kept, for the jurisdiction check to refuse it with its reason.
            candidates = [t for t in candidates if t.code[:6] == self.home_county] or candidates
        if not candidates:
            problems.append(("township", _("No township or street of this name.")))
        elif len(candidates) > 1 and not any(key == "county" for key, _reason in problems):
            # An unknown county already says what to fix.
            problems.append(
                (
                    "township",
                    _(
                        "Townships of this name exist in several counties: fill in the "
                        "county column."
                    ),
                )
            )
        return candidates

    def _has_village(self, townships: list[Place], name: str) -> bool:
        """Whether a village `name` is in one of `townships`, or, when the township is not
        known, anywhere."""
        if not townships:
            return name in self.village_names
        return any((t.code, name) in self.villages for t in townships)

    @staticmethod
    def _no_village(townships: list[Place]) -> str:
        if not townships:
            return _("No village or community of this name.")
        return _("No village or community of this name in this township.")

    def _county_name(self, township: Place) -> str:
        county = self.counties.get(township.code[:6])
        return county.name if county else ""
