"""Account pages for the security administrator, and each user's own profile."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import approval_views, approvals, services
from canlian.accounts.actors import Actor, holding, signed_in
from canlian.accounts.roles import Perm, Role, is_sensitive
from canlian.accounts.self_service import sign_in_summary
from canlian.lib.forms import Form, add_service_errors, service_errors
from canlian.places.models import Place


class AccountForm(Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=64, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    place = forms.ChoiceField(label=gettext_lazy("Jurisdiction"))
    is_active = forms.BooleanField(
        label=gettext_lazy("Account is active"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", _("Choose…"))] + [
            (value, label) for value, label in Role.choices if value not in services.ADMIN_ROLES
        ]
        self.fields["role"].help_text = approval_hint()
        prefix = user.scope_prefix or "-"
        cast(forms.ChoiceField, self.fields["place"]).choices = [("", _("Choose…"))] + [
            (p.code, f"{'　' * (p.level - 1)}{p.name}")
            for p in Place.objects.filter(code__startswith=prefix, level__lte=4)
        ]
        if editing:
            self.fields["username"].disabled = True


def approval_hint() -> str:
    """The role field's hint: which roles take a second administrator's approval."""
    names = "、".join(
        str(label)
        for value, label in Role.choices
        if is_sensitive(value) and value not in services.ADMIN_ROLES
    )
    return _(
        "These roles take effect only when another security administrator approves: "
        "%(roles)s. The holder sets their own password with activation codes."
    ) % {"roles": names}


def account_list(request: HttpRequest) -> HttpResponse:
    manager = holding(request, Perm.MANAGE_ACCOUNTS)
    accounts = approvals.visible_accounts(manager).order_by("username")
    page = Paginator(accounts, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    pending = approval_views.annotate_accounts(request, page.object_list)
    return render(
        request, "accounts/list.html", {"page": page, "query": "", "pending_count": pending}
    )


def account_create(request: HttpRequest) -> HttpResponse:
    manager = holding(request, Perm.MANAGE_ACCOUNTS)
    form = AccountForm(request.POST if request.method == "POST" else None, user=manager)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcome = approvals.create_account(
                username=d["username"], role=d["role"],
                place=Place.objects.filter(code=d["place"]).first(), full_name=d["full_name"],
                is_active=d["is_active"], acting_user=manager,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = _("Account %(name)s was created.") % {"name": d["username"].strip()}
            return approval_views.after(request, outcome, done)
    return render(
        request,
        "accounts/form.html",
        {"form": form, "account": None, "page_has_errors": bool(form.errors)},
    )


def account_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    manager = holding(request, Perm.MANAGE_ACCOUNTS)
    account = get_object_or_404(approvals.visible_accounts(manager), pk=user_id)
    initial = {"username": account.username, "full_name": account.full_name, "role": account.role,
               "place": account.place_id, "is_active": account.is_active}  # fmt: skip
    form = AccountForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        user=manager,
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            outcome = approvals.change_account(
                user=account, role=d["role"], place=Place.objects.filter(code=d["place"]).first(),
                is_active=d["is_active"], full_name=d["full_name"], acting_user=manager,
            )  # fmt: skip
        if not form.errors:
            return approval_views.after(request, outcome, _("The account was updated."))
    return render(
        request,
        "accounts/form.html",
        {
            "form": form,
            "account": account,
            "pending": approval_views.pending_request(account),
            "page_has_errors": bool(form.errors),
        },
    )


def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/profile.html", {"sign_in": sign_in_summary(signed_in(request))}
    )
