"""Forms of the application pages (the window, each step, objections, cancellation, the
search): parse and label input; the rules live in services."""

from __future__ import annotations

import decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from canlian.accounts.choices import place_choices
from canlian.certificates import grading, services
from canlian.certificates.impairments import IMPAIRMENTS, NO_IMPAIRMENT
from canlian.certificates.models import (
    Application,
    AppliedBy,
    CancelReason,
    Document,
    Institution,
    Kind,
    ObjectionOutcome,
    ReplacementReason,
    Status,
)
from canlian.certificates.services import Applicant
from canlian.lib.forms import FilterForm, Form, add_rule_errors, date_field
from canlian.people.ethnicity import Ethnicity
from canlian.people.models import Category, Grade
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.people.models import Person

NOT_MET = "none"
GRADE_OR_NONE = [("", _("Choose…")), *Grade.choices, (NOT_MET, _("Does not meet the standard"))]


def _grade_or_none(value: str) -> int | None:
    return None if value in ("", NOT_MET) else int(value)


def _short(label: Any, max_length: int, *, required: bool = True, width: str = "20") -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"data-width": width}),
    )


def _documents_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Documents provided"),
        choices=Document.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick each document the applicant has handed in. An applicant under 16 may prove "
            "identity with the household registration book instead of the ID card"
        ),
    )


class _Received(Form):
    required_when = frozenset({"proxy_name"})  # when brought by a proxy

    applied_by = forms.ChoiceField(
        label=_("Brought by"), choices=AppliedBy.choices, widget=forms.RadioSelect
    )
    proxy_name = forms.CharField(
        label=_("Proxy's name"),
        max_length=64,
        required=False,
        help_text=_("Only when the application is made by proxy"),
        widget=forms.TextInput(attrs={"data-width": "10"}),
    )
    documents = _documents_field()
    received_on = date_field(_("Received on"))

    kind: str
    user: Actor
    person: Person | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            self._rules_on_what_was_given()
        return data

    def _rules_on_what_was_given(self) -> None:
        """With some fields missing or malformed the application is not submitted; the
        window's rules still run on the fields that were given, so that missing documents
        or a wrong ID number are reported with the empty fields, in one round."""
        d = self.cleaned_data
        found = services.application_problems(
            kind=self.kind, acting_user=self.user, received_on=d.get("received_on"),
            applied_by=d.get("applied_by") or "", documents=d.get("documents") or [],
            proxy_name=d.get("proxy_name") or "", category=d.get("category"),
            applicant=self.given_applicant(), person=self.person,
            needs_assessment=bool(d.get("needs_assessment")),
            target_place_code=d.get("target_place_code") or "", reason=d.get("reason") or "",
            replacement_reason=d.get("replacement_reason") or "",
        )  # fmt: skip
        add_rule_errors(self, found, aliases=FIELD_ALIASES)

    def given_applicant(self) -> Applicant | None:
        return None


# Where a service names a field the forms call otherwise (the window's forms and the views'
# service_errors).
FIELD_ALIASES = {"place_code": "target_place_code", "target_place": "target_place_code"}


class FirstApplicationForm(_Received):
    id_number = forms.CharField(
        label=_("Citizen ID number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"data-width": "20", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    name = _short(_("Name"), 64, width="10")
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), choices=Ethnicity.choices, initial=Ethnicity.HAN
    )
    place_code = forms.ChoiceField(label=_("Township or village of household registration"))
    address = forms.CharField(label=_("Household address"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "20", "type": "tel"}),
    )
    guardian_name = _short(_("Guardian's name"), 64, required=False, width="10")
    guardian_relation = _short(_("Guardian's relation"), 32, required=False, width="10")
    guardian_phone = forms.CharField(
        label=_("Guardian's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "20", "type": "tel"}),
    )
    category = forms.TypedChoiceField(
        label=_("Category of disability applied for"),
        choices=[("", _("Choose…")), *Category.choices],
        coerce=int,
    )

    field_order = [
        "id_number", "name", "ethnicity", "place_code", "address", "phone", "guardian_name",
        "guardian_relation", "guardian_phone", "category", "applied_by", "proxy_name",
        "documents", "received_on",
    ]  # fmt: skip

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.user = Kind.FIRST, user
        cast(forms.ChoiceField, self.fields["place_code"]).choices = [
            ("", _("Choose…")),
            *place_choices(user),
        ]

    def applicant(self) -> Applicant:
        d = self.cleaned_data
        return Applicant(
            id_number=d["id_number"], name=d["name"], ethnicity=d["ethnicity"],
            place_code=d["place_code"], address=d["address"], phone=d["phone"],
            guardian_name=d["guardian_name"], guardian_relation=d["guardian_relation"],
            guardian_phone=d["guardian_phone"],
        )  # fmt: skip

    def given_applicant(self) -> Applicant:
        """The particulars as far as they were given (empty where not)."""
        d = self.cleaned_data
        return Applicant(
            id_number=d.get("id_number") or "", name=d.get("name") or "",
            ethnicity=d.get("ethnicity") or "", place_code=d.get("place_code") or "",
            address=d.get("address") or "", phone=d.get("phone") or "",
            guardian_name=d.get("guardian_name") or "",
            guardian_relation=d.get("guardian_relation") or "",
            guardian_phone=d.get("guardian_phone") or "",
        )  # fmt: skip


class HolderApplicationForm(_Received):
    """Renewal, change, replacement or transfer for a current holder."""

    needs_assessment = forms.BooleanField(
        label=_("The renewal needs a new assessment"),
        required=False,
        help_text=_("For example a child, or a grade that may have changed"),
    )
    category = forms.TypedChoiceField(
        label=_("Category of disability applied for"),
        choices=Category.choices,
        coerce=int,
        required=False,
    )
    target_place_code = forms.ChoiceField(
        label=_("New township or village of household registration"), required=False
    )
    replacement_reason = forms.ChoiceField(
        label=_("The certificate was"),
        choices=ReplacementReason.choices,
        widget=forms.RadioSelect,
        help_text=_("A certificate is replaced only when it was lost or damaged"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("For a replacement: how the certificate was lost or damaged"),
    )

    def __init__(self, *args: Any, kind: str, user: Actor, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.user, self.person = kind, user, person
        if kind != Kind.RENEWAL:
            del self.fields["needs_assessment"]
        if kind != Kind.CHANGE:
            del self.fields["category"]
        if kind != Kind.REPLACEMENT:
            del self.fields["replacement_reason"]
        if kind != Kind.TRANSFER:
            del self.fields["target_place_code"]
        else:
            places = Place.objects.filter(level__gte=Level.TOWNSHIP).select_related("parent")
            field = cast(forms.ChoiceField, self.fields["target_place_code"])
            field.required = True
            field.choices = [("", _("Choose…"))] + [
                (p.code, f"{p.parent} {p.name}") for p in places.order_by("code")
            ]


class BookForm(Form):
    institution = forms.ModelChoiceField(
        label=_("Assessment institution"), queryset=Institution.objects.none()
    )
    booked_for = date_field(_("Assessment date"))
    at_home = forms.BooleanField(label=_("Assess at home"), required=False)

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefixes = [place.code[:n] for n in (2, 4, 6)]
        cast(forms.ModelChoiceField, self.fields["institution"]).queryset = (  # type: ignore[type-arg]
            Institution.objects.filter(active=True, place__prefix__in=prefixes)
        )


def _int(label: Any, help_text: Any, max_value: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=max_value,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"data-width": "4"}),
    )


IMPAIRMENT_CHOICES: list[Any] = [
    ("", _("Not assessed")),
    *[
        (Grade(grade).label, [(i.code, i.label) for i in IMPAIRMENTS if i.grade == grade])
        for grade in (1, 2, 3, 4)
    ],
    (NO_IMPAIRMENT, _("None of the listed impairments")),
]


class AssessForm(Form):
    assessed_on = date_field(_("Assessed on"))
    assessor = _short(_("Assessor"), 64, width="10")
    category = forms.TypedChoiceField(
        label=_("Disability category"), choices=Category.choices, coerce=int
    )
    hearing_loss_db = forms.DecimalField(
        label=_("Better-ear hearing loss (dB HL)"),
        required=False,
        min_value=decimal.Decimal(0),
        max_value=decimal.Decimal(150),
        decimal_places=1,
        help_text=_("Hearing: average loss of the better ear, at most one decimal, e.g. 90.5"),
        widget=forms.TextInput(attrs={"data-width": "5", "inputmode": "decimal"}),
    )
    # No upper limit here: grading.check_acuity explains a value that looks like a five-point
    # record instead of the form's generic "at most 2".
    acuity = forms.DecimalField(
        label=_("Best-corrected acuity of the better eye"),
        required=False,
        min_value=decimal.Decimal(0),
        decimal_places=3,
        help_text=_(
            "Vision: decimal notation from 0 to 2.0, for example 0.04; 0 for no light "
            "perception. Not the five-point record (4.0–5.3)"
        ),
        widget=forms.TextInput(attrs={"data-width": "5", "inputmode": "decimal"}),
    )
    field_radius = _int(_("Visual field radius (degrees)"), _("Vision: the better eye"), 90)
    iq = _int(_("IQ"), _("Intellectual: aged 7 and over"), 200)
    dq = _int(_("DQ"), _("Intellectual: children under 7"), 200)
    adaptive_behaviour = forms.ChoiceField(
        label=_("Adaptive behaviour"),
        choices=[("", _("Not assessed")), *grading.AdaptiveBehaviour.choices],
        required=False,
        help_text=_(
            "Intellectual: from age 7 it decides where it and the IQ disagree; under 7 it "
            "grades a DQ of 72–75"
        ),
    )
    whodas = _int(_("WHO-DAS II score"), _("Mental: aged 18 and over (36-item score, 36–180)"), 200)
    speech_clarity = _int(_("Speech intelligibility (%)"), _("Speech"), 100)
    impairment = forms.ChoiceField(
        label=_("Impairment of the limbs"),
        choices=IMPAIRMENT_CHOICES,
        required=False,
        help_text=_("Physical disability: the item of the standard's list for the grade"),
    )
    independence = forms.ChoiceField(
        label=_("Independence in daily living"),
        choices=[("", _("Not assessed")), *grading.Independence.choices],
        required=False,
        help_text=_("Physical disability: a grade needs both the impairment and this level"),
    )
    assessor_grade = forms.ChoiceField(
        label=_("Grade concluded by the assessor"),
        choices=GRADE_OR_NONE,
        help_text=_("For a multiple disability, the grade of its most severe part"),
    )
    part_1_category = forms.TypedChoiceField(
        label=_("Part 1: category"),
        choices=[("", _("None")), *Category.choices[:6]],
        coerce=int,
        required=False,
    )
    part_1_grade = forms.ChoiceField(
        label=_("Part 1: grade"), choices=GRADE_OR_NONE, required=False
    )
    part_2_category = forms.TypedChoiceField(
        label=_("Part 2: category"),
        choices=[("", _("None")), *Category.choices[:6]],
        coerce=int,
        required=False,
    )
    part_2_grade = forms.ChoiceField(
        label=_("Part 2: grade"), choices=GRADE_OR_NONE, required=False
    )
    part_3_category = forms.TypedChoiceField(
        label=_("Part 3: category"),
        choices=[("", _("None")), *Category.choices[:6]],
        coerce=int,
        required=False,
    )
    part_3_grade = forms.ChoiceField(
        label=_("Part 3: grade"), choices=GRADE_OR_NONE, required=False
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Explain a grade that differs from the one the measures give"),
    )

    MEASURES = (
        "hearing_loss_db", "acuity", "field_radius", "iq", "dq", "adaptive_behaviour", "whodas",
        "speech_clarity", "impairment", "independence",
    )  # fmt: skip

    def clean_acuity(self) -> decimal.Decimal | None:
        value: decimal.Decimal | None = self.cleaned_data.get("acuity")
        if value is None:
            return None
        try:
            return grading.check_acuity(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    PARTS = tuple(f"part_{n}_{what}" for n in (1, 2, 3) for what in ("category", "grade"))

    def __init__(self, *args: Any, application: Application | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        measures = None
        if not any(name in self.errors for name in self.MEASURES):
            try:
                measures = self.measures()
            except ValueError as exc:
                self.add_error(None, str(exc))
        if self.errors and self.application is not None:
            self._rules_on_what_was_given(measures)
        return cleaned

    def _rules_on_what_was_given(self, measures: grading.Measures | None) -> None:
        """With some fields missing or malformed the assessment is not recorded; its rules
        still run on what was given (the date against the reception, the measures against
        the category), so that one submit lists every problem. A problem with the measures
        or the parts names no single field: it goes at the top of the form."""
        d = self.cleaned_data
        category = d.get("category")
        if category == Category.MULTIPLE and any(name in self.errors for name in self.PARTS):
            category = None
        assert self.application is not None
        found = services.assessment_problems(
            application=self.application,
            assessed_on=d.get("assessed_on"),
            assessor=d.get("assessor") or "",
            category=category,
            measures=measures,
            assessor_grade=self.grade() if "assessor_grade" in d else None,
            parts=[
                services.Part(category=c, measures=measures, assessor_grade=g)
                for c, g in self.parts()
            ]
            if measures is not None and category == Category.MULTIPLE
            else (),
        )
        top = [*found.pop("measures", []), *found.pop("parts", [])]
        add_rule_errors(self, found)
        for message in top:
            if message not in self.non_field_errors():
                self.add_error(None, message)

    def measures(self) -> grading.Measures:
        d = self.cleaned_data
        values = {k: d.get(k) for k in self.MEASURES}
        for choice in ("independence", "adaptive_behaviour", "impairment"):
            values[choice] = values[choice] or None
        return grading.Measures(**values)

    def grade(self) -> int | None:
        return _grade_or_none(self.cleaned_data["assessor_grade"])

    def parts(self) -> list[tuple[int, int | None]]:
        d = self.cleaned_data
        return [
            (d[f"part_{n}_category"], _grade_or_none(d.get(f"part_{n}_grade") or ""))
            for n in (1, 2, 3)
            if d.get(f"part_{n}_category")
        ]


class PublicityForm(Form):
    starts_on = date_field(_("Publicity posted on"))
    location = _short(_("Posted at"), 100, width="20")  # e.g. the village committee's notice board


class MinorPublicityForm(PublicityForm):
    """Posting a minor's conclusion, which is in principle not posted: the reason is required."""

    reason = forms.CharField(
        label=_("Why this minor's conclusion is posted"),
        max_length=200,
        help_text=_("A minor's conclusion is in principle not posted."),
    )


class ReviewForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve and issue the certificate")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, cancels: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cancels:
            # A holder's conclusion of no grade: approving it cancels the certificate.
            field = self.fields["decision"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                ("approve", _("Confirm the conclusion and cancel the certificate")),
                ("reject", _("Reject")),
            ]

    on = date_field(_("Decided on"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Required for a rejection"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A form with errors never reaches the service, which checks the reason with the
        # date: say here too that a rejection needs one, so every problem shows at once.
        if self.errors and data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Enter the reason for the rejection."))
        return data


class DateForm(Form):
    on = date_field(_("Date"))


class ReasonForm(Form):
    on = date_field(_("Date"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RefuseForm(ReasonForm):
    """Refusing ends the application: the clerk confirms it, like a cancellation."""

    confirm = forms.BooleanField(
        label=_(
            "I confirm that the application is refused: it ends here and the applicant is "
            "told the reason."
        ),
        error_messages={"required": _("Confirm that the application is refused.")},
    )


class WithdrawForm(ReasonForm):
    """Withdrawing ends the application at the applicant's request: the clerk confirms it."""

    confirm = forms.BooleanField(
        label=_(
            "I confirm that the applicant withdraws the application: it ends here and is "
            "not processed further."
        ),
        error_messages={"required": _("Confirm that the application is withdrawn.")},
    )


class ObjectionForm(Form):
    filed_on = date_field(_("Objection received on"))
    grounds = forms.CharField(
        label=_("Grounds"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideObjectionForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ObjectionOutcome.choices, widget=forms.RadioSelect
    )
    grade = forms.ChoiceField(
        label=_("Grade after re-assessment"),
        choices=GRADE_OR_NONE,
        required=False,
        help_text=_("Only when the conclusion is changed"),
    )
    decided_on = date_field(_("Decided on"))
    note = forms.CharField(
        label=_("Reasons of the decision"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def grade_value(self) -> int | None:
        return _grade_or_none(self.cleaned_data.get("grade") or "")


class CancelForm(Form):
    reason = forms.ChoiceField(
        label=_("Reason for the cancellation"),
        choices=CancelReason.choices,
        widget=forms.RadioSelect,
    )
    on = date_field(_("Cancelled on"), help_text=_("For a death, the date of death"))
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Required for a cancellation at the holder's request"),
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked the reason. The certificate ends on this date and, unless the "
            "holder has died, no new application is accepted for one year."
        ),
        error_messages={"required": _("Confirm the cancellation.")},
    )


class ApplicationFilterForm(FilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        help_text=_("The start of a name, or an exact ID number"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Kind.choices], required=False
    )
