"""Present a person's audit entries as readable rows: field labels and choice names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from canlian.audit.models import Entry
from canlian.lib import masks
from canlian.people.models import Person


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


def display_of(field_name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    shown = masks.recorded(field_name, value)
    if shown != value:  # a sensitive value recorded before its mask changed
        return str(shown)
    field = _field(field_name)
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    return str(choices.get(value, value))


def label_of(field_name: str) -> str:
    field = _field(LEGACY_SEALED.get(field_name, field_name))
    return str(field.verbose_name) if field is not None else field_name


def changes_of(entry: Entry) -> list[Change]:
    """The field changes an entry records: an update's pairs, or a creation's values."""
    detail = entry.detail or {}
    if "changes" in detail:
        pairs = detail["changes"].items()
        return [Change(label_of(k), display_of(k, b), display_of(k, a)) for k, (b, a) in pairs]
    if "after" in detail:
        return [Change(label_of(k), "", display_of(k, v)) for k, v in detail["after"].items() if v]
    return []
