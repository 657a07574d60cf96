"""Forms of the payment roll pages (/payroll/): parse and label input; the rules live in
rolls.py and bankfiles.py."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.actors import Actor
from canlian.accounts.choices import county_choices
from canlian.benefits.eligibility import Month
from canlian.lib.forms import FilterForm, Form, add_rule_errors
from canlian.payroll import rolls
from canlian.payroll.models import LineKind, RecoveryStatus, Roll
from canlian.people.picker import PersonChoiceField
from canlian.places.models import Level, Place

ACCEPTED = (".xlsx", ".xls", ".ods", ".csv", ".txt")
# Up to this many enrolled persons the adjustment form offers them in a list before any
# search; above, the person is found with the person picker's search first.
PERSON_CHOICES_LIMIT = 300


class MonthField(forms.CharField):
    """A month written YYYY-MM (full-width digits accepted); cleans to a Month."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"data-width": "5", "autocomplete": "off", "spellcheck": "false"}
            ),
        )
        kwargs.setdefault("help_text", gettext_lazy("Year and month, for example 2026-11"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return Month.parse(unicodedata.normalize("NFKC", text))
        except ValueError as exc:
            raise ValidationError(str(exc), code="month") from None


class MonthForm(Form):
    """The month picker of the rolls list (GET)."""

    month = MonthField(
        label=gettext_lazy("Month"),
        error_messages={"required": gettext_lazy("Enter the month, for example 2026-11.")},
    )


class GenerateForm(Form):
    month = MonthField(
        label=gettext_lazy("Month to generate"),
        error_messages={"required": gettext_lazy("Enter the month, for example 2026-11.")},
    )
    county = forms.ChoiceField(
        label=gettext_lazy("County"),
        required=False,
        help_text=gettext_lazy("Leave as is to generate every county of your jurisdiction"),
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["county"]).choices = [
            ("", _("Every county of my jurisdiction")),
            *county_choices(user),
        ]


class ConfirmForm(Form):
    """What a confirmation page sends back: the roll as it was when shown, so that a roll
    changed meanwhile (an adjustment added) is shown again rather than acted on."""

    token = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField()

    LABELS = {
        "approve": (
            gettext_lazy(
                "I have checked the lines, the stops and the total, and approve the payments."
            ),
            gettext_lazy("Confirm that you have checked the roll."),
        ),
        "discard": (
            gettext_lazy("I understand that the draft roll and its lines are deleted."),
            gettext_lazy("Confirm that the draft roll is to be discarded."),
        ),
    }

    def __init__(self, *args: Any, action: str = "approve", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label, required = self.LABELS[action]
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = required


def roll_token(roll: Roll) -> str:
    return f"{roll.pk}:{roll.status}:{roll.line_count}:{roll.total:.2f}"


class LineFilterForm(FilterForm):
    q = forms.CharField(
        label=gettext_lazy("Search the lines"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Part of the name, or the payment reference"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of payment"),
        choices=[("", gettext_lazy("All")), *LineKind.choices],
        required=False,
    )

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {"q": "", "kind": ""}
        return {"q": self.cleaned_data["q"].strip(), "kind": self.cleaned_data["kind"]}


class RollBookForm(Form):
    """The printed roll: the whole roll, or one township of its county."""

    township = forms.ChoiceField(
        label=gettext_lazy("Lines of"),
        required=False,
        help_text=gettext_lazy("A township's part, for the township to check and sign"),
    )

    def __init__(self, *args: Any, roll: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        townships = Place.objects.filter(
            code__startswith=roll.county, level=Level.TOWNSHIP
        ).order_by("code")
        cast(forms.ChoiceField, self.fields["township"]).choices = [
            ("", gettext_lazy("The whole roll")),
            *((t.code[:9], t.name) for t in townships),
        ]


class AmountField(forms.DecimalField):
    """Yuan to the fen, typed with or without commas, full-width digits or ¥."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value)
            value = "".join(c for c in value if c not in ", ¥元").strip()
        return super().to_python(value)


class AdjustmentForm(Form):
    person = PersonChoiceField(
        label=gettext_lazy("Person"),
        help_text=gettext_lazy("A person enrolled in this programme in the roll's county"),
        error_messages={"required": gettext_lazy("Choose the person to pay.")},
    )
    month = MonthField(
        label=gettext_lazy("Month paid for"),
        help_text=gettext_lazy("The roll's month or an earlier one, for example 2026-09"),
        error_messages={"required": gettext_lazy("Enter the month paid for.")},
    )
    amount = AmountField(
        label=gettext_lazy("Amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(
            attrs={"data-width": "10", "inputmode": "decimal", "autocomplete": "off"}
        ),
        error_messages={
            "required": gettext_lazy("Enter the amount."),
            "invalid": gettext_lazy("Enter an amount in yuan, for example 60.00."),
            "min_value": gettext_lazy("The amount must be positive."),
            "max_decimal_places": gettext_lazy("Enter at most two decimal places."),
            "max_digits": gettext_lazy("This amount is too large."),
            "max_whole_digits": gettext_lazy("This amount is too large."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("For example: the payment of 2026-09 failed and is made again"),
        error_messages={"required": gettext_lazy("Give the reason for the adjustment.")},
    )

    def __init__(
        self,
        *args: Any,
        persons: list[tuple[int, str]],
        searched: bool = False,
        roll: Roll | None = None,
        **kwargs: Any,
    ) -> None:
        """`persons`: (id, label) of the persons offered by the person picker, all in the
        user's jurisdiction and enrolled in this programme in the roll's county: the whole
        list when it is short, else the results of a search (`searched`), offered as radio
        buttons. `roll`: the roll the adjustment goes into, whose rules are checked with the
        fields."""
        super().__init__(*args, **kwargs)
        self.roll = roll
        cast(PersonChoiceField, self.fields["person"]).offer(persons, searched=searched)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors and self.roll is not None:
            # The roll's rules on what was given (a month after the roll's), listed with the
            # empty or malformed fields in one round.
            found = rolls.adjustment_problems(
                roll=self.roll,
                person_id=data.get("person"),
                month=data.get("month"),
                amount=data.get("amount"),
                reason=data.get("reason") or "",
            )
            add_rule_errors(self, found)
        return data


FORMATS = [
    ("xlsx", gettext_lazy("Excel (.xlsx)")),
    ("csv", gettext_lazy("CSV (.csv, UTF-8)")),
]


class ExportForm(Form):
    """The bank file's format. The file always carries full account numbers (a bank rejects a
    masked one): only a user who may export full bank accounts gets it, and each export is
    logged through the reveal gate."""

    format = forms.ChoiceField(
        label=gettext_lazy("File format"),
        choices=FORMATS,
        initial="xlsx",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the file format.")},
    )


class ResultFileForm(Form):
    file = forms.FileField(
        label=gettext_lazy("The bank's result file"),
        help_text=gettext_lazy(
            "Excel (.xlsx, .xls), .ods or CSV. The first row names the columns: 支付参考号, "
            "金额 and 结果 (成功 or 失败), and 原因 for failures."
        ),
        error_messages={
            "required": gettext_lazy("Choose the bank's result file."),
            "empty": gettext_lazy("The file is empty."),
        },
        widget=forms.FileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED):
            raise ValidationError(
                _("The file must be .xlsx, .xls, .ods or .csv."), code="extension"
            )
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)},
                code="size",
            )
        return upload


class RecoveryFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All")), *RecoveryStatus.choices],
        required=False,
    )

    def status_filter(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return str(self.cleaned_data["status"])


class ResolveForm(Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            (RecoveryStatus.RECOVERED.value, RecoveryStatus.RECOVERED.label),
            (RecoveryStatus.WAIVED.value, RecoveryStatus.WAIVED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose recovered or written off.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        help_text=gettext_lazy(
            "How it was recovered (date, receipt number), or why it is written off"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": gettext_lazy("Say how it was recovered, or why it is written off.")
        },
    )
