"""The public progress pages' form: the receipt code and the ID number's last six characters,
read however they are typed (canlian.lib.receipt_codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.lib import receipt_codes
from canlian.lib.forms import Form

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["CertificateProgressForm", "SubsidyProgressForm"]


def _receipt_field(help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Receipt code"),
        max_length=40,
        help_text=help_text,
        error_messages={"required": gettext_lazy("Enter the receipt code.")},
    )


class _ProgressForm(Form):
    id_tail = forms.CharField(
        label=gettext_lazy("Last six characters of the applicant's ID number"),
        max_length=20,
        help_text=gettext_lazy("Six characters, for example 12345X"),
        error_messages={
            "required": gettext_lazy("Enter the last six characters of the ID number.")
        },
    )
    field_order = ["receipt", "id_tail"]

    def clean_receipt(self) -> str:
        receipt = receipt_codes.normalise_code(self.cleaned_data["receipt"])
        if not receipt:
            raise ValidationError(
                _(
                    "A receipt code is ten letters and digits (no 0, 1, I, L or O), "
                    "for example 7KQ2M-X9RTA."
                )
            )
        return receipt

    def clean_id_tail(self) -> str:
        tail = receipt_codes.normalise_id_tail(self.cleaned_data["id_tail"])
        if not tail:
            raise ValidationError(
                _("Enter six characters: five digits, then a digit or X, for example 12345X.")
            )
        return tail


class SubsidyProgressForm(_ProgressForm):
    """A subsidy application's code, given at the township window."""

    receipt = _receipt_field(
        gettext_lazy(
            "Ten letters and digits, on the receipt given at the township window, "
            "for example 7KQ2M-X9RTA"
        )
    )


class CertificateProgressForm(_ProgressForm):
    """A certificate application's code, given at the county federation's window."""

    receipt = _receipt_field(
        gettext_lazy(
            "Ten letters and digits, on the receipt given at the county federation's window, "
            "for example 7KQ2M-X9RTA"
        )
    )
