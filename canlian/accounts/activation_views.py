"""The page where an account's holder sets their password with the activation codes they were
given (public: they cannot sign in yet)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import activation, passwords
from canlian.lib.forms import Form, add_service_errors


class ActivationForm(Form):
    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    first_code = forms.CharField(
        label=gettext_lazy("Activation code"),
        max_length=40,
        help_text=gettext_lazy("For example 7KQ2-M9XD-4TRB. Letters may be typed in lower case."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    second_code = forms.CharField(
        label=gettext_lazy("Second activation code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy(
            "Accounts that may read the audit log or see full values get two codes, from two "
            "administrators. Leave it empty if you were given one."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = passwords.rules_text()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, again = data.get("password"), data.get("password_again")
        if first and again and first != again:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


def activate(request: HttpRequest) -> HttpResponse:
    form = ActivationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            activation.activate(
                username=d["username"],
                first_code=d["first_code"],
                second_code=d["second_code"],
                password=d["password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your password is set. Sign in with it."))
            return redirect("login")
    return render(
        request,
        "accounts/activate.html",
        {"form": form, "page_has_errors": bool(form.errors)},
    )
