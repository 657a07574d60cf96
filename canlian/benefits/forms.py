"""Forms of the subsidy pages (/subsidies/): parse and label input; the rules live in
services.py.

The fields are named as the services name their errors (``applied_on``, ``account``,
``acted_on``, ``reason``, ``last_month``…), so a refusal lands on the field it is about and the
error summary links to it."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.actors import Actor
from canlian.accounts.choices import Choices, county_choices, jurisdiction_choices
from canlian.benefits import services
from canlian.benefits.eligibility import Month
from canlian.benefits.models import ApplicationStatus, Channel, EnrolmentStatus, Programme
from canlian.lib.forms import FilterForm, Form, add_rule_errors, date_field
from canlian.places.models import Level

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.benefits.models import SubsidyApplication
    from canlian.people.models import Person

PASS = "pass"  # noqa: S105 (a decision, not a password)
REJECT = "reject"


def _township_choices(user: Actor) -> Choices:
    """The townships of the user's jurisdiction (their 9-digit code prefixes) by county."""
    return jurisdiction_choices(
        user, levels={Level.TOWNSHIP}, value=lambda place: place.prefix, by_county=True
    )


def _search_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("The start of a name, or an exact ID number"),
    )


class _PlaceFilters(FilterForm):
    """The county (and township) filters, limited to the user's jurisdiction; a filter with
    nothing to choose (a township officer's counties) is left out."""

    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names = list(self.fields)
        places = {"county": county_choices, "township": _township_choices}
        for name, choices_of in places.items():
            if name not in self.fields:
                continue
            choices = choices_of(user)
            if choices:
                cast(forms.ChoiceField, self.fields[name]).choices = [("", _("All")), *choices]
            else:
                del self.fields[name]

    def filters(self) -> dict[str, str]:
        """The filters to apply, "" for each not given: none at all when the form is unbound
        or invalid (its errors say why), so a bad parameter never narrows the list silently."""
        if not self.is_bound or not self.is_valid():
            return dict.fromkeys(self.names, "")
        return {name: str(self.cleaned_data.get(name) or "").strip() for name in self.names}


class ApplicationFilterForm(_PlaceFilters):
    q = _search_field()
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All")), *ApplicationStatus.choices],
        required=False,
    )
    programme = forms.ChoiceField(
        label=gettext_lazy("Subsidy"),
        choices=[("", gettext_lazy("All")), *Programme.choices],
        required=False,
    )
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)
    township = forms.ChoiceField(label=gettext_lazy("Township"), required=False)

    field_order = ["q", "status", "programme", "county", "township"]


class EnrolmentFilterForm(_PlaceFilters):
    q = _search_field()
    programme = forms.ChoiceField(
        label=gettext_lazy("Subsidy"),
        choices=[("", gettext_lazy("All")), *Programme.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All")), *EnrolmentStatus.choices],
        required=False,
    )
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)

    field_order = ["q", "programme", "status", "county"]


def _account_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Bank account number"),
        max_length=40,
        help_text=gettext_lazy("12 to 30 digits; spaces and dashes are ignored"),
        widget=forms.TextInput(
            attrs={
                "data-width": "20",
                "autocomplete": "off",
                "spellcheck": "false",
                "inputmode": "numeric",
            }
        ),
        error_messages={"required": gettext_lazy("Enter the bank account number.")},
    )


def _clean_account(value: str) -> str:
    """The account number as the service reads it, checked here too so that every problem of
    the form is listed at once. Full-width digits, as Chinese input methods type them, become
    ASCII; any other digit is refused (a bank file takes 0-9 only)."""
    account = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or ""))
    if not (account.isascii() and services.ACCOUNT_PATTERN.fullmatch(account)):
        raise ValidationError(_("The account number is 12 to 30 digits."), code="account")
    return account


def _bank_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Bank"),
        max_length=64,
        help_text=gettext_lazy("The bank and branch where the account is held"),
        widget=forms.TextInput(attrs={"data-width": "20"}),
        error_messages={"required": gettext_lazy("Enter the bank the subsidy is paid through.")},
    )


def _work_injury_care_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=gettext_lazy("Receives work-injury care allowance"),
        required=False,
        help_text=gettext_lazy(
            "Work-injury insurance care allowance; in Henan its recipients receive neither subsidy"
        ),
    )


def _care_months_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Months the need for care lasts"),
        required=False,
        min_value=0,
        max_value=services.MAX_CARE_MONTHS,
        help_text=gettext_lazy(
            "Care subsidy only: how long the person's need for care lasts, in months, as "
            "assessed; the rules decide whether it is long-term care"
        ),
        widget=forms.TextInput(attrs={"data-width": "3", "inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy("Enter the months as a whole number, for example 12."),
            "min_value": gettext_lazy("The months cannot be negative."),
            "max_value": gettext_lazy("The months are at most %(limit_value)s."),
        },
    )


class ApplyForm(Form):
    required_when = frozenset({"proxy_name", "proxy_relation"})  # when made by proxy

    programme = forms.ChoiceField(
        label=gettext_lazy("Subsidy applied for"),
        choices=Programme.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the subsidy applied for.")},
    )
    applied_on = date_field(
        gettext_lazy("Date of application"),
        help_text=gettext_lazy(
            "The day the application was made at the window, for example 2026-03-15. The "
            "subsidy is paid from that month."
        ),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Application made"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Say whether the person applied in person or by proxy.")
        },
    )
    proxy_name = forms.CharField(
        label=gettext_lazy("Proxy's name"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("Only when the application is made by proxy"),
        widget=forms.TextInput(attrs={"data-width": "10"}),
    )
    proxy_relation = forms.CharField(
        label=gettext_lazy("Proxy's relation to the person"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Only when the application is made by proxy, for example 女儿"),
        widget=forms.TextInput(attrs={"data-width": "10"}),
    )
    bank_name = _bank_field()
    account = _account_field()
    equivalent_allowance = forms.DecimalField(
        label=gettext_lazy("Equivalent allowance received, yuan a month"),
        required=False,
        min_value=0,
        max_value=999999,
        decimal_places=2,
        help_text=gettext_lazy(
            "Only when the person receives an allowance of the same kind (old-age care, "
            "retired cadres' nursing, or work-injury care where it does not exclude the "
            "subsidies): the higher one is paid, not both"
        ),
        widget=forms.TextInput(attrs={"data-width": "5", "inputmode": "decimal"}),
        error_messages={
            "invalid": gettext_lazy("Enter the allowance in yuan, for example 80 or 80.50."),
            "min_value": gettext_lazy("The allowance cannot be negative."),
            "max_value": gettext_lazy("The allowance is at most 999999 yuan a month."),
            "max_decimal_places": gettext_lazy("The allowance has at most two decimals."),
        },
    )
    orphan = forms.BooleanField(
        label=gettext_lazy("Receives orphans' basic living support"),
        required=False,
        help_text=gettext_lazy("Orphans' support recipients receive the care subsidy only"),
    )
    work_injury_care = _work_injury_care_field()
    long_term_care_months = _care_months_field()
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_account(self) -> str:
        return _clean_account(self.cleaned_data["account"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The service's rules on the first submit, next to the fields' own problems: the proxy's
        # name and relation, and the person's open application or enrolment, are reported at
        # once, not after the other errors are fixed.
        found = services.application_problems(
            programme=data.get("programme") or "",
            applied_on=data.get("applied_on"),
            today=timezone.localdate(),
            channel=data.get("channel") or "",
            proxy_name=(data.get("proxy_name") or "").strip(),
            proxy_relation=(data.get("proxy_relation") or "").strip(),
            bank_name=data.get("bank_name") or "",
            account=data.get("account") or "",
            equivalent_allowance=data.get("equivalent_allowance"),
            long_term_care_months=data.get("long_term_care_months"),
            person=self.person,
        )
        add_rule_errors(self, found)
        return data


class CareFactsForm(Form):
    """What is recorded on an enrolment after approval: work-injury care and (the care
    subsidy) the months the need for care lasts."""

    work_injury_care = _work_injury_care_field()
    long_term_care_months = forms.IntegerField(required=False)

    def __init__(self, *args: Any, care: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if care:
            self.fields["long_term_care_months"] = _care_months_field()
        else:
            del self.fields["long_term_care_months"]


YES, NO = "yes", "no"


class PublicityForm(Form):
    """The publicity of an application in the person's village, where the county requires it."""

    publicity_start = date_field(gettext_lazy("First day of the publicity"))
    publicity_end = date_field(
        gettext_lazy("Last day of the publicity"),
        help_text=gettext_lazy("The day it is taken down, for example 2026-03-21"),
    )
    publicity_objections = forms.ChoiceField(
        label=gettext_lazy("Objections received during the publicity"),
        choices=[(YES, gettext_lazy("Yes")), (NO, gettext_lazy("No"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Say whether objections were received during the publicity.")
        },
    )

    @property
    def objections(self) -> bool:
        return bool(self.cleaned_data["publicity_objections"] == YES)


class DecisionForm(Form):
    """The next step of an application: pass it on (or approve it), or reject it."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether the application passes.")},
    )
    acted_on = date_field(gettext_lazy("Date of the decision"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Required for a rejection: the applicant is told"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        approval: bool,
        application: SubsidyApplication | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.application = application
        passed = (
            _("Approve: the person is enrolled")
            if approval
            else _("Pass: send the application on to the next step")
        )
        cast(forms.ChoiceField, self.fields["decision"]).choices = [
            (PASS, passed),
            (REJECT, _("Reject the application")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The service's rules (the reason of a rejection, the date against the previous step)
        # on the first submit, next to a missing date or decision.
        if self.application is not None and data.get("decision"):
            found = services.decision_problems(
                self.application,
                passed=data["decision"] == PASS,
                reason=(data.get("reason") or "").strip(),
                acted_on=data.get("acted_on"),
                today=timezone.localdate(),
            )
            add_rule_errors(self, found)
        return data

    @property
    def passed(self) -> bool:
        return bool(self.cleaned_data["decision"] == PASS)


class AccountForm(Form):
    bank_name = _bank_field()
    account = _account_field()

    def clean_account(self) -> str:
        return _clean_account(self.cleaned_data["account"])


class MonthField(forms.Field):
    """A month written YYYY-MM, cleaned to its first day."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"data-width": "5", "autocomplete": "off", "maxlength": "7"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return Month.parse(text[:20]).first
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return value


class EndForm(Form):
    last_month = MonthField(
        label=gettext_lazy("Last month paid"),
        help_text=gettext_lazy(
            "For example 2026-04: the subsidy is paid up to and including this month"
        ),
        error_messages={
            "required": gettext_lazy("Enter the last month paid, for example 2026-04.")
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for ending"),
        max_length=200,
        help_text=gettext_lazy("For example: moved out of the county, died, no longer on dibao"),
        error_messages={"required": gettext_lazy("Give the reason for ending the subsidy.")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm that this subsidy ends: it is not paid after the last month"),
        error_messages={"required": gettext_lazy("Confirm that the subsidy ends.")},
    )
