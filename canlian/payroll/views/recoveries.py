"""The recoveries worklist and one recovery item, closed as recovered or written off."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.display import with_office
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.lib.forms import service_errors
from canlian.payroll import forms, rolls, selectors
from canlian.payroll.models import Recovery, RecoveryStatus
from canlian.payroll.views.common import annotate_roll, can

__all__ = ["recovery_detail", "recovery_list"]


RECOVERY_TAGS = {
    RecoveryStatus.OPEN: "danger",
    RecoveryStatus.RECOVERED: "success",
    RecoveryStatus.WAIVED: "neutral",
}


def recovery_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    user = signed_in(request)
    form = forms.RecoveryFilterForm(request.GET or None)
    status = form.status_filter()
    qs = Recovery.objects.visible_to(user).select_related(
        "line__person", "line__roll", "resolved_by"
    )
    open_count = qs.filter(status=RecoveryStatus.OPEN).count()
    if status:
        qs = qs.filter(status=status)
    # "open" sorts before "recovered" and "waived": the open items come first.
    page = Paginator(qs.order_by("status", "-created_at", "-id"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    names = selectors.county_names()
    for item in items:
        item.status_tag = RECOVERY_TAGS.get(RecoveryStatus(item.status), "neutral")
        item.county_name = names.get(item.line.roll.county, item.line.roll.county)
    page.object_list = items
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payroll/recoveries.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "open_count": open_count,
            "can_prepare": can(request, Perm.PREPARE_PAYROLL),
            "page_has_errors": bool(form.errors),
        },
    )


def recovery_detail(request: HttpRequest, recovery_id: int) -> HttpResponse:
    """A recovery item, and the form that closes it (recovered or written off, with a note)."""
    require(request.user, Perm.VIEW_SUBSIDY)
    if request.method == "POST":
        require(request.user, Perm.PREPARE_PAYROLL)
    user = signed_in(request)
    recovery = (
        Recovery.objects.visible_to(user)
        .select_related("line__person", "line__roll", "line__account", with_office("resolved_by"))
        .filter(pk=recovery_id)
        .first()
    )
    if recovery is None:
        raise Http404
    can_resolve = (
        recovery.status == RecoveryStatus.OPEN
        and can(request, Perm.PREPARE_PAYROLL)
        and covers(user, recovery.line.roll.county)
    )
    form = None
    if request.method == "POST":
        form = forms.ResolveForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                rolls.resolve_recovery(
                    recovery_id=recovery.pk,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    acting_user=user,
                )
            if not form.errors:
                messages.success(
                    request,
                    _("The recovery item of %(name)s was closed.")
                    % {"name": recovery.line.person.name},
                )
                return redirect("payroll:recoveries")
        recovery.refresh_from_db()
    elif can_resolve:
        form = forms.ResolveForm()
    recovery.status_tag = RECOVERY_TAGS.get(RecoveryStatus(recovery.status), "neutral")  # type: ignore[attr-defined]
    roll = annotate_roll(recovery.line.roll, selectors.county_names())
    return render(
        request,
        "payroll/recovery.html",
        {
            "recovery": recovery,
            "line": recovery.line,
            "roll": roll,
            "form": form,
            "page_has_errors": bool(form is not None and form.errors),
        },
    )
