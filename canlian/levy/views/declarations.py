"""Entering an employer's declaration for a year, or replacing it until its notice: the form,
and the confirmation page before a verified declaration is replaced."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts import reveal as gate
from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.levy import forms, services
from canlian.levy.models import Declaration, DeclarationStatus, DeclaredEmployee, Employer
from canlian.levy.views.records import employer_in_scope, tier_label
from canlian.lib import money
from canlian.lib.forms import service_errors
from canlian.lib.sealed import Kind


def _token(declaration: Declaration) -> str:
    """What the confirmation page sends back: the declaration as it was when confirmed."""
    return f"{declaration.pk}:{declaration.updated_at.isoformat()}"


def _declaration_initial(request: HttpRequest, employer: Employer, year: int) -> dict[str, Any]:
    """The figures of the employer's declaration for `year` to change, with its employees'
    full ID numbers and veterans' certificate numbers for a user who may reveal them (logged
    as a reveal); else a new one."""
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
    kinds = (Kind.ID_NUMBER, Kind.VETERAN_NUMBER)
    if employees and all(gate.may_reveal(request.user, kind) for kind in kinds):
        opened = gate.reveal_many(
            model=DeclaredEmployee, fields=("id_number", "veteran_number"),
            purpose=gate.Purpose.SHOW,
            acting_user=signed_in(request), region=existing.region_prefix,
            action="levy.declaration.edit_open",
            detail={"declaration": existing.pk, "employees": len(employees)},
        )  # fmt: skip
        initial["employees"] = forms.format_employees(
            [
                services.stored_line(e, opened(e, "id_number"), opened(e, "veteran_number"))
                for e in employees
            ]
        )
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
            f"{amount} ({tier_label(existing.tier)})",
            _("To verify again"),
        ),
    ]


def _unposted_form(request: HttpRequest, employer: Employer) -> forms.DeclarationForm:
    """The form to fill: the year asked for (`?year=`) with its declaration to change, or a
    new declaration of this year."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is not None and services.MIN_YEAR <= year <= today.year:
        return forms.DeclarationForm(initial=_declaration_initial(request, employer, year))
    return forms.DeclarationForm(initial={"year": today.year, "declared_on": today})


def _form_as_typed(request: HttpRequest) -> forms.DeclarationForm:
    """From the confirmation page back to the form, with what was typed."""
    fields = [name for name in forms.DeclarationForm.base_fields if name != "replaces"]
    return forms.DeclarationForm(initial={k: request.POST.get(k, "") for k in fields})


def _confirmation(
    request: HttpRequest, form: forms.DeclarationForm, employer: Employer, existing: Declaration
) -> HttpResponse:
    """The page that asks before a verified declaration is replaced (its amount is cleared)."""
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
                (name, form.data.get(name, "")) for name in form.fields if name != "replaces"
            ],
        },
    )


def _declare(
    request: HttpRequest, form: forms.DeclarationForm, employer: Employer
) -> HttpResponse | None:
    """Save the valid `form` and go to the declaration; None when the service refused it
    (its errors are then on the form)."""
    d = form.cleaned_data
    with service_errors(form):
        services.record_number_lookups(
            employer=employer,
            year=d["year"],
            employees=form.employee_lines(),
            acting_user=signed_in(request),
        )
        declaration = services.declare(
            employer=employer,
            year=d["year"],
            staff=d["staff"],
            total_wages=d["total_wages"],
            local_average_wage=d["local_average_wage"],
            minimum_annual_wage=d["minimum_annual_wage"],
            declared_on=d["declared_on"],
            employees=form.employee_lines(),
            acting_user=signed_in(request),
        )
    if form.errors:
        return None
    messages.success(
        request,
        _(
            "The declaration for %(year)s was saved with %(count)s disabled "
            "employees. Verify it to compute the amount."
        )
        % {"year": declaration.year, "count": len(form.parsed)},
    )
    return redirect("levy:declaration_detail", declaration_id=declaration.pk)


def declaration_create(request: HttpRequest, employer_id: int) -> HttpResponse:
    """Enter the employer's declaration for a year, or replace it until its notice; replacing
    a verified declaration asks first (its amount is cleared)."""
    require(request.user, Perm.MANAGE_LEVY)
    employer = employer_in_scope(signed_in(request), employer_id)
    if request.method != "POST":
        form = _unposted_form(request, employer)
    elif "back" in request.POST:
        form = _form_as_typed(request)
    else:
        form = forms.DeclarationForm(request.POST, employer=employer)
        if form.is_valid():
            existing = Declaration.objects.filter(
                employer=employer, year=form.cleaned_data["year"]
            ).first()
            if (
                existing is not None
                and existing.status == DeclarationStatus.VERIFIED
                and form.cleaned_data["replaces"] != _token(existing)
            ):
                return _confirmation(request, form, employer, existing)
            saved = _declare(request, form, employer)
            if saved is not None:
                return saved
    return render(
        request,
        "levy/declaration_form.html",
        {"form": form, "employer": employer, "page_has_errors": bool(form.errors)},
    )
