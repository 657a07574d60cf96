"""The form of the institution pages; the rules live in certificates/institutions.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from canlian.lib.forms import Form
from canlian.people.models import Category
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


class InstitutionForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    place = forms.ChoiceField(
        label=_("Designated for"), help_text=_("The province, city or county it serves")
    )
    categories = forms.TypedMultipleChoiceField(
        label=_("Categories assessed"),
        choices=Category.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    home_visits = forms.BooleanField(label=_("Assesses at home"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    active = forms.BooleanField(
        label=_("Designated now"),
        required=False,
        initial=True,
        help_text=_("Untick when the designation ends; past assessments keep the institution"),
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefix = user.scope_prefix or "-"
        places = Place.objects.filter(
            code__startswith=prefix, level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY]
        ).order_by("code")
        cast(forms.ChoiceField, self.fields["place"]).choices = [
            ("", _("Choose…")),
            *((p.code, p.name if p.level < Level.COUNTY else f"— {p.name}") for p in places),
        ]

    def chosen_place(self) -> Place | None:
        return Place.objects.filter(code=self.cleaned_data["place"]).first()
