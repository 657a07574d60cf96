"""Pages where staff keep their own sign-in: the password, the authenticator app, the
recovery codes (all reached from the profile page, /accounts/me/)."""

from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import lockouts, otp, passwords
from canlian.accounts.actors import signed_in
from canlian.accounts.models import User
from canlian.accounts.signin import record_refusal, refusal_message, safe_next
from canlian.lib.forms import Form, service_errors


def sign_in_summary(user: User) -> dict[str, Any]:
    """What the profile page says about the user's own sign-in."""
    return {
        "has_app": otp.authenticator(user) is not None,
        "required": otp.requires_second_factor(user),
        "codes_left": otp.recovery_codes_left(user),
    }


class PasswordForm(Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, help_text: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = help_text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


def change_password(request: HttpRequest) -> HttpResponse:
    """Change one's own password with the current one; this session stays signed in, every
    other session of the account ends."""
    user = signed_in(request)
    form = PasswordForm(
        request.POST if request.method == "POST" else None, help_text=passwords.rules_text()
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        # Through the authentication backends, so that django-axes counts wrong guesses.
        if authenticate(request, username=user.get_username(), password=d["old_password"]):
            with service_errors(form):
                passwords.change_password(
                    user=user, new_password=d["new_password1"], acting_user=user
                )
            if not form.errors:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password was changed."))
                return redirect("accounts:profile")
        elif getattr(request, "axes_locked_out", False):
            form.add_error(None, lockouts.lockout_message(request))
            record_refusal(request, action="password.change_locked", username=user.username)
            status = 429
        else:
            form.add_error("old_password", _("This is not your current password."))
            record_refusal(request, action="password.change_failure", username=user.username)
    return render(
        request,
        "accounts/password.html",
        {"form": form, "page_has_errors": bool(form.errors)},
        status=status,
    )


class EnrolForm(Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=10,
        help_text=gettext_lazy("The 6 digits the app shows for Canlian"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "data-width": "5"}
        ),
    )
    # Replacing an authenticator asks for the password again: a session left open, or taken,
    # must not be enough to move the second factor to another phone.
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, replacing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not replacing:
            del self.fields["password"]


def _password_confirms(request: HttpRequest, user: User, form: EnrolForm) -> bool:
    """Whether the password typed on the form is the user's (through the authentication
    backends, so that django-axes counts wrong guesses as at the sign-in)."""
    if "password" not in form.fields:
        return True
    typed = form.cleaned_data["password"]
    if authenticate(request, username=user.get_username(), password=typed):
        return True
    if getattr(request, "axes_locked_out", False):
        form.add_error(None, lockouts.lockout_message(request))
    else:
        form.add_error("password", _("This is not your current password."))
    record_refusal(request, action="otp.replace_refused", username=user.username)
    return False


def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (or a new one in place of the current one): the QR code,
    the secret as text, then a code from the app to confirm."""
    user = signed_in(request)
    current = otp.authenticator(user)
    if current is not None and not otp.is_verified(request):
        # Only a verified session may replace an authenticator.
        return redirect(otp.step_url("verify"))
    key = request.session.get(otp.PENDING_KEY) or otp.new_key()
    request.session[otp.PENDING_KEY] = key
    next_url = safe_next(request)
    form = EnrolForm(request.POST if request.method == "POST" else None, replacing=bool(current))
    if request.method == "POST" and form.is_valid() and _password_confirms(request, user, form):
        with service_errors(form):
            codes = otp.enrol(user=user, key=key, code=form.cleaned_data["code"], acting_user=user)
        if not form.errors:
            del request.session[otp.PENDING_KEY]
            django_otp.login(request, otp.authenticator(user))
            request.session.cycle_key()
            request.session[otp.NEW_CODES] = codes
            url = reverse("accounts:recovery_codes")
            return redirect(f"{url}?{urlencode({'next': next_url})}")
    context = {
        "form": form,
        "next": next_url,
        "replacing": current is not None,
        "required": otp.requires_second_factor(user),
        "setup": otp.provisioning(user=user, key=key, issuer=settings.OTP_TOTP_ISSUER),
        "page_has_errors": bool(form.errors),
    }
    return render(request, "accounts/second_factor.html", context)


class ConfirmForm(Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=10,
        help_text=gettext_lazy("To confirm that it is you: the 6 digits the app shows now"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "data-width": "5"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits the app shows now."))
        return code


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once right after they are made; making new ones (which
    ends the old ones) needs a code from the authenticator app."""
    user = signed_in(request)
    codes = request.session.pop(otp.NEW_CODES, None)
    if codes:
        return render(
            request,
            "accounts/recovery_codes_new.html",
            {"codes": [otp.format_code(c) for c in codes], "next": safe_next(request)},
        )
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    has_app = otp.authenticator(user) is not None
    if request.method == "POST" and has_app and form.is_valid():
        result = otp.verify(user=user, code=form.cleaned_data["code"], action="otp.confirm")
        if result.device is not None:
            request.session[otp.NEW_CODES] = otp.new_recovery_codes(user=user, acting_user=user)
            return redirect("accounts:recovery_codes")
        form.add_error("code", refusal_message(result))
    context = {
        "form": form,
        "has_app": has_app,
        "left": otp.recovery_codes_left(user),
        "page_has_errors": bool(form.errors),
    }
    return render(request, "accounts/recovery_codes.html", context)
