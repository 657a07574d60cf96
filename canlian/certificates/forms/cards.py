"""The card check's form: the certificate number presented to staff."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from canlian.lib.forms import Form


class CardCheckForm(Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        help_text=_("As printed on the card, with its suffix (such as B1) if it has one"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
