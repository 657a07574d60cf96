"""The county choice of the tour and supervision forms: the counties of the user's
jurisdiction."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


def counties_for(user: Actor) -> list[Place]:
    """The counties in the user's jurisdiction."""
    prefix = user.scope_prefix or "-"
    return list(Place.objects.filter(level=Level.COUNTY, code__startswith=prefix))


def county_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("County"))


def set_counties(form: forms.Form, user: Actor) -> None:
    cast(forms.ChoiceField, form.fields["county"]).choices = [
        ("", _("Choose…")),
        *((c.code, c.name) for c in counties_for(user)),
    ]
