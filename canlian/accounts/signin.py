"""The sign-in pages: the password (throttled by django-axes) and the second factor."""

from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from canlian.accounts import lockouts, otp, sessions
from canlian.accounts.models import User
from canlian.audit import records as audit
from canlian.lib.forms import Form


def safe_next(request: HttpRequest) -> str:
    """The page to go on to (?next= or the form's next), if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def record_refusal(request: HttpRequest, *, action: str, username: str) -> None:
    """Log a refused password: the name typed, linked to the account when there is one (the
    log is for auditors; the page says the same either way)."""
    account = User.objects.filter(username=username).first()
    audit.record(
        acting_user=None,
        action=action,
        target=account,
        detail={"username": username},
        region=(account.scope_prefix or "") if account else "",
    )


class SignInForm(Form, AuthenticationForm):
    """Django's sign-in form with messages that name their field (canlian.lib.forms)."""


class SignInView(LoginView):
    """Django's login page, logged, with axes' lockout said in words and, for accounts with
    a second factor, the code asked next."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_has_errors"] = bool(context["form"].errors)
        if self.request.method == "GET":
            context["expired"] = self.request.session.pop(sessions.EXPIRED, None)
            context["idle_minutes"] = settings.SESSION_IDLE_MINUTES
            context["absolute_hours"] = settings.SESSION_ABSOLUTE_HOURS
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        response = super().form_valid(form)
        sessions.start(self.request)
        step = otp.pending_step(user)
        audit.record(
            acting_user=user,
            action="signin",
            target=user,
            detail={"second_factor": step or "none"},
            region=user.scope_prefix or "",
        )
        if step is not None:
            return redirect_to_login(self.get_success_url(), otp.step_url(step))
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        request = self.request
        username = form.cleaned_data.get("username")
        tried = username is not None and "password" in form.cleaned_data
        status = 200
        if getattr(request, "axes_locked_out", False):
            # axes marks a failure that reached the limit with the count it reached.
            locking = getattr(request, "axes_failures_since_start", None) is not None
            action = "signin.lockout" if locking else "signin.locked"
            form.errors.clear()
            form.add_error(None, lockouts.lockout_message(request))
            status = 429
        else:
            action = "signin.failure"
        # A try on a pair already locked is refused unread and not logged again: the
        # lockout was, and one entry per try would let anyone fill the log.
        if tried and action != "signin.locked":
            record_refusal(request, action=action, username=str(username))
        response = super().form_invalid(form)
        response.status_code = status
        return response


class CodeForm(Form):
    code = forms.CharField(
        label=pgettext_lazy("one-time code", "Code"),
        max_length=20,
        help_text=gettext_lazy(
            "The 6 digits your authenticator app shows for Canlian, or one of your recovery codes"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "data-width": "10"}
        ),
    )


def refusal_message(result: otp.Verification) -> str:
    if result.wait_seconds:
        return ngettext(
            "Too many wrong codes. Wait %(n)d second, then try again.",
            "Too many wrong codes. Wait %(n)d seconds, then try again.",
            result.wait_seconds,
        ) % {"n": result.wait_seconds}
    if result.method == "recovery_code":
        return _("This recovery code is not right, or it has been used already.")
    return _("This code is not right. Enter the 6 digits the app shows now.")


def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    user = request.user
    next_url = safe_next(request)
    if not isinstance(user, User) or not user.is_authenticated:
        return redirect_to_login(next_url)
    step = None if otp.is_verified(request) else otp.pending_step(user)
    if step != "verify":
        return redirect_to_login(next_url, otp.step_url(step)) if step else redirect(next_url)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = otp.verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            django_otp.login(request, result.device)
            request.session.cycle_key()
            if result.method == "recovery_code":
                left = otp.recovery_codes_left(user)
                messages.success(request, recovery_code_used_message(left))
            return HttpResponseRedirect(next_url)
        form.add_error("code", refusal_message(result))
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": next_url, "page_has_errors": bool(form.errors)},
    )


def recovery_code_used_message(left: int) -> str:
    return ngettext(
        "You signed in with a recovery code; %(n)d is left. Make new ones from your account "
        "page, and set up your authenticator app again if you lost it.",
        "You signed in with a recovery code; %(n)d are left. Make new ones from your account "
        "page, and set up your authenticator app again if you lost it.",
        left,
    ) % {"n": left}
