"""Forms of the supervision pages: drawing a sample, recording a check's result and its
follow-up; the rules live in certificates/supervision.py."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from canlian.certificates.forms.counties import county_field, set_counties
from canlian.certificates.models import CheckResult
from canlian.certificates.supervision import MAX_SEED_LENGTH
from canlian.lib.forms import Form, date_field

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


def random_seed() -> str:
    """A fresh seed to prefill: eight digits, easy to read out and to write in a report."""
    return f"{secrets.randbelow(10**8):08d}"


class SupervisionForm(Form):
    county = county_field()
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

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("seed", random_seed())
        super().__init__(*args, **kwargs)
        set_counties(self, user)


class CheckResultForm(Form):
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


class ResolveForm(Form):
    prefix = "resolve"

    follow_up = forms.CharField(
        label=_("Follow-up"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done to put the discrepancy right"),
    )
    resolved_on = date_field(_("Resolved on"))
