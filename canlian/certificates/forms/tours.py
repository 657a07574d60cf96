"""Forms of the tour pages: planning a tour, registering an applicant on the spot, and the
two batch steps; the rules live in certificates/tours.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from canlian.accounts.choices import place_choices
from canlian.certificates.forms.applications import FirstApplicationForm
from canlian.certificates.forms.counties import county_field, set_counties
from canlian.certificates.models import Institution, Tour
from canlian.lib.forms import Form, date_field
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User


class CountyForm(Form):
    """The first step of planning a tour where the user's jurisdiction has several counties."""

    county = county_field()

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_counties(self, user)


class _VillageChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        place = cast(Place, obj)
        if place.level == Level.VILLAGE and place.parent is not None:
            return f"{place.parent.name} · {place.name}"
        return place.name


class TourForm(Form):
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

    def __init__(self, *args: Any, tour: Tour, user: User, **kwargs: Any) -> None:
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


class BookAllForm(Form):
    booked_for = date_field(_("Assessment date"))


class PublishAllForm(Form):
    starts_on = date_field(_("Publicity posted on"))
    location = forms.CharField(
        label=_("Posted at"),
        max_length=100,
        help_text=_("For example: each village committee's notice board"),
    )
