"""An approved roll's files: the bank file, the printed roll (.xlsx), the bank's result file
read back and the reconciliation it recorded."""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.lib.forms import service_errors
from canlian.payroll import bankfiles, forms, rollbook, selectors
from canlian.payroll.models import (
    Line,
    PaymentResult,
    PaymentStatus,
    Reconciliation,
    Roll,
    reference_keys,
)
from canlian.payroll.views.common import annotate_roll, roll_or_404
from canlian.payroll.views.roll import may_export_bank_file, roll_context
from canlian.spreadsheets.reading import FileRefused
from canlian.spreadsheets.writing import XLSX

__all__ = ["export", "reconcile", "reconciliation", "roll_book"]


REFUSAL = gettext_lazy(
    "Your role may not export bank files: a bank file carries full account numbers. "
    "No file was written."
)
CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


@require_POST
def export(request: HttpRequest, roll_id: int) -> HttpResponseBase:
    """The bank file of an approved roll, written to a temporary file and sent (logged)."""
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, Perm.PREPARE_PAYROLL)
    user = signed_in(request)
    roll = roll_or_404(user, roll_id)
    form = forms.ExportForm(request.POST, prefix="export")
    if not may_export_bank_file(user):
        # A bank rejects a masked file: no file at all rather than one with masked accounts.
        form.add_error(None, REFUSAL)
        context = roll_context(request, roll, export_form=form)
        return render(request, "payroll/roll.html", context, status=403)
    if form.is_valid():
        fmt = form.cleaned_data["format"]
        filename = f"payroll-{roll.county}-{roll.programme}-{roll.month:%Y-%m}.{fmt}"
        folder = Path(tempfile.mkdtemp(prefix="canlian-bankfile-"))
        path = folder / filename
        try:
            with service_errors(form):
                bankfiles.export_roll(roll_id=roll.pk, path=path, full=True, acting_user=user)
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
    return render(request, "payroll/roll.html", roll_context(request, roll, export_form=form))


def roll_book(request: HttpRequest, roll_id: int) -> HttpResponseBase:
    """The roll laid out for printing and signing (.xlsx), whole or one township's (logged)."""
    require(request.user, Perm.VIEW_SUBSIDY)
    user = signed_in(request)
    roll = roll_or_404(user, roll_id)
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
                    roll_id=roll.pk, path=path, acting_user=user, township=township
                )
            if not form.errors:
                return FileResponse(
                    path.open("rb"), as_attachment=True, filename=filename, content_type=XLSX
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return render(request, "payroll/roll.html", roll_context(request, roll, book_form=form))


@require_POST
def reconcile(request: HttpRequest, roll_id: int) -> HttpResponse:
    """Read the bank's result file of an approved roll; show what it found."""
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, Perm.PREPARE_PAYROLL)
    user = signed_in(request)
    roll = roll_or_404(user, roll_id)
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
                        roll_id=roll.pk, path=path, filename=upload.name, acting_user=user
                    )
                except FileRefused as refused:
                    raise ValidationError(refused.message) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if outcome is not None and outcome.record is not None and not form.errors:
            if outcome.agrees:
                messages.success(request, _("The bank's result file agrees with the roll."))
            return redirect("payroll:reconciliation", reconciliation_id=outcome.record.pk)
    return render(request, "payroll/roll.html", roll_context(request, roll, upload_form=form))


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
    user = signed_in(request)
    record = (
        Reconciliation.objects.filter(pk=reconciliation_id, roll__in=Roll.objects.visible_to(user))
        .select_related("roll", "by")
        .first()
    )
    if record is None:
        raise Http404
    roll = annotate_roll(record.roll, selectors.county_names())
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
