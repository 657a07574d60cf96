"""Employment security fund pages: employers, declarations, their verification and the notice,
and the yearly collection list with its exports.

Views parse input, check access and call the services; the rules live in services.py and
formula.py. Every page checks the permission first (403), then looks the record up in the
user's scope (404), so a URL reveals nothing outside it."""

from __future__ import annotations

import datetime
import shlex
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from canlian.accounts import reveal as gate
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.levy import forms, selectors, services
from canlian.levy.formula import EmployerKind, Tier
from canlian.levy.models import Declaration, DeclarationStatus, DeclaredEmployee, Employer
from canlian.lib import money, pdf
from canlian.lib.sealed import Kind
from canlian.people.access import require
from canlian.places.models import Level
from canlian.spreadsheets.writing import XLSX, Book, csv_lines, csv_response, safe_cell
from canlian.web.forms import service_errors

# The parameters of the formula, in the order of the computation, and whether each is a ratio
# (shown as a percentage too).
PARAMETERS: dict[str, tuple[Any, bool]] = {
    "levy.ratio": (gettext_lazy("Required ratio of disabled employees"), True),
    "levy.severe_count": (gettext_lazy("A grade 1–2 holder counts as"), False),
    "levy.wage_cap_multiple": (gettext_lazy("Cap on the wage, times the local average"), False),
    "levy.exemption_staff_threshold": (
        gettext_lazy("Enterprises exempt up to this many staff"),
        False,
    ),
    "levy.reduction_floor_ratio": (gettext_lazy("Floor ratio of the reductions"), True),
    "levy.reduction_factor_above_floor": (
        gettext_lazy("Share paid at or above the floor"),
        True,
    ),
    "levy.reduction_factor_below_floor": (gettext_lazy("Share paid below the floor"), True),
}
# The status tags' colour variants (the status is always written out as well).
STATUS_TAGS = {
    DeclarationStatus.DRAFT: "neutral",
    DeclarationStatus.VERIFIED: "info",
    DeclarationStatus.NOTIFIED: "success",
}
# The notice asks for payment within this many days of its date.
PAYMENT_DAYS = 30
LEGAL_BASIS = (
    gettext_lazy(
        "Regulations on the Employment of Persons with Disabilities (State Council Order "
        "No. 488), articles 8 and 9: an employer that employs fewer disabled persons than the "
        "provincial ratio pays the employment security fund."
    ),
    gettext_lazy(
        "Measures for the Collection, Use and Management of the Employment Security Fund for "
        "Persons with Disabilities (Cai Shui [2015] No. 72)."
    ),
)


def _can(request: HttpRequest, perm: str) -> bool:
    return bool(request.user.can(perm))  # type: ignore[union-attr]


def _employer(user: Any, employer_id: int) -> Employer:
    employer = (
        Employer.objects.visible_to(user)
        .select_related("place", "place__parent")
        .filter(pk=employer_id)
        .first()
    )
    if employer is None:
        raise Http404
    return employer


def _declaration(user: Any, declaration_id: int) -> Declaration:
    declaration = (
        Declaration.objects.visible_to(user)
        .select_related("employer", "employer__place", "employer__place__parent")
        .select_related("verified_by", "notified_by")
        .filter(pk=declaration_id)
        .first()
    )
    if declaration is None:
        raise Http404
    return declaration


def _status_tag(declaration: Declaration) -> str:
    return STATUS_TAGS.get(DeclarationStatus(declaration.status), "neutral")


def _tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else tier


def _annotate(declarations: list[Declaration]) -> None:
    """What the tables show of each declaration: status tag, tier and amount in words."""
    for declaration in declarations:
        declaration.status_tag = _status_tag(declaration)  # type: ignore[attr-defined]
        declaration.tier_label = _tier_label(declaration.tier)  # type: ignore[attr-defined]
        declaration.amount_text = (  # type: ignore[attr-defined]
            "" if declaration.amount is None else money.figures(declaration.amount)
        )


# ---------------------------------------------------------------------------------------------
# Employers


def employer_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_LEVY)
    form = forms.EmployerFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    qs = Employer.objects.visible_to(request.user).select_related("place", "place__parent")
    if filters["q"]:
        q = filters["q"]
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__startswith=q.upper().replace(" ", "")))
    if filters["kind"]:
        qs = qs.filter(kind=filters["kind"])
    if filters["county"]:
        qs = qs.filter(place__code__startswith=filters["county"])
    qs = qs.annotate(last_year=Max("declarations__year"), declarations_count=Count("declarations"))
    page = Paginator(qs.order_by("place_id", "name", "id"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "levy/employer_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": _can(request, Perm.MANAGE_LEVY),
            "page_has_errors": bool(form.errors),
        },
    )


def _employer_initial(employer: Employer) -> dict[str, Any]:
    return {
        "name": employer.name,
        "uscc": employer.uscc,
        "kind": employer.kind,
        "place_code": employer.place_id,
        "address": employer.address,
        "contact_name": employer.contact_name,
        "contact_phone": employer.contact_phone,
    }


def _save_employer(request: HttpRequest, employer: Employer | None) -> HttpResponse:
    initial = _employer_initial(employer) if employer is not None else {}
    form = forms.EmployerForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            saved = services.save_employer(
                data=form.to_data(), employer=employer, acting_user=request.user
            )
        if not form.errors:
            messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
            return redirect("levy:employer_detail", employer_id=saved.pk)
    return render(
        request,
        "levy/employer_form.html",
        {"form": form, "employer": employer, "page_has_errors": bool(form.errors)},
    )


def employer_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.MANAGE_LEVY)
    return _save_employer(request, None)


def employer_edit(request: HttpRequest, employer_id: int) -> HttpResponse:
    require(request.user, Perm.MANAGE_LEVY)
    return _save_employer(request, _employer(request.user, employer_id))


def employer_detail(request: HttpRequest, employer_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_LEVY)
    employer = _employer(request.user, employer_id)
    declarations = list(
        Declaration.objects.visible_to(request.user).filter(employer=employer).order_by("-year")
    )
    _annotate(declarations)
    return render(
        request,
        "levy/employer_detail.html",
        {
            "employer": employer,
            "declarations": declarations,
            "can_manage": _can(request, Perm.MANAGE_LEVY),
        },
    )


# ---------------------------------------------------------------------------------------------
# Declarations


def _token(declaration: Declaration) -> str:
    """What the confirmation page sends back: the declaration as it was when confirmed."""
    return f"{declaration.pk}:{declaration.updated_at.isoformat()}"


def _declaration_initial(request: HttpRequest, employer: Employer, year: int) -> dict[str, Any]:
    """The figures of the employer's declaration for `year` to change, with its employees'
    full ID numbers for a user who may reveal them (logged as a reveal); else a new one."""
    today = timezone.localdate()
    existing = Declaration.objects.filter(employer=employer, year=year).first()
    if existing is None or existing.status == DeclarationStatus.NOTIFIED:
        return {"year": year, "declared_on": today}
    initial: dict[str, Any] = {
        "year": existing.year,
        "staff": existing.staff,
        "total_wages": existing.total_wages,
        "local_average_wage": existing.local_average_wage,
        "minimum_annual_wage": existing.minimum_annual_wage,
        "declared_on": existing.declared_on,
    }
    employees = list(existing.employees.order_by("line"))
    if employees and gate.may_reveal(request.user, Kind.ID_NUMBER):
        opened = gate.reveal_many(
            model=DeclaredEmployee, fields=("id_number",), purpose=gate.Purpose.SHOW,
            acting_user=signed_in(request), region=existing.region_prefix,
            action="levy.declaration.edit_open",
            detail={"declaration": existing.pk, "employees": len(employees)},
        )  # fmt: skip
        initial["employees"] = forms.format_employees(
            [
                (opened(e, "id_number"), e.name, e.contract_months, e.annual_wage,
                 e.social_insurance)
                for e in employees
            ]
        )  # fmt: skip
    return initial


def _comparison(existing: Declaration, form: forms.DeclarationForm) -> list[tuple[Any, str, str]]:
    """(label, now, replaced by) of the confirmation page's table."""
    d = form.cleaned_data
    amount = money.figures(existing.amount) if existing.amount is not None else "—"
    return [
        (_("Staff (annual average)"), f"{existing.staff.normalize():f}", f"{d['staff']:f}"),
        (
            _("Total wages (yuan)"),
            money.figures(existing.total_wages),
            money.figures(d["total_wages"]),
        ),
        (
            _("Local average annual wage (yuan)"),
            money.figures(existing.local_average_wage),
            money.figures(d["local_average_wage"]),
        ),
        (
            _("Disabled employees declared"),
            str(existing.employees.count()),
            str(len(form.parsed)),
        ),
        (
            _("Amount due (yuan)"),
            f"{amount} ({_tier_label(existing.tier)})",
            _("To verify again"),
        ),
    ]


def declaration_create(request: HttpRequest, employer_id: int) -> HttpResponse:
    """Enter the employer's declaration for a year, or replace it until its notice; replacing
    a verified declaration asks first (its amount is cleared)."""
    require(request.user, Perm.MANAGE_LEVY)
    employer = _employer(request.user, employer_id)
    today = timezone.localdate()
    if request.method != "POST":
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            year = None
        if year is not None and services.MIN_YEAR <= year <= today.year:
            form = forms.DeclarationForm(initial=_declaration_initial(request, employer, year))
        else:
            form = forms.DeclarationForm(initial={"year": today.year, "declared_on": today})
    elif "back" in request.POST:
        # From the confirmation page back to the form, with what was typed.
        fields = [name for name in forms.DeclarationForm.base_fields if name != "replaces"]
        form = forms.DeclarationForm(initial={k: request.POST.get(k, "") for k in fields})
    else:
        form = forms.DeclarationForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            existing = Declaration.objects.filter(employer=employer, year=d["year"]).first()
            if (
                existing is not None
                and existing.status == DeclarationStatus.VERIFIED
                and d["replaces"] != _token(existing)
            ):
                return render(
                    request,
                    "levy/declaration_confirm.html",
                    {
                        "form": form,
                        "employer": employer,
                        "existing": existing,
                        "rows": _comparison(existing, form),
                        "token": _token(existing),
                        "hidden": [
                            (name, form.data.get(name, ""))
                            for name in form.fields
                            if name != "replaces"
                        ],
                    },
                )
            with service_errors(form):
                declaration = services.declare(
                    employer=employer,
                    year=d["year"],
                    staff=d["staff"],
                    total_wages=d["total_wages"],
                    local_average_wage=d["local_average_wage"],
                    minimum_annual_wage=d["minimum_annual_wage"],
                    declared_on=d["declared_on"],
                    employees=form.employee_lines(),
                    acting_user=request.user,
                )
            if not form.errors:
                messages.success(
                    request,
                    _(
                        "The declaration for %(year)s was saved with %(count)s disabled "
                        "employees. Verify it to compute the amount."
                    )
                    % {"year": declaration.year, "count": len(form.parsed)},
                )
                return redirect("levy:declaration_detail", declaration_id=declaration.pk)
    return render(
        request,
        "levy/declaration_form.html",
        {"form": form, "employer": employer, "page_has_errors": bool(form.errors)},
    )


def command_line(declaration: Declaration, employees: list[Any]) -> str:
    """The `canlian levy calculate` command that gives this declaration's figures."""
    inputs = services.inputs_for(declaration, employees)
    on = inputs.on or services.collection_date(declaration)
    arguments = [
        ("--year", str(inputs.year)),
        ("--province", inputs.region),
        ("--kind", inputs.kind),
        ("--staff", f"{inputs.staff:f}"),
        ("--disabled", f"{inputs.disabled:f}"),
        ("--disabled-severe", f"{inputs.disabled_severe:f}"),
        ("--average-wage", f"{inputs.average_wage:f}"),
        ("--local-average-wage", f"{inputs.local_average_wage:f}"),
        ("--on", on.isoformat()),
    ]
    return shlex.join(
        ["canlian", "levy", "calculate", *[part for pair in arguments for part in pair]]
    )


def _parameters(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters the computation used, in the order of PARAMETERS, for display."""
    used: dict[str, dict[str, str]] = result.get("parameters", {})
    rows = []
    for name in [*PARAMETERS, *sorted(set(used) - set(PARAMETERS))]:
        if name not in used:
            continue
        value = used[name]
        label, is_ratio = PARAMETERS.get(name, (name, False))
        shown = value.get("value", "")
        if is_ratio:
            try:
                percent = (Decimal(shown) * 100).normalize()
                shown = f"{shown} ({percent:f}%)"
            except ArithmeticError:
                pass
        rows.append(
            {
                "name": name,
                "label": label,
                "value": shown,
                "since": value.get("since", ""),
                "reference": value.get("reference", ""),
                "region": value.get("region", ""),
                "sample": value.get("sample") == "true",
            }
        )
    return rows


def _detail_context(
    request: HttpRequest,
    declaration: Declaration,
    *,
    verify_form: forms.VerifyForm | None = None,
    notice_form: forms.NoticeForm | None = None,
) -> dict[str, Any]:
    employees = list(declaration.employees.select_related("person").order_by("line"))
    _annotate([declaration])
    can_manage = _can(request, Perm.MANAGE_LEVY)
    status = declaration.status
    computed = status != DeclarationStatus.DRAFT and declaration.amount is not None
    # A form posted with errors is passed in (its errors are summarised even when the
    # declaration has moved on meanwhile); the forms are shown while their step is open.
    show_verify = can_manage and status != DeclarationStatus.NOTIFIED
    show_notice = can_manage and status == DeclarationStatus.VERIFIED
    if show_verify and verify_form is None:
        verify_form = forms.VerifyForm(prefix="verify")
    if show_notice and notice_form is None:
        notice_form = forms.NoticeForm(
            prefix="notice", initial={"notified_on": timezone.localdate()}
        )
    return {
        "declaration": declaration,
        "employer": declaration.employer,
        "employees": employees,
        "tier_label": _tier_label(declaration.tier),
        "total_wages": money.figures(declaration.total_wages),
        "average_wage_text": money.figures(services.average_wage(declaration)),
        "local_average_wage": money.figures(declaration.local_average_wage),
        "minimum_annual_wage": money.figures(declaration.minimum_annual_wage),
        "collection_date": services.collection_date(declaration),
        "computed": computed,
        "amount_text": money.figures(declaration.amount)
        if computed and declaration.amount is not None
        else "",
        "steps": declaration.result.get("steps", []) if computed else [],
        "parameters": _parameters(declaration.result) if computed else [],
        "any_sample": any(p["sample"] for p in _parameters(declaration.result))
        if computed
        else False,
        "command": command_line(declaration, employees) if computed else "",
        "capitals": money.capitals(declaration.amount)
        if computed and declaration.amount is not None
        else "",
        "can_manage": can_manage,
        "can_replace": can_manage and status != DeclarationStatus.NOTIFIED,
        "verify_form": verify_form,
        "notice_form": notice_form,
        "show_verify": show_verify,
        "show_notice": show_notice,
        "page_has_errors": bool(
            (verify_form and verify_form.errors) or (notice_form and notice_form.errors)
        ),
    }


def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_LEVY)
    declaration = _declaration(request.user, declaration_id)
    return render(request, "levy/declaration_detail.html", _detail_context(request, declaration))


@require_POST
def declaration_verify(request: HttpRequest, declaration_id: int) -> HttpResponse:
    require(request.user, Perm.MANAGE_LEVY)
    declaration = _declaration(request.user, declaration_id)
    form = forms.VerifyForm(request.POST, prefix="verify")
    if form.is_valid():
        try:
            verified = services.verify(declaration=declaration, acting_user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            assert verified.amount is not None
            messages.success(
                request,
                _(
                    "The declaration was verified: %(counted)s counted, %(amount)s yuan to pay "
                    "(%(tier)s)."
                )
                % {
                    "counted": verified.counted,
                    "amount": money.figures(verified.amount),
                    "tier": _tier_label(verified.tier),
                },
            )
            url = reverse("levy:declaration_detail", kwargs={"declaration_id": verified.pk})
            return redirect(url + "#computation")
    declaration.refresh_from_db()
    return render(
        request,
        "levy/declaration_detail.html",
        _detail_context(request, declaration, verify_form=form),
    )


@require_POST
def notice_issue(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Issue the payment notice of a verified declaration: record it, then print it."""
    require(request.user, Perm.MANAGE_LEVY)
    declaration = _declaration(request.user, declaration_id)
    form = forms.NoticeForm(request.POST, prefix="notice")
    if form.is_valid():
        with service_errors(form):
            services.mark_notified(
                declaration=declaration,
                notified_on=form.cleaned_data["notified_on"],
                acting_user=request.user,
            )
        if not form.errors:
            return redirect("levy:notice_pdf", declaration_id=declaration.pk)
    declaration.refresh_from_db()
    return render(
        request,
        "levy/declaration_detail.html",
        _detail_context(request, declaration, notice_form=form),
    )


def notice_pdf(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """The payment notice (缴纳通知书) of an issued declaration; each print is logged."""
    require(request.user, Perm.VIEW_LEVY)
    declaration = _declaration(request.user, declaration_id)
    if declaration.status != DeclarationStatus.NOTIFIED or declaration.amount is None:
        raise Http404
    assert declaration.notified_on is not None
    with transaction.atomic():
        audit.record_access(
            acting_user=request.user,
            action="levy.notice.print",
            target=declaration,
            detail={
                "notified_on": declaration.notified_on.isoformat(),
                "amount": str(declaration.amount),
            },
        )
    employer = declaration.employer
    county = employer.place if employer.place.level == Level.COUNTY else employer.place.parent
    references = []
    for row in _parameters(declaration.result):
        if row["reference"] and row["reference"] not in references:
            references.append(row["reference"])
    content = pdf.render_pdf(
        "levy/print/notice.html",
        {
            "title": _(
                "Notice of payment of the employment security fund for persons with disabilities"
            ),
            "federation_name": _("%(place)s Disabled Persons' Federation")
            % {"place": county.name if county else employer.place.name},
            "declaration": declaration,
            "employer": employer,
            "kind": EmployerKind(employer.kind).label,
            "average_wage": money.figures(services.average_wage(declaration)),
            "local_average_wage": money.figures(declaration.local_average_wage),
            "tier_label": _tier_label(declaration.tier),
            "steps": declaration.result.get("steps", []),
            "parameters": _parameters(declaration.result),
            "figures": money.figures(declaration.amount),
            "capitals": money.capitals(declaration.amount),
            "legal_basis": [str(text) for text in LEGAL_BASIS],
            "references": references,
            "deadline": declaration.notified_on + datetime.timedelta(days=PAYMENT_DAYS),
            "payment_days": PAYMENT_DAYS,
        },
        request=request,
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"levy-notice-{declaration.year}-{employer.uscc}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------------------------
# The yearly collection list


def _collection_years(user: Any) -> list[int]:
    """The collection years with declarations in scope, newest first; this year if none."""
    years = set(
        Declaration.objects.visible_to(user).values_list("year", flat=True).distinct().order_by()
    )
    return sorted(years, reverse=True) or [timezone.localdate().year]


def _collection_filters(request: HttpRequest) -> tuple[forms.CollectionForm, int, str]:
    years = _collection_years(request.user)
    form = forms.CollectionForm(
        request.GET or None, user=request.user, years=years, initial={"year": years[0]}
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data["county"]
    return form, years[0], ""


def collection_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_LEVY)
    form, year, county = _collection_filters(request)
    qs = selectors.collection_list(request.user, year=year, county=county).select_related(
        "employer__place__parent"
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    _annotate(rows)
    page.object_list = rows
    query = request.GET.copy()
    query.pop("page", None)
    export_query = f"year={year}" + (f"&county={county}" if county else "")
    totals = selectors.county_totals(request.user, year=year)
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
        _("Notice issued on"),
    ]


def _collection_rows(user: Any, year: int, county: str) -> Iterator[list[Any]]:
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
            _tier_label(declaration.tier) if declaration.tier else "",
            str(DeclarationStatus(declaration.status).label),
            declaration.notified_on,
        ]


def _log_export(request: HttpRequest, year: int, county: str, fmt: str) -> None:
    with transaction.atomic():
        audit.record_access(
            acting_user=request.user,
            action="levy.collection.export",
            target=None,
            region=getattr(request.user, "scope_prefix", "") or "",
            detail={"year": year, "county": county, "format": fmt},
        )


def collection_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The collection list as CSV (UTF-8 with BOM, which Excel and WPS open), streamed."""
    require(request.user, Perm.VIEW_LEVY)
    _form, year, county = _collection_filters(request)
    _log_export(request, year, county, "csv")
    lines = csv_lines(_collection_headers(), _collection_rows(request.user, year, county))
    return csv_response(lines, f"levy-collection-{year}.csv")


def collection_xlsx(request: HttpRequest) -> FileResponse:
    """The collection list and the totals per county as an .xlsx workbook."""
    require(request.user, Perm.VIEW_LEVY)
    _form, year, county = _collection_filters(request)
    _log_export(request, year, county, "xlsx")
    # Closed by the response once sent; the file has no name on disk.
    target = tempfile.TemporaryFile()  # noqa: SIM115
    book = Book(target, constant_memory=True)
    sheet = book.sheet(_("Collection list")[:31])
    headers = _collection_headers()
    book.headers(sheet, headers, [24 if col in (1, 2) else 12 for col in range(len(headers))])
    sheet.freeze_panes(1, 2)
    for line, row in enumerate(_collection_rows(request.user, year, county), start=1):
        for col, value in enumerate(row):
            # Column 7 is the amount due; the other numbers are counts and ratios.
            book.put(sheet, line, col, value, decimal="yuan" if col == 7 else "number")
    totals = book.sheet(_("Totals per county")[:31])
    headers = [
        _("County"),
        _("Declarations"),
        _("Verified"),
        _("Notices issued"),
        _("Disabled employees counted"),
        _("Amount due (yuan)"),
    ]
    book.headers(totals, headers, [16] * len(headers))
    text, yuan = book.format("text"), book.format("yuan")
    for line, total in enumerate(selectors.county_totals(request.user, year=year), start=1):
        totals.write_string(line, 0, safe_cell(total.name or _("Total")), text)
        for col, value in enumerate(
            (total.employers, total.computed, total.notified, total.counted), start=1
        ):
            totals.write_number(line, col, value)
        totals.write_number(line, 5, float(total.amount), yuan)
    book.close()
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"levy-collection-{year}.xlsx",
        content_type=XLSX,
    )
