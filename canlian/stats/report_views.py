"""The federation's report (/stats/report/): the page, its .xlsx workbook and its PDF, each
rendering the one structure `stats.report.build` makes for the user's jurisdiction."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from canlian.accounts.actors import Actor, holding
from canlian.accounts.roles import Perm
from canlian.spreadsheets.writing import XLSX
from canlian.stats import report, report_files, suppression
from canlian.stats.forms import ReportForm


def _build(request: HttpRequest) -> tuple[Actor, ReportForm, report.Report | None]:
    # The statistics' permission, as the menu's: the registry's figures.
    user = holding(request, Perm.VIEW_PERSON)
    form = ReportForm(request.GET)
    if not form.is_valid():
        return user, form, None
    start, end = form.period()
    try:
        built = report.build(
            user,
            start,
            end,
            # The persons eligible and coverage come when their months are kept
            # (eligibility snapshots); deciding them here would hold a web worker for
            # minutes: the command line's --with-eligibility does that.
            publication=form.cleaned_data["publish"],
        )
    except ValidationError:  # no jurisdiction to count in
        raise PermissionDenied from None
    return user, form, built


def _query(form: ReportForm, built: report.Report) -> str:
    params = {"start": built.period.start.isoformat(), "end": built.period.end.isoformat()}
    if form.cleaned_data["publish"]:
        params["publish"] = "on"
    return urlencode(params)


def report_page(request: HttpRequest) -> HttpResponse:
    _user, form, built = _build(request)
    context: dict[str, Any] = {
        "form": form,
        "report": built,
        "small_count": suppression.threshold(),
        "small_shown": suppression.shown(0),
    }
    if built is not None:
        query = _query(form, built)
        context |= {
            "sections": report_files.sections(built),
            "left_out_sentence": report_files.left_out_sentence(built),
            "publication_sentence": report_files.publication_sentence(built),
            "xlsx_url": f"{reverse('stats:report_xlsx')}?{query}",
            "pdf_url": f"{reverse('stats:report_pdf')}?{query}",
        }
    return render(request, "stats/report.html", context, status=200 if form.is_valid() else 400)


def _invalid(request: HttpRequest, form: ReportForm) -> HttpResponse:
    context = {"form": form, "report": None}
    return render(request, "stats/report.html", context, status=400)


def _attachment(built: report.Report, extension: str) -> str:
    """The download's Content-Disposition: the report's name, place and period, in the
    user's language (RFC 6266 filename* for the Chinese)."""
    start, end = built.period.start, built.period.end
    name = f"{_('Report of the figures')}-{built.region_name}-{start:%Y%m%d}-{end:%Y%m%d}"
    return content_disposition_header(as_attachment=True, filename=f"{name}.{extension}") or ""


def report_xlsx(request: HttpRequest) -> HttpResponse:
    _user, form, built = _build(request)
    if built is None:
        return _invalid(request, form)
    stream = io.BytesIO()
    report_files.write_xlsx(built, stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _attachment(built, "xlsx")
    return response


def report_pdf(request: HttpRequest) -> HttpResponse:
    _user, form, built = _build(request)
    if built is None:
        return _invalid(request, form)
    content = report_files.render_pdf(built, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = _attachment(built, "pdf")
    return response
