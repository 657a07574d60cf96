"""Forms of the tour, supervision and institution pages: parse and label input; the rules
live in tours.py, supervision.py and institutions.py."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from canlian.accounts.choices import indented, jurisdiction_choices, place_choices
from canlian.certificates.forms import FirstApplicationForm
from canlian.certificates.models import CheckResult, Institution, Tour
from canlian.certificates.supervision import MAX_SEED_LENGTH
from canlian.lib.forms import date_field
from canlian.people.models import Category
from canlian.places.models import Level, Place


def _county_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("County"))


def _set_counties(form: forms.Form, user: Any) -> None:
    cast(forms.ChoiceField, form.fields["county"]).choices = [
        ("", _("Choose…")),
        *jurisdiction_choices(user, levels={Level.COUNTY}),
    ]


def random_seed() -> str:
    """A fresh seed to prefill: eight digits, easy to read out and to write in a report."""
    return f"{secrets.randbelow(10**8):08d}"


# ---------------------------------------------------------------------------------------------
# Tours


class CountyForm(forms.Form):
    """The first step of planning a tour where the user's jurisdiction has several counties."""

    county = _county_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_counties(self, user)


class _VillageChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        place = cast(Place, obj)
        if place.level == Level.VILLAGE and place.parent is not None:
            return f"{place.parent.name} · {place.name}"
        return place.name


class TourForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the tour"),
        max_length=100,
        help_text=_("For example: 2025 spring tour, northern townships"),
    )
    starts_on = date_field(_("First day"))
    ends_on = date_field(_("Last day"))
    institution = forms.ModelChoiceField(
        label=_("Assessment institution"),
        queryset=Institution.objects.none(),
        empty_label=_("Choose…"),
        help_text=_("Designated for this county or its city"),
    )
    team = forms.CharField(
        label=_("Team"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The staff and doctors who go, one a line"),
    )
    villages = _VillageChoice(
        label=_("Townships and villages visited"),
        queryset=Place.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, county: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institution = cast(forms.ModelChoiceField, self.fields["institution"])  # type: ignore[type-arg]
        institution.queryset = Institution.objects.filter(
            active=True, place_id__in=[county.code, county.parent_id]
        )
        villages = cast(_VillageChoice, self.fields["villages"])
        villages.queryset = (
            Place.objects.filter(
                code__startswith=county.prefix, level__in=[Level.TOWNSHIP, Level.VILLAGE]
            )
            .select_related("parent")
            .order_by("code")
        )


class TourApplicantForm(FirstApplicationForm):
    """A first application taken on a tour: the household must be in the tour's county."""

    def __init__(self, *args: Any, tour: Tour, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("received_on", _default_day(tour))
        super().__init__(*args, user=user, **kwargs)
        prefix = tour.county.prefix
        cast(forms.ChoiceField, self.fields["place_code"]).choices = [
            ("", _("Choose…")),
            *(
                (county, options)
                for county, options in place_choices(user)
                if options and options[0][0].startswith(prefix)
            ),
        ]


def _default_day(tour: Tour) -> Any:
    today = timezone.localdate()
    return today if tour.starts_on <= today <= tour.ends_on else None


class BookAllForm(forms.Form):
    booked_for = date_field(_("Assessment date"))


class PublishAllForm(forms.Form):
    starts_on = date_field(_("Publicity posted on"))
    location = forms.CharField(
        label=_("Posted at"),
        max_length=100,
        help_text=_("For example: each village committee's notice board"),
    )


# ---------------------------------------------------------------------------------------------
# Supervision


class SupervisionForm(forms.Form):
    county = _county_field()
    period_start = date_field(_("Certificates issued from"))
    period_end = date_field(_("Certificates issued until"))
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        max_value=10_000,
        initial=20,
        help_text=_("Capped at the number of certificates in the period"),
        widget=forms.NumberInput(attrs={"data-width": "4"}),
        error_messages={"min_value": _("The sample needs at least one certificate.")},
    )
    seed = forms.CharField(
        label=_("Random seed"),
        max_length=MAX_SEED_LENGTH,
        help_text=_(
            "Drawn at random for you. Note it in the report: the same seed on the same "
            "certificates draws the same sample."
        ),
        widget=forms.TextInput(
            attrs={"data-width": "10", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("seed", random_seed())
        super().__init__(*args, **kwargs)
        _set_counties(self, user)


class CheckResultForm(forms.Form):
    prefix = "result"

    result = forms.ChoiceField(
        label=_("Result of the check"),
        choices=[
            (CheckResult.CONSISTENT, CheckResult.CONSISTENT.label),
            (CheckResult.DISCREPANCY, CheckResult.DISCREPANCY.label),
        ],
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(
        label=_("Finding"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a discrepancy: what differs from the certificate"),
    )
    checked_on = date_field(_("Checked on"))


class ResolveForm(forms.Form):
    prefix = "resolve"

    follow_up = forms.CharField(
        label=_("Follow-up"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done to put the discrepancy right"),
    )
    resolved_on = date_field(_("Resolved on"))


# ---------------------------------------------------------------------------------------------
# Institutions


class InstitutionForm(forms.Form):
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

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = jurisdiction_choices(
            user, levels={Level.PROVINCE, Level.CITY, Level.COUNTY}, label=indented(Level.CITY)
        )
        cast(forms.ChoiceField, self.fields["place"]).choices = [("", _("Choose…")), *places]

    def chosen_place(self) -> Place | None:
        return Place.objects.filter(code=self.cleaned_data["place"]).first()
