"""Find the place of household registration a row names: by code, or by township (and village)
name, with the county name when a township name exists in more than one county."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from canlian.places.models import Level, Place
from canlian.spreadsheets.values import fold


class PlaceResolver:
    """All places read once per import; each row is then resolved without a query."""

    def __init__(self) -> None:
        places = list(Place.objects.all())
        self.by_code: dict[str, Place] = {p.code: p for p in places}
        self.counties: dict[str, Place] = {p.code[:6]: p for p in places if p.level == Level.COUNTY}
        self.townships: dict[str, list[Place]] = {}
        self.villages: dict[tuple[str, str], Place] = {}
        for place in places:
            if place.level == Level.TOWNSHIP:
                self.townships.setdefault(fold(place.name), []).append(place)
            elif place.level == Level.VILLAGE and place.parent_id:
                self.villages[(str(place.parent_id), fold(place.name))] = place
        self._memo: dict[tuple[Any, ...], tuple[str, tuple[str, str]]] = {}

    def resolve(self, values: dict[str, Any], *, fallback: str) -> tuple[str, tuple[str, str]]:
        """(place code, ("", "")) or ("", (column key, reason)). With no place given in the
        row, `fallback` (the person's current place) is kept."""
        key = (
            values.get("place_code"), values.get("township"), values.get("village"),
            values.get("county"),
        )  # fmt: skip
        if not any(key):
            return fallback, ("", "")
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._resolve(values)
        return found

    def _resolve(self, values: dict[str, Any]) -> tuple[str, tuple[str, str]]:
        code = fold(values.get("place_code") or "")
        if code:
            if code not in self.by_code:
                return "", ("place_code", _("No place has this code."))
            return code, ("", "")
        township_name = fold(values.get("township") or "")
        if not township_name:
            return "", ("township", _("Fill in the township (or the place code)."))
        candidates = self.townships.get(township_name, [])
        county_name = fold(values.get("county") or "")
        if county_name:
            candidates = [t for t in candidates if fold(self._county_name(t)) == county_name]
        if not candidates:
            return "", ("township", _("No township or street of this name."))
        if len(candidates) > 1:
            return "", (
                "township",
                _("Townships of this name exist in several counties: fill in the county column."),
            )
        township = candidates[0]
        village_name = fold(values.get("village") or "")
        if not village_name:
            return township.code, ("", "")
        village = self.villages.get((township.code, village_name))
        if village is None:
            return "", ("village", _("No village or community of this name in this township."))
        return village.code, ("", "")

    def _county_name(self, township: Place) -> str:
        county = self.counties.get(township.code[:6])
        return county.name if county else ""
