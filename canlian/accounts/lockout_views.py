"""The security administrator's pages of locked sign-ins: the list, and unlocking one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import lockouts
from canlian.accounts.actors import holding
from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.lib.forms import Form, service_errors


def _manager(request: HttpRequest) -> User:
    return holding(request, Perm.MANAGE_ACCOUNTS)


def lockout_list(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    return render(request, "accounts/lockouts.html", {"pairs": lockouts.locked_pairs(user=user)})


class UnlockForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Why unlock it"),
        max_length=200,
        help_text=gettext_lazy(
            "For example: the account holder called and confirmed they mistyped their password"
        ),
    )


def unlock(request: HttpRequest, pair_id: int) -> HttpResponse:
    """Ask, then unlock one locked pair (user name and address)."""
    user = _manager(request)
    pair = lockouts.locked_pair(user=user, pair_id=pair_id)
    if pair is None:
        raise Http404
    form = UnlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            lockouts.unlock(pair=pair, reason=form.cleaned_data["reason"], acting_user=user)
        if not form.errors:
            messages.success(
                request,
                _("Signing in as %(name)s from %(address)s is unlocked.")
                % {"name": pair.username, "address": pair.address or "—"},
            )
            return redirect("accounts:lockouts")
    return render(
        request,
        "accounts/unlock.html",
        {"pair": pair, "form": form, "page_has_errors": bool(form.errors)},
    )
