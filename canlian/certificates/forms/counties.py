"""The county choice of the tour and supervision forms: the counties of the user's
jurisdiction."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from canlian.accounts.choices import jurisdiction_choices, places_in_scope
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


def counties_for(user: Actor) -> list[Place]:
    """The counties in the user's jurisdiction."""
    return list(places_in_scope(user, levels={Level.COUNTY}))


def county_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("County"))


def set_counties(form: forms.Form, user: Actor) -> None:
    cast(forms.ChoiceField, form.fields["county"]).choices = [
        ("", _("Choose…")),
        *jurisdiction_choices(user, levels={Level.COUNTY}),
    ]
