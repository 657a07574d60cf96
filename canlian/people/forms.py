"""Forms for the registry pages: parse and label input; the rules live in services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from canlian.accounts.choices import place_choices, places_in_scope
from canlian.lib.forms import FilterForm, Form, add_rule_errors, date_field
from canlian.people.ethnicity import Ethnicity
from canlian.people.models import Category, Grade, LifeStatus, Person, Sex, StatusKind
from canlian.people.rules import validate
from canlian.people.selectors import (
    TOWNSHIP_PREFIX_LENGTH,
    PersonFilters,
    search_area,
    split_tail,
    tail_search_problem,
)
from canlian.people.services import SEALED_INPUTS, PersonData
from canlian.places.models import Level

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


class PersonForm(Form):
    id_number = forms.CharField(
        label=_("Citizen ID number"),
        max_length=40,
        help_text=_("18 characters; a 15-digit old number is upgraded automatically"),
        widget=forms.TextInput(
            attrs={"data-width": "20", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    name = forms.CharField(
        label=_("Name"), max_length=64, widget=forms.TextInput(attrs={"data-width": "10"})
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("", _("Take from the ID number")), *Sex.choices],
        required=False,
        help_text=_("Checked against the ID number"),
    )
    birth_date = date_field(
        _("Date of birth"),
        required=False,
        help_text=_("Checked against the ID number, for example 1990-03-15"),
    )
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), choices=Ethnicity.choices, initial=Ethnicity.HAN
    )
    place_code = forms.ChoiceField(label=_("Township or village of household registration"))
    address = forms.CharField(label=_("Household address"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "20", "type": "tel", "autocomplete": "off"}),
    )
    guardian_name = forms.CharField(
        label=_("Guardian's name"),
        max_length=64,
        required=False,
        help_text=_("Required for minors and for intellectual or mental disability"),
        widget=forms.TextInput(attrs={"data-width": "10"}),
    )
    guardian_relation = forms.CharField(
        label=_("Guardian's relation"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "10"}),
    )
    guardian_phone = forms.CharField(
        label=_("Guardian's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "20", "type": "tel"}),
    )
    category = forms.TypedChoiceField(
        label=_("Disability category"), choices=Category.choices, coerce=int
    )
    grade = forms.TypedChoiceField(
        label=_("Disability grade"),
        choices=Grade.choices,
        coerce=int,
        help_text=_("Grade 1 is the most severe"),
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        required=False,
        help_text=_(
            "20 characters: the ID number, the category digit and the grade digit. "
            "Left empty, it is derived."
        ),
        widget=forms.TextInput(
            attrs={"data-width": "20", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    certificate_issued_on = date_field(_("Certificate issued on"))
    certificate_expires_on = date_field(
        _("Certificate expires on"),
        required=False,
        help_text=_("Left empty, ten years after issue"),
    )
    life_status = forms.ChoiceField(
        label=_("Life status"), choices=LifeStatus.choices, initial=LifeStatus.ACTIVE
    )
    life_status_date = date_field(
        _("Date of status change"),
        required=False,
        help_text=_("Required unless the status is active"),
    )
    bank_name = forms.CharField(
        label=_("Bank"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "20"}),
    )
    bank_account = forms.CharField(
        label=_("Bank account number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"data-width": "20", "autocomplete": "off", "inputmode": "numeric"}
        ),
    )

    def __init__(
        self, *args: Any, user: Actor, person: Person | None = None, **kwargs: Any
    ) -> None:
        """`person`: the person edited. Their sealed values are shown masked (editing reveals
        nothing); a mask sent back as it was keeps the stored value."""
        self.person = person
        self.user = user
        if person is not None:
            kwargs["initial"] = {**edit_initial(person), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["place_code"]).choices = [
            ("", _("Choose…")),
            *place_choices(user),
        ]
        if person is not None:
            for name in SEALED_INPUTS:
                self.fields[name].help_text = KEPT_HINT
            self.fields["id_number"].required = False
            # Derived from the ID number, the category and the grade; not typed on its own,
            # which would let a form test a number against the one on record.
            self.fields["certificate_number"].disabled = True
            self.fields["certificate_number"].help_text = _(
                "The ID number followed by the category and grade digits, shown masked."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            self._rules_on_what_was_given()
        return data

    def _rules_on_what_was_given(self) -> None:
        """With some fields missing or malformed the service is not called; its rules still
        run on the fields that were given, so that a wrong check digit is reported with the
        empty fields, in one round. A rule's message goes only on a field that was given and
        has no problem of its own (the registry is not searched for the number here: that
        look-up is counted, and made once the form is complete)."""
        given = self.cleaned_data
        d = {name: given.get(name) for name in self.fields}
        data = PersonData(
            id_number=self._sealed("id_number") if "id_number" in given else None,
            name=d["name"] or "", sex=d["sex"] or "", birth_date=d["birth_date"],
            ethnicity=d["ethnicity"] or Ethnicity.HAN, place_code=d["place_code"] or "",
            address=d["address"] or "",
            phone=self._sealed("phone") if "phone" in given else None,
            guardian_name=d["guardian_name"] or "", guardian_relation=d["guardian_relation"] or "",
            guardian_phone=self._sealed("guardian_phone") if "guardian_phone" in given else None,
            category=d["category"] or 0, grade=d["grade"] or 0,
            certificate_number="" if self.person is not None else d["certificate_number"] or "",
            certificate_issued_on=d["certificate_issued_on"],
            certificate_expires_on=d["certificate_expires_on"],
            life_status=d["life_status"] or LifeStatus.ACTIVE,
            life_status_date=d["life_status_date"], bank_name=d["bank_name"] or "",
            bank_account=self._sealed("bank_account") if "bank_account" in given else None,
        )  # fmt: skip
        try:
            validate(
                data, acting_user=self.user, today=timezone.localdate(), existing=self.person,
                check_duplicate=False,
            )  # fmt: skip
        except ValidationError as exc:
            add_rule_errors(self, exc.message_dict)
        except (TypeError, ValueError, AttributeError, AssertionError):
            # A rule that needs a missing value: the service reports it once the form is whole.
            pass

    def _sealed(self, name: str) -> str | None:
        """The value to give the service: None (keep the stored one) when the edit form's
        mask comes back unchanged, or empty for the ID number, which cannot be removed."""
        value: str = self.cleaned_data[name]
        if self.person is None:
            return value
        if value.strip() == self.initial.get(name, "") or (name == "id_number" and not value):
            return None
        return value

    def to_data(self) -> PersonData:
        d = self.cleaned_data
        sealed = self._sealed
        certificate_number = "" if self.person is not None else d["certificate_number"]
        return PersonData(
            id_number=sealed("id_number"), name=d["name"], sex=d["sex"],
            birth_date=d["birth_date"], ethnicity=d["ethnicity"], place_code=d["place_code"],
            address=d["address"], phone=sealed("phone"), guardian_name=d["guardian_name"],
            guardian_relation=d["guardian_relation"], guardian_phone=sealed("guardian_phone"),
            category=d["category"], grade=d["grade"], certificate_number=certificate_number,
            certificate_issued_on=d["certificate_issued_on"],
            certificate_expires_on=d["certificate_expires_on"], life_status=d["life_status"],
            life_status_date=d["life_status_date"], bank_name=d["bank_name"],
            bank_account=sealed("bank_account"),
        )  # fmt: skip


KEPT_HINT = _(
    "Shown masked. Leave it as it is to keep the number on record, or type the whole new number."
)


def edit_initial(person: Person) -> dict[str, Any]:
    """The edit form's values: the record as stored, sealed values as their masks."""
    return {
        "id_number": person.id_number_masked,
        "certificate_number": person.certificate_number_masked,
        "name": person.name, "sex": person.sex, "birth_date": person.birth_date,
        "ethnicity": person.ethnicity, "place_code": person.place_id, "address": person.address,
        "phone": person.phone_masked, "guardian_name": person.guardian_name,
        "guardian_relation": person.guardian_relation,
        "guardian_phone": person.guardian_phone_masked,
        "category": person.category, "grade": person.grade,
        "certificate_issued_on": person.certificate_issued_on,
        "certificate_expires_on": person.certificate_expires_on,
        "life_status": person.life_status, "life_status_date": person.life_status_date,
        "bank_name": person.bank_name, "bank_account": person.bank_account_masked,
    }  # fmt: skip


class PersonFilterForm(FilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        help_text=_(
            "Exact ID or certificate number, the start of a name, or pinyin initials (zs for "
            "张三); or the last 4 to 6 characters of the ID number with a name or an area "
            "(张三 12345X)"
        ),
    )
    place = forms.ChoiceField(label=_("Area"), required=False)
    category = forms.TypedChoiceField(
        label=_("Category"),
        choices=[("", _("All")), *Category.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        choices=[("", _("All")), *Grade.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    life_status = forms.ChoiceField(
        label=_("Life status"), choices=[("", _("All")), *LifeStatus.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Current socio-economic status"),
        choices=[("", _("Any")), *StatusKind.choices],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[
            ("-updated", _("Recently changed")), ("name", _("Name (A to Z)")),
            ("-name", _("Name (Z to A)")), ("birth_date", _("Oldest first")),
            ("-birth_date", _("Youngest first")), ("category", _("Category")),
            ("grade", _("Grade")),
        ],
    )  # fmt: skip

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ChoiceField, self.fields["place"]).choices = [
            ("", _("All areas")),
            *area_choices(user),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tail, rest = split_tail(cleaned.get("q") or "")
        place = search_area(cleaned.get("place") or "", self.user)
        if tail and (problem := tail_search_problem(tail, rest, place)):
            self.add_error("q", problem)
        return cleaned

    def to_filters(self) -> PersonFilters:
        # Invalid fields are left out of cleaned_data: they filter nothing, and the page
        # shows their errors. Callers that must not widen a result check is_valid() first.
        d: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the fields that passed
            d = self.cleaned_data
        # A search refused (the last characters of a number alone, a control character)
        # finds no one rather than everyone.
        refused = self.is_bound and "q" in self.errors
        return PersonFilters(
            q=d.get("q") or "", refused=refused, place=d.get("place") or "",
            category=d.get("category"), grade=d.get("grade"),
            life_status=d.get("life_status") or "", status=d.get("status") or "",
            sort=d.get("sort") or "-updated",
        )  # fmt: skip


def area_choices(user: Actor) -> list[tuple[str, str]]:
    """The counties and townships below the user's own node, each township under its county
    ("— 测试一镇"), by code: what accounts.choices.jurisdiction_choices gives with
    indented(Level.COUNTY), read as three columns rather than as a hundred places with their
    parents (it was two thirds of the filter form's time). A township officer, who has no
    county or township below, gets the township's villages."""
    own = user.scope_prefix or ""
    below = {Level.COUNTY, Level.TOWNSHIP}
    levels = {Level.VILLAGE} if len(own) >= TOWNSHIP_PREFIX_LENGTH else below
    places = places_in_scope(user, levels=levels).exclude(prefix=own)
    return [
        (prefix, name if level <= Level.COUNTY or level == Level.VILLAGE else f"— {name}")
        for prefix, name, level in places.values_list("prefix", "name", "level")
    ]


class StatusPeriodForm(Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("socio-economic", "Status"), choices=StatusKind.choices
    )
    start = date_field(_("From"))
    end = date_field(_("Until"), required=False, help_text=_("Leave empty while the status holds"))
