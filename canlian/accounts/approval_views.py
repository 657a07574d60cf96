"""Pages of the maker-checker: requests awaiting approval, approving and rejecting them,
resetting a password, and the activation code shown once to the administrator handing it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import activation, approvals
from canlian.accounts.access import get_visible_or_404
from canlian.accounts.actors import holding
from canlian.accounts.models import AccountRequest, User
from canlian.accounts.roles import Perm, Role, is_sensitive
from canlian.lib.forms import Form, service_errors
from canlian.places.models import Place

SESSION_KEY = "accounts.activation_code"
RECENT_DECISIONS = 20
REQUESTS = AccountRequest.objects.select_related("account", "place", "requested_by", "decided_by")


def _manager(request: HttpRequest) -> User:
    return holding(request, Perm.MANAGE_ACCOUNTS)


# ---------------------------------------------------------------------------
# What a request asks, in words
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    before: str
    after: str


def _role_text(value: str) -> str:
    return str(Role(value).label) if value in Role.values else "—"


def _yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def describe(request: AccountRequest) -> list[Row]:
    """What `request` asks, field by field: the state before (empty for a new account) and
    after. A reset asks for new activation codes only."""
    if request.kind == AccountRequest.Kind.RESET:
        return [Row(_("Password"), _("Set by the holder"), _("New activation codes"))]
    before = request.before
    old_place = Place.objects.filter(code=before.get("place")).first() if before else None
    old_role = _role_text(before.get("role", "")) if before else ""
    old_active = _yes_no(before["is_active"]) if before else ""
    rows = [
        Row(_("Full name"), before.get("full_name", ""), request.full_name),
        Row(_("Role"), old_role, request.get_role_display()),
        Row(_("Jurisdiction"), old_place.name if old_place else "", request.place.name),
        Row(_("Account is active"), old_active, _yes_no(request.is_active)),
    ]
    if request.code_digest:
        old_password = _("Set by the holder") if before else ""
        rows.append(Row(_("Password"), old_password, _("New activation codes")))
    return rows


def summary(request: AccountRequest) -> str:
    """One line for the list of requests: what, for whom."""
    if request.kind == AccountRequest.Kind.RESET:
        return _("Reset the password of %(user)s") % {"user": request.username}
    if request.kind == AccountRequest.Kind.CREATE:
        text = _("Create %(user)s as %(role)s, %(place)s")
    else:
        text = _("Change %(user)s to %(role)s, %(place)s")
    return text % {
        "user": request.username,
        "role": request.get_role_display(),
        "place": request.place.name,
    }


# ---------------------------------------------------------------------------
# The code, shown once
# ---------------------------------------------------------------------------


def after(request: HttpRequest, outcome: approvals.Outcome, done: str) -> HttpResponse:
    """Where an administrator's action leads: the code to hand over when there is one (shown
    once), else the pending request or the list of accounts; `done` is the message of a
    change made at once."""
    asked = outcome.request
    if asked is not None and asked.is_pending:
        messages.success(
            request,
            _("The request was recorded. It takes effect when another security "
              "administrator approves it."),
        )  # fmt: skip
    elif asked is not None:
        messages.success(request, _("The request was approved and has taken effect."))
    else:
        messages.success(request, done)
    if outcome.code:
        part = "only" if asked is None else ("first" if asked.is_pending else "second")
        username = outcome.account.username if outcome.account else asked.username if asked else ""
        request.session[SESSION_KEY] = {"username": username, "code": outcome.code, "part": part}
        return redirect("accounts:activation_code")
    if asked is not None and asked.is_pending:
        return redirect("accounts:request", request_id=asked.pk)
    return redirect("accounts:list")


def activation_code(request: HttpRequest) -> HttpResponse:
    """The code just issued, once: it leaves the session as it is shown."""
    _manager(request)
    handed = request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "accounts/code.html",
        {"handed": handed, "valid_days": activation.VALID_FOR.days},
    )


# ---------------------------------------------------------------------------
# The list of accounts and the edit page: pending state
# ---------------------------------------------------------------------------


def pending_request(account: User) -> AccountRequest | None:
    return (
        AccountRequest.objects.filter(account=account, status=AccountRequest.Status.PENDING)
        .select_related("requested_by")
        .first()
    )


def annotate_accounts(request: HttpRequest, accounts: Iterable[User]) -> int:
    """Give each account of the page its `pending` request (or None) and whether it
    `awaits_activation`; return how many requests of the user's jurisdiction await approval."""
    user = cast(User, request.user)
    accounts = list(accounts)
    ids = [a.pk for a in accounts]
    pending = {
        r.account_id: r
        for r in AccountRequest.objects.filter(
            account_id__in=ids, status=AccountRequest.Status.PENDING
        )
    }
    awaiting = activation.awaiting(ids)
    for account in accounts:
        account.pending = pending.get(account.pk)  # type: ignore[attr-defined]
        account.awaits_activation = account.pk in awaiting  # type: ignore[attr-defined]
    return (
        AccountRequest.objects.visible_to(user).filter(status=AccountRequest.Status.PENDING).count()
    )


# ---------------------------------------------------------------------------
# Requests: list, detail, approve, reject
# ---------------------------------------------------------------------------


def request_list(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    visible = AccountRequest.objects.visible_to(user).select_related(
        "place", "requested_by", "decided_by"
    )
    pending = visible.filter(status=AccountRequest.Status.PENDING).order_by("requested_at", "pk")
    page = Paginator(pending, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    decided = visible.exclude(status=AccountRequest.Status.PENDING).order_by("-decided_at", "-pk")
    page.object_list = list(page.object_list)
    recent = list(decided[:RECENT_DECISIONS])
    for item in [*page.object_list, *recent]:
        item.summary = summary(item)  # type: ignore[attr-defined]
    return render(request, "accounts/requests.html", {"page": page, "query": "", "decided": recent})


def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _manager(request)
    asked = get_visible_or_404(REQUESTS, user, request_id)
    return render(
        request,
        "accounts/request.html",
        {
            "asked": asked,
            "rows": describe(asked),
            "approve_refusal": approvals.refusal(request=asked, action="approve", acting_user=user),
            "reject_refusal": approvals.refusal(request=asked, action="reject", acting_user=user),
        },
    )


class ConfirmForm(Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked who asked for this and what it grants, and approve it."),
        error_messages={"required": gettext_lazy("Confirm that you approve the request.")},
    )


class RejectForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting"),
        help_text=gettext_lazy("The administrator who asked sees it with the request."),
        max_length=approvals.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Enter the reason for rejecting the request.")},
    )


def _decide_page(
    request: HttpRequest, asked: AccountRequest, form: forms.Form, action: str, user: User
) -> HttpResponse:
    refusal = approvals.refusal(request=asked, action=action, acting_user=user)
    return render(
        request,
        "accounts/request_decide.html",
        {
            "asked": asked,
            "rows": describe(asked),
            "form": form,
            "action": action,
            "refusal": refusal,
            "page_has_errors": bool(form.errors) or bool(refusal),
        },
    )


def request_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    """Ask, then approve: another security administrator than the one who asked."""
    user = _manager(request)
    asked = get_visible_or_404(REQUESTS, user, request_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            outcome = approvals.approve(request_id=asked.pk, acting_user=user)
        if not form.errors:
            return after(request, outcome, "")
        asked = get_visible_or_404(REQUESTS, user, request_id)
    return _decide_page(request, asked, form, "approve", user)


def request_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    """Reject with a reason; the administrator who asked may reject (withdraw) it too."""
    user = _manager(request)
    asked = get_visible_or_404(REQUESTS, user, request_id)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            approvals.reject(
                request_id=asked.pk, reason=form.cleaned_data["reason"], acting_user=user
            )
        if not form.errors:
            messages.success(request, _("The request was rejected. Nothing it asked for was done."))
            return redirect("accounts:requests")
        asked = get_visible_or_404(REQUESTS, user, request_id)
    return _decide_page(request, asked, form, "reject", user)


# ---------------------------------------------------------------------------
# Resetting a password
# ---------------------------------------------------------------------------


class ResetForm(Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked the identity of the holder, who asked for a new password."
        ),
        error_messages={"required": gettext_lazy("Confirm that the holder asked for this.")},
    )


def reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    """Ask, then replace an account's password by activation codes (a request when the
    account holds a sensitive role)."""
    user = _manager(request)
    account = get_object_or_404(approvals.visible_accounts(user), pk=user_id)
    form = ResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            outcome = approvals.reset_password(user=account, acting_user=user)
        if not form.errors:
            done = _("The password of %(name)s was reset.") % {"name": account.username}
            return after(request, outcome, done)
    return render(
        request,
        "accounts/reset.html",
        {
            "account": account,
            "form": form,
            "needs_approval": is_sensitive(account.role),
            "pending": pending_request(account),
            "valid_days": activation.VALID_FOR.days,
            "page_has_errors": bool(form.errors),
        },
    )
