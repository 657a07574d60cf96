"""The rolls of a month (/payroll/) and their generation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Programme
from canlian.lib.forms import service_errors
from canlian.payroll import forms, rolls, selectors
from canlian.payroll.models import Recovery, RecoveryStatus, Roll
from canlian.payroll.views.common import annotate_roll, can, current_month, list_url

__all__ = ["generate", "roll_list"]


GENERATED_KEY = "payroll.generated"


def _programme_tables(roll_list: list[Roll]) -> list[dict[str, Any]]:
    tables = []
    for programme in Programme:
        rows = [r for r in roll_list if r.programme == programme]
        tables.append(
            {
                "code": programme.value,
                "label": programme.label,
                "rolls": rows,
                "lines": sum(r.line_count for r in rows),
                "stopped": sum(r.stopped_count for r in rows),
                "total": sum((r.total for r in rows), Decimal("0.00")),
            }
        )
    return tables


def _generated_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The generation summary kept in the session, with the programmes' names."""
    programmes = [
        {"label": Programme(code).label, **figures}
        for code, figures in summary.get("programmes", {}).items()
        if code in Programme.values
    ]
    return {**summary, "programme_rows": programmes}


def _list_context(
    request: HttpRequest, *, generate_form: forms.GenerateForm | None = None
) -> dict[str, Any]:
    user = signed_in(request)
    current = current_month()
    month_form = forms.MonthForm(
        request.GET if "month" in request.GET else None, initial={"month": str(current)}
    )
    month = current
    if month_form.is_bound and month_form.is_valid():
        month = month_form.cleaned_data["month"]
    names = selectors.county_names()
    roll_list = [
        annotate_roll(roll, names)
        for roll in Roll.objects.visible_to(user)
        .filter(month=month.first)
        .select_related("prepared_by__place__parent__parent", "approved_by__place__parent__parent")
        .order_by("programme", "county")
    ]
    tables = _programme_tables(roll_list)
    can_prepare = can(request, Perm.PREPARE_PAYROLL)
    if can_prepare and generate_form is None:
        generate_form = forms.GenerateForm(
            prefix="gen", user=user, initial={"month": str(min(month, current))}
        )
    generated = request.session.pop(GENERATED_KEY, None) if request.method == "GET" else None
    if generated and generated.get("month") != str(month):
        generated = None
    return {
        "month": month,
        "month_form": month_form,
        "previous_month": month.shift(-1),
        "next_month": month.shift(1),
        "tables": tables,
        "any_roll": bool(roll_list),
        "grand_lines": sum(t["lines"] for t in tables),
        "grand_stopped": sum(t["stopped"] for t in tables),
        "grand_total": sum((t["total"] for t in tables), Decimal("0.00")),
        "can_prepare": can_prepare,
        "generate_form": generate_form,
        "generated": _generated_summary(generated) if generated else None,
        "open_recoveries": Recovery.objects.visible_to(user)
        .filter(status=RecoveryStatus.OPEN)
        .count(),
        "page_has_errors": bool(month_form.errors or (generate_form and generate_form.errors)),
    }


def roll_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    return render(request, "payroll/list.html", _list_context(request))


@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, Perm.PREPARE_PAYROLL)
    user = signed_in(request)
    form = forms.GenerateForm(request.POST, prefix="gen", user=user)
    if form.is_valid():
        month: Month = form.cleaned_data["month"]
        with service_errors(form, field="month"):
            result = rolls.generate(
                month=month, county=form.cleaned_data["county"] or None, acting_user=user
            )
        if not form.errors:
            request.session[GENERATED_KEY] = result.summary()
            messages.success(
                request,
                _("The rolls of %(month)s were generated: %(created)s new.")
                % {"month": month, "created": result.created},
            )
            return redirect(list_url(month))
    return render(request, "payroll/list.html", _list_context(request, generate_form=form))
