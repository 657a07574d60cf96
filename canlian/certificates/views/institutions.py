"""Institution pages: the designated assessment institutions, adding and editing one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from canlian.accounts.actors import holding, signed_in
from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.certificates import institutions
from canlian.certificates.forms.institutions import InstitutionForm
from canlian.certificates.models import Institution
from canlian.lib.forms import add_service_errors
from canlian.people.models import Category


def institution_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not (user.can(Perm.VIEW_CERTIFICATE) or user.can(Perm.MANAGE_PLACES)):
        raise PermissionDenied
    qs = institutions.institutions_for(user).order_by("place_id", "name")
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for institution in rows:
        institution.category_labels = "、".join(
            str(Category(code).label) for code in institution.categories
        )
        institution.editable = covers(user, institution.place.code)
    page.object_list = rows
    return render(
        request,
        "certificates/institutions/list.html",
        {"page": page, "can_manage": user.can(Perm.MANAGE_PLACES)},
    )


def _save(request: HttpRequest, user: User, institution: Institution | None) -> HttpResponse:
    initial = {}
    if institution is not None:
        initial = {
            "name": institution.name,
            "place": institution.place_id,
            "categories": institution.categories,
            "home_visits": institution.home_visits,
            "address": institution.address,
            "active": institution.active,
        }
    form = InstitutionForm(
        request.POST if request.method == "POST" else None, initial=initial, user=user
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = institutions.save_institution(
                institution=institution,
                name=d["name"],
                place=form.chosen_place(),
                categories=d["categories"],
                home_visits=d["home_visits"],
                address=d["address"],
                active=d["active"],
                acting_user=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
            return redirect("certificates:institution_list")
    return render(
        request,
        "certificates/institutions/form.html",
        {"form": form, "institution": institution, "page_has_errors": bool(form.errors)},
    )


def institution_create(request: HttpRequest) -> HttpResponse:
    return _save(request, holding(request, Perm.MANAGE_PLACES), None)


def institution_edit(request: HttpRequest, institution_id: int) -> HttpResponse:
    user = holding(request, Perm.MANAGE_PLACES)
    institution = institutions.institutions_for(user).filter(pk=institution_id).first()
    if institution is None or not covers(user, institution.place.code):
        raise Http404
    return _save(request, user, institution)
