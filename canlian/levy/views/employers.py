"""Employer pages: the list with its search, an employer's page, registering and changing one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.levy import forms, services
from canlian.levy.models import Declaration, Employer
from canlian.levy.views.records import annotate, employer_in_scope
from canlian.lib.forms import service_errors


def employer_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_LEVY)
    user = signed_in(request)
    form = forms.EmployerFilterForm(request.GET or None, user=user)
    filters = form.filters()
    qs = Employer.objects.visible_to(user).select_related("place", "place__parent")
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
            "can_manage": user.can(Perm.MANAGE_LEVY),
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
    user = signed_in(request)
    initial = _employer_initial(employer) if employer is not None else {}
    form = forms.EmployerForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        user=user,
        employer=employer,
    )
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            saved = services.save_employer(data=form.to_data(), employer=employer, acting_user=user)
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
    return _save_employer(request, employer_in_scope(signed_in(request), employer_id))


def employer_detail(request: HttpRequest, employer_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_LEVY)
    user = signed_in(request)
    employer = employer_in_scope(user, employer_id)
    declarations = list(
        Declaration.objects.visible_to(user).filter(employer=employer).order_by("-year")
    )
    annotate(declarations)
    return render(
        request,
        "levy/employer_detail.html",
        {
            "employer": employer,
            "declarations": declarations,
            "can_manage": user.can(Perm.MANAGE_LEVY),
        },
    )
