"""Supervision pages: the checks, drawing a sample, and recording each certificate's result."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from canlian.accounts.access import get_visible_or_404
from canlian.accounts.actors import Actor, holding, signed_in
from canlian.accounts.display import with_office
from canlian.accounts.roles import Perm
from canlian.certificates import supervision
from canlian.certificates.forms.supervision import CheckResultForm, ResolveForm, SupervisionForm
from canlian.certificates.models import CheckItem, CheckResult, SupervisionCheck
from canlian.lib.forms import add_service_errors
from canlian.places.models import Place

CHECKS = SupervisionCheck.objects.select_related("county", with_office("created_by"))


def access_check(user: Actor, check_id: int) -> SupervisionCheck:
    """The check if `user` may see it; 404 otherwise."""
    return get_visible_or_404(CHECKS, user, check_id)


def check_list(request: HttpRequest) -> HttpResponse:
    user = holding(request, Perm.VIEW_CERTIFICATE)
    qs = (
        SupervisionCheck.objects.visible_to(user)
        .select_related("county")
        .annotate(
            pending=Count("items", filter=Q(items__result=CheckResult.PENDING)),
            discrepancies=Count("items", filter=Q(items__result=CheckResult.DISCREPANCY)),
            unresolved=Count(
                "items",
                filter=Q(items__result=CheckResult.DISCREPANCY, items__resolved_on__isnull=True),
            ),
        )
        .order_by("-created_at", "-id")
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/supervision/list.html",
        {"page": page, "can_create": user.can(Perm.SUPERVISE_CERTIFICATE)},
    )


def check_create(request: HttpRequest) -> HttpResponse:
    user = holding(request, Perm.SUPERVISE_CERTIFICATE)
    form = SupervisionForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            check = supervision.draw_sample(
                county=Place.objects.filter(code=d["county"]).first(),
                period_start=d["period_start"],
                period_end=d["period_end"],
                sample_size=d["sample_size"],
                seed=d["seed"],
                acting_user=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(count)s certificates were drawn out of %(population)s.")
                % {"count": check.sample_size, "population": check.population},
            )
            return redirect("certificates:supervision_detail", check_id=check.pk)
    return render(
        request,
        "certificates/supervision/form.html",
        {"form": form, "page_has_errors": bool(form.errors)},
    )


def check_detail(request: HttpRequest, check_id: int) -> HttpResponse:
    user = signed_in(request)
    check = access_check(user, check_id)
    items = check.items.select_related("certificate__person")
    return render(
        request,
        "certificates/supervision/detail.html",
        {"check": check, "items": items, "can_supervise": user.can(Perm.SUPERVISE_CERTIFICATE)},
    )


def check_item(request: HttpRequest, check_id: int, item_id: int) -> HttpResponse:
    user = signed_in(request)
    check = access_check(user, check_id)
    item = (
        CheckItem.objects.select_related("certificate__person")
        .filter(check_run=check, pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    can_supervise = user.can(Perm.SUPERVISE_CERTIFICATE)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not can_supervise:
        raise PermissionDenied
    result_form = CheckResultForm(
        request.POST if action == "record" else None,
        initial={
            "result": item.result if item.result != CheckResult.PENDING else None,
            "finding": item.finding,
            "checked_on": item.checked_on,
        },
    )
    resolve_form = ResolveForm(request.POST if action == "resolve" else None)
    message = _post(action, item, result_form, resolve_form, user) if action else None
    if message:
        messages.success(request, message)
        return redirect("certificates:supervision_item", check_id=check.pk, item_id=item.pk)
    return render(
        request,
        "certificates/supervision/item.html",
        {
            "check": check,
            "item": item,
            "result_form": result_form,
            "resolve_form": resolve_form,
            "can_record": can_supervise and item.resolved_on is None,
            "can_resolve": can_supervise
            and item.result == CheckResult.DISCREPANCY
            and item.resolved_on is None,
            "page_has_errors": bool(result_form.errors or resolve_form.errors),
        },
    )


def _post(
    action: str,
    item: CheckItem,
    result_form: CheckResultForm,
    resolve_form: ResolveForm,
    user: Actor,
) -> str | None:
    """Record the posted result or follow-up of `item`; the success message, or None when
    nothing was recorded (the form then shows why)."""
    try:
        if action == "record" and result_form.is_valid():
            d = result_form.cleaned_data
            supervision.record_result(
                item=item,
                result=d["result"],
                finding=d["finding"],
                checked_on=d["checked_on"],
                acting_user=user,
            )
            return _("The result of the check was recorded.")
        if action == "resolve" and resolve_form.is_valid():
            d = resolve_form.cleaned_data
            supervision.resolve(
                item=item,
                follow_up=d["follow_up"],
                resolved_on=d["resolved_on"],
                acting_user=user,
            )
            return _("The discrepancy was recorded as resolved.")
    except ValidationError as exc:
        add_service_errors(result_form if action == "record" else resolve_form, exc)
    return None
