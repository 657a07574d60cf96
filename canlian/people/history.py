"""Present a person's audit entries as readable rows: field labels and choice names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from canlian.audit.models import Entry
from canlian.lib import masks
from canlian.people.models import Person
from canlian.places.models import Place


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _field(field_name: str) -> models.Field[Any, Any] | None:
    try:
        field = Person._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


# Entries written before phone numbers were sealed name them by their old plain fields: shown
# masked, under the sealed field's label.
LEGACY_SEALED = {"phone": "phone_masked", "guardian_phone": "guardian_phone_masked"}


def display_of(field_name: str, value: Any, place_name: Callable[[str], str | None]) -> str:
    """A recorded value in words; a place by `place_name` (one accounts.display.PlaceNames per
    page or run, so that each place is looked up once)."""
    if value in (None, ""):
        return "—"
    shown = masks.recorded(field_name, value)
    if shown != value:  # a sensitive value recorded before its mask changed
        return str(shown)
    field = _field(field_name)
    if field is not None and field.is_relation and field.related_model is Place:
        return place_name(str(value)) or str(value)
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    return str(choices.get(value, value))


def label_of(field_name: str) -> str:
    field = _field(LEGACY_SEALED.get(field_name, field_name))
    return str(field.verbose_name) if field is not None else field_name


def changes_of(entry: Entry, place_name: Callable[[str], str | None]) -> list[Change]:
    """The field changes an entry records: an update's pairs, or a creation's values."""
    detail = entry.detail or {}

    def shown(field_name: str, value: Any) -> str:
        return display_of(field_name, value, place_name)

    if "changes" in detail:
        pairs = detail["changes"].items()
        return [Change(label_of(k), shown(k, b), shown(k, a)) for k, (b, a) in pairs]
    if "after" in detail:
        return [Change(label_of(k), "", shown(k, v)) for k, v in detail["after"].items() if v]
    return []
