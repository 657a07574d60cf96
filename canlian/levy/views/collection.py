"""The yearly collection list: declarations of a year by county with the totals, and its
CSV and .xlsx exports (each logged)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.levy import forms, selectors
from canlian.levy.formula import EmployerKind
from canlian.levy.models import Declaration, DeclarationStatus
from canlian.levy.views.records import annotate, tier_label
from canlian.lib import money
from canlian.places.models import Level
from canlian.spreadsheets.writing import XLSX, Book, csv_lines, csv_response, safe_cell

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


def _collection_years(user: Actor) -> list[int]:
    """The collection years with declarations in scope, newest first; this year if none."""
    years = set(
        Declaration.objects.visible_to(user).values_list("year", flat=True).distinct().order_by()
    )
    return sorted(years, reverse=True) or [timezone.localdate().year]


def _collection_filters(request: HttpRequest) -> tuple[forms.CollectionForm, int, str]:
    user = signed_in(request)
    years = _collection_years(user)
    form = forms.CollectionForm(
        request.GET or None, user=user, years=years, initial={"year": years[0]}
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data["county"]
    return form, years[0], ""


def collection_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_LEVY)
    user = signed_in(request)
    form, year, county = _collection_filters(request)
    qs = selectors.collection_list(user, year=year, county=county).select_related(
        "employer__place__parent"
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    annotate(rows)
    page.object_list = rows
    query = request.GET.copy()
    query.pop("page", None)
    export_query = f"year={year}" + (f"&county={county}" if county else "")
    totals = selectors.county_totals(user, year=year)
    for total in totals:
        total.amount_text = money.figures(total.amount)  # type: ignore[attr-defined]
    return render(
        request,
        "levy/collection_list.html",
        {
            "form": form,
            "year": year,
            "page": page,
            "query": query.urlencode(),
            "export_query": export_query,
            "totals": totals[:-1],
            "grand": totals[-1],
            "page_has_errors": bool(form.errors),
        },
    )


def _collection_headers() -> list[str]:
    return [
        _("County"),
        _("Employer"),
        _("Unified social credit code"),
        _("Kind of employer"),
        _("Collection year"),
        _("Staff"),
        _("Disabled employees counted"),
        _("Amount due (yuan)"),
        _("Tier"),
        _("Declaration status"),
        _("Verification result issued on"),
    ]


def _collection_rows(user: Actor, year: int, county: str) -> Iterator[list[Any]]:
    """One row per declaration: text as text, numbers as Decimal or int, dates as dates."""
    names: dict[str, str] = {}
    qs = selectors.collection_list(user, year=year, county=county)
    for declaration in qs.select_related("employer__place__parent").iterator(chunk_size=500):
        employer = declaration.employer
        place = employer.place
        county_place = place if place.level == Level.COUNTY else place.parent
        code = employer.county_code
        names.setdefault(code, county_place.name if county_place else code)
        yield [
            names[code],
            employer.name,
            employer.uscc,
            str(EmployerKind(employer.kind).label),
            declaration.year,
            declaration.staff,
            declaration.counted,
            declaration.amount,
            tier_label(declaration.tier) if declaration.tier else "",
            str(DeclarationStatus(declaration.status).label),
            declaration.notified_on,
        ]


def _log_export(user: Actor, year: int, county: str, fmt: str) -> None:
    with transaction.atomic():
        audit.record_access(
            acting_user=user,
            action="levy.collection.export",
            target=None,
            region=user.scope_prefix or "",
            detail={"year": year, "county": county, "format": fmt},
        )


def collection_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The collection list as CSV (UTF-8 with BOM, which Excel and WPS open), streamed."""
    require(request.user, Perm.VIEW_LEVY)
    user = signed_in(request)
    _form, year, county = _collection_filters(request)
    _log_export(user, year, county, "csv")

    lines = csv_lines(_collection_headers(), _collection_rows(user, year, county))
    return csv_response(lines, f"levy-collection-{year}.csv")


def _write_list(book: Book, rows: Iterator[list[Any]]) -> None:
    """The sheet of the collection list, one row per declaration under the headers."""
    sheet = book.sheet(_("Collection list")[:31])
    headers = _collection_headers()
    book.headers(sheet, headers, [24 if col in (1, 2) else 12 for col in range(len(headers))])
    sheet.freeze_panes(1, 2)
    for line, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            # Column 7 is the amount due; the other numbers are counts and ratios.
            book.put(sheet, line, col, value, decimal="yuan" if col == 7 else "number")


def _write_totals(book: Book, totals: list[selectors.CountyTotal]) -> None:
    """The sheet of the totals per county, then the grand total."""
    sheet = book.sheet(_("Totals per county")[:31])
    headers = [
        _("County"),
        _("Declarations"),
        _("Verified"),
        _("Verification results issued"),
        _("Disabled employees counted"),
        _("Amount due (yuan)"),
    ]
    book.headers(sheet, headers, [16] * len(headers))
    text, yuan = book.format("text"), book.format("yuan")
    for line, total in enumerate(totals, start=1):
        sheet.write_string(line, 0, safe_cell(total.name or _("Total")), text)
        for col, value in enumerate(
            (total.employers, total.computed, total.notified, total.counted), start=1
        ):
            sheet.write_number(line, col, value)
        sheet.write_number(line, 5, float(total.amount), yuan)


def collection_xlsx(request: HttpRequest) -> FileResponse:
    """The collection list and the totals per county as an .xlsx workbook."""
    require(request.user, Perm.VIEW_LEVY)
    user = signed_in(request)
    _form, year, county = _collection_filters(request)
    _log_export(user, year, county, "xlsx")
    # Closed by the response once sent; the file has no name on disk.
    target = tempfile.TemporaryFile()  # noqa: SIM115
    book = Book(target, constant_memory=True)
    _write_list(book, _collection_rows(user, year, county))
    _write_totals(book, selectors.county_totals(user, year=year))
    book.close()
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"levy-collection-{year}.xlsx",
        content_type=XLSX,
    )
