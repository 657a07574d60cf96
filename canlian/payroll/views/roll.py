"""One roll's page: its lines (searched, by kind), stops, forms and what the officer may do
with it; adjustments to a draft."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from canlian.accounts import reveal as gate
from canlian.accounts.access import require
from canlian.accounts.actors import Actor, signed_in
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.benefits import eligibility
from canlian.lib import money
from canlian.lib.forms import service_errors
from canlian.lib.sealed import Kind
from canlian.payroll import forms, rolls, selectors
from canlian.payroll.models import (
    BankExport,
    Line,
    PaymentStatus,
    Reconciliation,
    Roll,
    Stop,
    reference_filter,
)
from canlian.payroll.views.common import annotate_roll, can, roll_or_404
from canlian.people import picker

__all__ = ["adjust", "may_export_bank_file", "roll_context", "roll_detail"]


# The words of the bank's result (the model's label "Paid" is shared with social insurance,
# translated otherwise).
RESULT_WORDS = {
    PaymentStatus.PAID: gettext_lazy("Paid by the bank"),
    PaymentStatus.FAILED: gettext_lazy("Failed at the bank"),
}


def _condition_names(keys: list[str]) -> list[str]:
    return [str(eligibility.NAMES[key]()) if key in eligibility.NAMES else key for key in keys]


def may_export_bank_file(user: Actor) -> bool:
    """Whether `user` may write a bank file: it carries full account numbers, opened through
    the reveal gate for the bank (which checks again and logs each file)."""
    return gate.may_reveal(user, Kind.BANK_ACCOUNT, gate.Purpose.BANK_FILE)


def roll_context(
    request: HttpRequest,
    roll: Roll,
    *,
    adjust_form: forms.AdjustmentForm | None = None,
    export_form: forms.ExportForm | None = None,
    upload_form: forms.ResultFileForm | None = None,
    book_form: forms.RollBookForm | None = None,
) -> dict[str, Any]:
    """The roll page's context; a form given is shown as posted (with its errors)."""
    user = signed_in(request)
    annotate_roll(roll, selectors.county_names())
    in_scope = covers(user, roll.county)
    can_prepare = can(request, Perm.PREPARE_PAYROLL) and in_scope
    can_approve = can(request, Perm.APPROVE_PAYROLL) and in_scope
    is_draft = roll.is_draft
    # Why this officer may not approve the draft (four eyes), in the service's words.
    refused = (
        rolls.refusal(roll=roll, action="approve", acting_user=user)
        if is_draft and can_approve
        else None
    )
    lines = _lines(request, roll)
    stops = _stops(roll)
    show_adjust = is_draft and can_prepare
    show_bank = not is_draft and can_prepare
    person_picker = None
    if show_adjust:
        among = selectors.payable(roll)
        person_picker = picker.search(
            request.GET, user=user, among=among, who_label=gettext_lazy("Find the person to pay")
        )
        if adjust_form is None:
            listed = picker.short_list(user, among, forms.PERSON_CHOICES_LIMIT)
            searched = person_picker.searched or listed is None
            adjust_form = forms.AdjustmentForm(
                prefix="adj",
                persons=person_picker.choices if searched else listed or [],
                searched=searched,
                initial={"month": f"{roll.month:%Y-%m}"},
            )
    if show_bank and export_form is None:
        export_form = forms.ExportForm(prefix="export")
    if show_bank and upload_form is None:
        upload_form = forms.ResultFileForm(prefix="result")
    # A form posted with errors is summarised even when the roll has moved on meanwhile
    # (approved: no more adjustments) and its section is no longer shown.
    search_form = person_picker.search if person_picker is not None else None
    posted = [
        f
        for f in (search_form, adjust_form, export_form, upload_form, book_form)
        if f is not None and f.errors
    ]
    return {
        "roll": roll,
        "book_form": book_form or forms.RollBookForm(roll=roll),
        **lines,
        "stops": stops,
        "show_approve": is_draft and can_approve and refused is None,
        "four_eyes": refused,
        "show_discard": is_draft and can_prepare,
        "show_adjust": show_adjust,
        "show_bank": show_bank,
        "may_export": may_export_bank_file(user),
        "adjust_form": adjust_form if show_adjust else None,
        "person_picker": person_picker,
        "export_form": export_form if show_bank else None,
        "upload_form": upload_form if show_bank else None,
        "exports": list(BankExport.objects.filter(roll=roll).select_related("by")[:20]),
        "reconciliations": list(Reconciliation.objects.filter(roll=roll)[:20]),
        "summary_forms": posted,
        "page_has_errors": bool(posted),
    }


def _lines(request: HttpRequest, roll: Roll) -> dict[str, Any]:
    """The page of the roll's lines the search form asks for, each with the bank's result."""
    filter_form = forms.LineFilterForm(request.GET if request.method == "GET" else None)
    filters = filter_form.filters()
    lines = Line.objects.filter(roll=roll).select_related("person", "account", "result")
    if filters["q"]:
        q = filters["q"]
        by_reference = reference_filter(q)
        by_name = Q(person__name__icontains=q)
        lines = lines.filter(by_name | by_reference if by_reference is not None else by_name)
    if filters["kind"]:
        lines = lines.filter(kind=filters["kind"])
    page = Paginator(lines.order_by("id"), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page_lines = list(page.object_list)
    for line in page_lines:
        result = getattr(line, "result", None)
        line.bank_result = result
        line.bank_result_text = RESULT_WORDS.get(PaymentStatus(result.status)) if result else ""
    page.object_list = page_lines
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": filter_form,
        "filtered": bool(filters["q"] or filters["kind"]),
        "page": page,
        "query": query.urlencode(),
    }


def _stops(roll: Roll) -> list[Stop]:
    """The roll's stops, each with the names of the conditions that failed."""
    stops = list(Stop.objects.filter(roll=roll).select_related("person").order_by("person_id"))
    for stop in stops:
        stop.condition_names = _condition_names(list(stop.conditions))  # type: ignore[attr-defined]
    return stops


def roll_detail(request: HttpRequest, roll_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    user = signed_in(request)
    roll = roll_or_404(user, roll_id)
    return render(request, "payroll/roll.html", roll_context(request, roll))


@require_POST
def adjust(request: HttpRequest, roll_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, Perm.PREPARE_PAYROLL)
    user = signed_in(request)
    roll = roll_or_404(user, roll_id)
    among = selectors.payable(roll)
    persons = picker.short_list(user, among, forms.PERSON_CHOICES_LIMIT)
    searched = persons is None
    if persons is None:
        # Offered after a search: the person sent is taken if they may be chosen at all (in
        # the jurisdiction, enrolled in the roll's programme and county), else refused.
        person = picker.chosen(user, request.POST.get("adj-person"), among)
        persons = [] if person is None else [(person.pk, picker.label(person))]
    form = forms.AdjustmentForm(
        request.POST, prefix="adj", persons=persons, searched=searched, roll=roll
    )
    if form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            line = rolls.add_adjustment(
                roll_id=roll.pk,
                person_id=d["person"],
                month=d["month"],
                amount=d["amount"],
                reason=d["reason"],
                acting_user=user,
            )
        if not form.errors:
            messages.success(
                request,
                _("Adjustment %(reference)s of %(amount)s yuan was added.")
                % {"reference": line.reference, "amount": money.figures(line.amount)},
            )
            return redirect("payroll:roll", roll_id=roll.pk)
    roll.refresh_from_db()
    return render(request, "payroll/roll.html", roll_context(request, roll, adjust_form=form))
