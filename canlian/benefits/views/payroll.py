"""Monthly payment roll pages (/payroll/): the rolls of a month and their generation, one roll
with its lines and stops, approval and discarding after a confirmation page, adjustments, the
bank file and the bank's result file, and the recoveries worklist.

Views parse input, check access and call the services (rolls.py, bankfiles.py), which check
again. Every page checks the permission first (403), then looks the roll up in the user's
scope (404), so a URL reveals nothing outside it. A service's refusal is shown on the form
with the error summary; bad input (a month, an id, a file) is a message, never an error page.
"""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.benefits import bankfiles, eligibility, rollbook, rolls
from canlian.benefits import forms_payroll as forms
from canlian.benefits.eligibility import Month
from canlian.benefits.models import (
    BankExport,
    Enrolment,
    Line,
    PaymentResult,
    PaymentStatus,
    Programme,
    Reconciliation,
    Recovery,
    RecoveryStatus,
    Roll,
    RollStatus,
    Stop,
    reference_filter,
    reference_keys,
)
from canlian.people.access import require
from canlian.spreadsheets.reading import FileRefused
from canlian.spreadsheets.writing import XLSX
from canlian.web.forms import service_errors

# The status tags' colour variants (the status is always written out as well).
STATUS_TAGS = {RollStatus.DRAFT: "warning", RollStatus.APPROVED: "success"}
RECOVERY_TAGS = {
    RecoveryStatus.OPEN: "danger",
    RecoveryStatus.RECOVERED: "success",
    RecoveryStatus.WAIVED: "neutral",
}
# The words of a roll's status and of the bank's result (the models' labels "Approved" and
# "Paid" are shared with applications and social insurance, translated otherwise).
ROLL_STATUS_WORDS = {
    RollStatus.DRAFT: gettext_lazy("Draft, awaiting approval"),
    RollStatus.APPROVED: gettext_lazy("Approved, final"),
}
RESULT_WORDS = {
    PaymentStatus.PAID: gettext_lazy("Paid by the bank"),
    PaymentStatus.FAILED: gettext_lazy("Failed at the bank"),
}
CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
GENERATED_KEY = "payroll.generated"


# ---------------------------------------------------------------------------------------------
# Helpers


def _can(request: HttpRequest, perm: str) -> bool:
    return bool(request.user.can(perm))  # type: ignore[union-attr]


def _current_month() -> Month:
    return Month.of(timezone.localdate())


def _roll(user: Any, roll_id: int) -> Roll:
    roll = (
        Roll.objects.visible_to(user)
        .select_related("prepared_by", "approved_by")
        .filter(pk=roll_id)
        .first()
    )
    if roll is None:
        raise Http404
    return roll


def _person_name(user: Any, fallback: str = "") -> str:
    if user is None:
        return fallback
    return str(user.full_name or user.get_username())


def _annotate_roll(roll: Roll, names: dict[str, str]) -> Roll:
    roll.county_name = names.get(roll.county, roll.county)  # type: ignore[attr-defined]
    roll.status_tag = STATUS_TAGS.get(RollStatus(roll.status), "neutral")  # type: ignore[attr-defined]
    roll.status_text = ROLL_STATUS_WORDS.get(RollStatus(roll.status), roll.status)  # type: ignore[attr-defined]
    roll.prepared_by_text = _person_name(roll.prepared_by, roll.prepared_by_name)  # type: ignore[attr-defined]
    roll.approved_by_text = _person_name(roll.approved_by)  # type: ignore[attr-defined]
    roll.month_text = f"{roll.month:%Y-%m}"  # type: ignore[attr-defined]
    return roll


def _list_url(month: Month | str) -> str:
    return f"{reverse('payroll:list')}?month={month}"


# ---------------------------------------------------------------------------------------------
# The rolls of a month, and their generation


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
    user = request.user
    current = _current_month()
    month_form = forms.MonthForm(
        request.GET if "month" in request.GET else None, initial={"month": str(current)}
    )
    month = current
    if month_form.is_bound and month_form.is_valid():
        month = month_form.cleaned_data["month"]
    names = forms.county_names()
    roll_list = [
        _annotate_roll(roll, names)
        for roll in Roll.objects.visible_to(user)
        .filter(month=month.first)
        .select_related("prepared_by", "approved_by")
        .order_by("programme", "county")
    ]
    tables = _programme_tables(roll_list)
    can_prepare = _can(request, Perm.PREPARE_PAYROLL)
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
    form = forms.GenerateForm(request.POST, prefix="gen", user=request.user)
    if form.is_valid():
        month: Month = form.cleaned_data["month"]
        with service_errors(form, field="month"):
            result = rolls.generate(
                month=month, county=form.cleaned_data["county"] or None, acting_user=request.user
            )
        if not form.errors:
            request.session[GENERATED_KEY] = result.summary()
            messages.success(
                request,
                _("The rolls of %(month)s were generated: %(created)s new.")
                % {"month": month, "created": result.created},
            )
            return redirect(_list_url(month))
    return render(request, "payroll/list.html", _list_context(request, generate_form=form))


# ---------------------------------------------------------------------------------------------
# One roll


def _condition_names(keys: list[str]) -> list[str]:
    return [str(eligibility.NAMES[key]()) if key in eligibility.NAMES else key for key in keys]


def _adjustment_persons(roll: Roll) -> list[tuple[int, str]] | None:
    enrolled = (
        Enrolment.objects.filter(programme=roll.programme, region__startswith=roll.county)
        .values_list("person_id", "person__name")
        .order_by("person__name", "person_id")
        .distinct()
    )
    rows = list(enrolled[: forms.PERSON_CHOICES_LIMIT + 1])
    if len(rows) > forms.PERSON_CHOICES_LIMIT:
        return None
    return [(pk, f"{name} ({pk})") for pk, name in rows]


def _roll_context(
    request: HttpRequest,
    roll: Roll,
    *,
    adjust_form: forms.AdjustmentForm | None = None,
    export_form: forms.ExportForm | None = None,
    upload_form: forms.ResultFileForm | None = None,
    book_form: forms.RollBookForm | None = None,
) -> dict[str, Any]:
    user: Any = request.user
    _annotate_roll(roll, forms.county_names())
    in_scope = covers(user, roll.county)
    can_prepare = _can(request, Perm.PREPARE_PAYROLL) and in_scope
    can_approve = _can(request, Perm.APPROVE_PAYROLL) and in_scope
    is_draft = roll.is_draft
    # Why this officer may not approve the draft (four eyes), in the service's words.
    refused = (
        rolls.refusal(roll=roll, action="approve", acting_user=user)
        if is_draft and can_approve
        else None
    )

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

    stops = list(Stop.objects.filter(roll=roll).select_related("person").order_by("person_id"))
    for stop in stops:
        stop.condition_names = _condition_names(list(stop.conditions))  # type: ignore[attr-defined]

    show_adjust = is_draft and can_prepare
    show_bank = not is_draft and can_prepare
    if show_adjust and adjust_form is None:
        adjust_form = forms.AdjustmentForm(
            prefix="adj",
            persons=_adjustment_persons(roll),
            initial={"month": f"{roll.month:%Y-%m}"},
        )
    if show_bank and export_form is None:
        export_form = forms.ExportForm(prefix="export", user=user)
    if show_bank and upload_form is None:
        upload_form = forms.ResultFileForm(prefix="result")
    return {
        "roll": roll,
        "book_form": book_form or forms.RollBookForm(roll=roll),
        "filter_form": filter_form,
        "filtered": bool(filters["q"] or filters["kind"]),
        "page": page,
        "query": query.urlencode(),
        "stops": stops,
        "show_approve": is_draft and can_approve and refused is None,
        "four_eyes": refused,
        "show_discard": is_draft and can_prepare,
        "show_adjust": show_adjust,
        "show_bank": show_bank,
        "can_reveal": _can(request, Perm.EXPORT_REVEAL),
        "adjust_form": adjust_form if show_adjust else None,
        "export_form": export_form if show_bank else None,
        "upload_form": upload_form if show_bank else None,
        "exports": list(BankExport.objects.filter(roll=roll).select_related("by")[:20]),
        "reconciliations": list(Reconciliation.objects.filter(roll=roll)[:20]),
        # A form posted with errors is summarised even when the roll has moved on meanwhile
        # (approved: no more adjustments) and its section is no longer shown.
        "summary_forms": [
            f
            for f in (adjust_form, export_form, upload_form, book_form)
            if f is not None and f.errors
        ],
        "page_has_errors": any(
            f is not None and f.errors for f in (adjust_form, export_form, upload_form, book_form)
        ),
    }


def roll_detail(request: HttpRequest, roll_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    roll = _roll(request.user, roll_id)
    return render(request, "payroll/roll.html", _roll_context(request, roll))


def _confirm(
    request: HttpRequest, roll_id: int, *, perm: str, action: str
) -> tuple[Roll, forms.ConfirmForm, bool, list[str]]:
    """The roll and the confirmation form of approve/discard; whether the POST may go ahead
    (the box ticked, the roll as it was shown), and the problems to show when it may not."""
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, perm)
    roll = _roll(request.user, roll_id)
    token = forms.roll_token(roll)
    if request.method != "POST":
        return roll, forms.ConfirmForm(initial={"token": token}, action=action), False, []
    form = forms.ConfirmForm(request.POST, action=action)
    valid = form.is_valid()
    if request.POST.get("token") != token:
        # Changed meanwhile (or tampered with): ask again with the figures as they are now.
        changed = _("The roll changed since the page was shown: check the figures again.")
        return roll, forms.ConfirmForm(initial={"token": token}, action=action), False, [changed]
    return roll, form, valid, []


def _confirm_page(
    request: HttpRequest,
    roll: Roll,
    form: forms.ConfirmForm,
    action: str,
    problems: list[str],
    blocked: list[str],
) -> HttpResponse:
    """The confirmation page: the roll's figures, the problems found, and the button unless
    something blocks the action."""
    _annotate_roll(roll, forms.county_names())
    shown = [*problems, *[b for b in blocked if b not in problems]]
    return render(
        request,
        "payroll/confirm.html",
        {
            "roll": roll,
            "form": form,
            "action": action,
            "problems": shown,
            "allowed": not blocked,
            "page_has_errors": bool(shown) or bool(form.errors),
        },
    )


def _blocked(request: HttpRequest, roll: Roll, action: str) -> list[str]:
    """Why `action` cannot be done to `roll` now, in the services' words."""
    if not covers(request.user, roll.county):
        return [_("This roll is outside your jurisdiction.")]
    reason = rolls.refusal(roll=roll, action=action, acting_user=request.user)
    return [reason] if reason else []


def approve(request: HttpRequest, roll_id: int) -> HttpResponse:
    """Ask, then approve a draft roll (four eyes: not the account that prepared it)."""
    roll, form, go, problems = _confirm(
        request, roll_id, perm=Perm.APPROVE_PAYROLL, action="approve"
    )
    if go:
        with service_errors(form):
            rolls.approve(roll_id=roll.pk, acting_user=request.user)
        if not form.errors:
            messages.success(
                request,
                _("The roll was approved: %(lines)s lines, %(total)s yuan.")
                % {"lines": roll.line_count, "total": f"{roll.total:.2f}"},
            )
            return redirect("payroll:roll", roll_id=roll.pk)
        problems = [str(m) for m in form.non_field_errors()]
        roll = _roll(request.user, roll.pk)  # 404 when it went meanwhile
        form = forms.ConfirmForm(initial={"token": forms.roll_token(roll)}, action="approve")
    return _confirm_page(
        request, roll, form, "approve", problems, _blocked(request, roll, "approve")
    )


def discard(request: HttpRequest, roll_id: int) -> HttpResponse:
    """Ask, then delete a draft roll and its lines so that it can be generated again."""
    roll, form, go, problems = _confirm(
        request, roll_id, perm=Perm.PREPARE_PAYROLL, action="discard"
    )
    if go:
        month = f"{roll.month:%Y-%m}"
        with service_errors(form):
            rolls.discard(roll_id=roll.pk, acting_user=request.user)
        if not form.errors:
            messages.success(
                request,
                _("The draft roll was discarded. Generate the month again to make it anew."),
            )
            return redirect(_list_url(month))
        problems = [str(m) for m in form.non_field_errors()]
        roll = _roll(request.user, roll.pk)  # 404 when it went meanwhile
        form = forms.ConfirmForm(initial={"token": forms.roll_token(roll)}, action="discard")
    return _confirm_page(
        request, roll, form, "discard", problems, _blocked(request, roll, "discard")
    )


@require_POST
def adjust(request: HttpRequest, roll_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, Perm.PREPARE_PAYROLL)
    roll = _roll(request.user, roll_id)
    form = forms.AdjustmentForm(request.POST, prefix="adj", persons=_adjustment_persons(roll))
    if form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            line = rolls.add_adjustment(
                roll_id=roll.pk,
                person_id=d["person"],
                month=d["month"],
                amount=d["amount"],
                reason=d["reason"],
                acting_user=request.user,
            )
        if not form.errors:
            messages.success(
                request,
                _("Adjustment %(reference)s of %(amount)s yuan was added.")
                % {"reference": line.reference, "amount": f"{line.amount:.2f}"},
            )
            return redirect("payroll:roll", roll_id=roll.pk)
    roll.refresh_from_db()
    return render(request, "payroll/roll.html", _roll_context(request, roll, adjust_form=form))


@require_POST
def export(request: HttpRequest, roll_id: int) -> HttpResponseBase:
    """The bank file of an approved roll, written to a temporary file and sent (logged)."""
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, Perm.PREPARE_PAYROLL)
    roll = _roll(request.user, roll_id)
    form = forms.ExportForm(request.POST, prefix="export", user=request.user)
    if form.is_valid():
        fmt = form.cleaned_data["format"]
        filename = f"payroll-{roll.county}-{roll.programme}-{roll.month:%Y-%m}.{fmt}"
        folder = Path(tempfile.mkdtemp(prefix="canlian-bankfile-"))
        path = folder / filename
        try:
            with service_errors(form):
                bankfiles.export_roll(
                    roll_id=roll.pk, path=path, full=form.wants_full, acting_user=request.user
                )
            if not form.errors:
                stream = path.open("rb")
                return FileResponse(
                    stream,
                    as_attachment=True,
                    filename=filename,
                    content_type=CONTENT_TYPES[fmt],
                )
        finally:
            # The open stream keeps the file's content; its name goes at once.
            shutil.rmtree(folder, ignore_errors=True)
    return render(request, "payroll/roll.html", _roll_context(request, roll, export_form=form))


def roll_book(request: HttpRequest, roll_id: int) -> HttpResponseBase:
    """The roll laid out for printing and signing (.xlsx), whole or one township's (logged)."""
    require(request.user, Perm.VIEW_SUBSIDY)
    roll = _roll(request.user, roll_id)
    form = forms.RollBookForm(request.GET, roll=roll)
    if form.is_valid():
        township = form.cleaned_data["township"]
        filename = f"roll-{roll.county}-{roll.programme}-{roll.month:%Y-%m}"
        filename += f"-{township}.xlsx" if township else ".xlsx"
        folder = Path(tempfile.mkdtemp(prefix="canlian-rollbook-"))
        path = folder / filename
        try:
            with service_errors(form, field="township"):
                rollbook.write_roll_book(
                    roll_id=roll.pk, path=path, acting_user=request.user, township=township
                )
            if not form.errors:
                return FileResponse(
                    path.open("rb"), as_attachment=True, filename=filename, content_type=XLSX
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return render(request, "payroll/roll.html", _roll_context(request, roll, book_form=form))


@require_POST
def reconcile(request: HttpRequest, roll_id: int) -> HttpResponse:
    """Read the bank's result file of an approved roll; show what it found."""
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, Perm.PREPARE_PAYROLL)
    roll = _roll(request.user, roll_id)
    form = forms.ResultFileForm(request.POST, request.FILES, prefix="result")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        folder = Path(tempfile.mkdtemp(prefix="canlian-bankresult-"))
        path = folder / f"result{Path(upload.name).suffix.lower()}"
        outcome = None
        try:
            with path.open("wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
            with service_errors(form, field="file"):
                try:
                    outcome = bankfiles.reconcile(
                        roll_id=roll.pk, path=path, filename=upload.name, acting_user=request.user
                    )
                except FileRefused as refused:
                    raise ValidationError(refused.message) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if outcome is not None and outcome.record is not None and not form.errors:
            if outcome.agrees:
                messages.success(request, _("The bank's result file agrees with the roll."))
            return redirect("payroll:reconciliation", reconciliation_id=outcome.record.pk)
    return render(request, "payroll/roll.html", _roll_context(request, roll, upload_form=form))


def _names_of(roll: Roll, references: list[str]) -> dict[str, str]:
    """The names of the persons paid by ``references`` of ``roll`` (the ones it has)."""
    persons, lines = reference_keys(references)
    candidates = Line.objects.filter(roll=roll).filter(Q(person_id__in=persons) | Q(pk__in=lines))
    wanted = set(references)
    return {
        line.reference: line.person.name
        for line in candidates.select_related("person")
        if line.reference in wanted
    }


def reconciliation(request: HttpRequest, reconciliation_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    record = (
        Reconciliation.objects.filter(
            pk=reconciliation_id, roll__in=Roll.objects.visible_to(request.user)
        )
        .select_related("roll", "by")
        .first()
    )
    if record is None:
        raise Http404
    roll = _annotate_roll(record.roll, forms.county_names())
    differences: dict[str, Any] = record.differences or {}
    missing_refs: list[str] = list(differences.get("missing", []))
    names = _names_of(roll, missing_refs)
    roll_total = Decimal(differences.get("roll_total") or roll.total)
    file_total = Decimal(differences.get("file_total") or "0")
    export_total = differences.get("export_total")
    failed = list(
        PaymentResult.objects.filter(reconciliation=record, status=PaymentStatus.FAILED)
        .select_related("line__person")
        .order_by("line_id")
    )
    return render(
        request,
        "payroll/reconciliation.html",
        {
            "record": record,
            "roll": roll,
            "roll_total": roll_total,
            "file_total": file_total,
            "export_total": Decimal(export_total) if export_total is not None else None,
            "difference": file_total - roll_total,
            "problems": differences.get("problems", []),
            "missing": [(ref, names.get(ref, "")) for ref in missing_refs],
            "missing_count": differences.get("missing_count", len(missing_refs)),
            "failed": failed,
        },
    )


# ---------------------------------------------------------------------------------------------
# Recoveries


def recovery_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    form = forms.RecoveryFilterForm(request.GET or None)
    status = form.status_filter()
    qs = Recovery.objects.visible_to(request.user).select_related(
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
    names = forms.county_names()
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
            "can_prepare": _can(request, Perm.PREPARE_PAYROLL),
            "page_has_errors": bool(form.errors),
        },
    )


def recovery_detail(request: HttpRequest, recovery_id: int) -> HttpResponse:
    """A recovery item, and the form that closes it (recovered or written off, with a note)."""
    require(request.user, Perm.VIEW_SUBSIDY)
    if request.method == "POST":
        require(request.user, Perm.PREPARE_PAYROLL)
    recovery = (
        Recovery.objects.visible_to(request.user)
        .select_related("line__person", "line__roll", "line__account", "resolved_by")
        .filter(pk=recovery_id)
        .first()
    )
    if recovery is None:
        raise Http404
    can_resolve = (
        recovery.status == RecoveryStatus.OPEN
        and _can(request, Perm.PREPARE_PAYROLL)
        and covers(request.user, recovery.line.roll.county)
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
                    acting_user=request.user,
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
    roll = _annotate_roll(recovery.line.roll, forms.county_names())
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
