"""Tour pages: the list, planning a tour, its applications, registering an applicant on the
spot, and the two batch steps (book every assessment, post every publicity)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from canlian.accounts.access import get_visible_or_404, require
from canlian.accounts.actors import Actor, holding, signed_in
from canlian.accounts.display import with_office
from canlian.accounts.roles import Perm
from canlian.certificates import tours
from canlian.certificates.forms.counties import counties_for
from canlian.certificates.forms.tours import (
    BookAllForm,
    CountyForm,
    PublishAllForm,
    TourApplicantForm,
    TourForm,
)
from canlian.certificates.models import Application, Status, Tour
from canlian.lib.forms import add_service_errors, service_errors

TOURS = Tour.objects.select_related(
    "county", "county__parent", "institution", with_office("created_by")
)


def access_tour(user: Actor, tour_id: int) -> Tour:
    """The tour if `user` may see it; 404 otherwise, so a URL reveals nothing."""
    return get_visible_or_404(TOURS, user, tour_id)


def tour_list(request: HttpRequest) -> HttpResponse:
    user = holding(request, Perm.VIEW_CERTIFICATE)
    qs = (
        Tour.objects.visible_to(user)
        .select_related("county", "institution")
        .annotate(applications_count=Count("applications"))
        .order_by("-starts_on", "id")
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/tours/list.html",
        {"page": page, "can_create": user.can(Perm.PROCESS_CERTIFICATE)},
    )


def tour_create(request: HttpRequest) -> HttpResponse:
    user = holding(request, Perm.PROCESS_CERTIFICATE)
    counties = counties_for(user)
    code = request.POST.get("county") or request.GET.get("county")
    if len(counties) == 1:
        code = counties[0].code
    county = next((c for c in counties if c.code == code), None)
    if county is None:
        # Several counties in the jurisdiction: choose one first, its villages come next.
        chooser = CountyForm(request.GET if "county" in request.GET else None, user=user)
        chooser.is_valid()
        return render(
            request,
            "certificates/tours/choose_county.html",
            {"form": chooser, "page_has_errors": bool(chooser.errors)},
        )
    form = TourForm(request.POST if request.method == "POST" else None, county=county)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tour = tours.create_tour(
                county=county,
                name=d["name"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                institution=d["institution"],
                team=d["team"],
                villages=d["villages"],
                acting_user=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The tour %(name)s was planned.") % {"name": tour.name})
            return redirect("certificates:tour_detail", tour_id=tour.pk)
    return render(
        request,
        "certificates/tours/form.html",
        {
            "form": form,
            "county": county,
            "several_counties": len(counties) > 1,
            "page_has_errors": bool(form.errors),
        },
    )


def _applications(user: Actor, tour: Tour) -> QuerySet[Application]:
    return (
        Application.objects.visible_to(user)
        .filter(tour=tour)
        .select_related("place", "place__parent")
        .order_by("id")
    )


def tour_detail(request: HttpRequest, tour_id: int) -> HttpResponse:
    user = signed_in(request)
    tour = access_tour(user, tour_id)
    applications = list(_applications(user, tour))
    counts: dict[str, int] = {status: 0 for status in (Status.SUBMITTED, Status.ASSESSED)}
    for application in applications:
        if application.status in counts:
            counts[application.status] += 1
    return render(
        request,
        "certificates/tours/detail.html",
        {
            "tour": tour,
            "villages": tour.villages.select_related("parent").order_by("code"),
            "applications": applications,
            "to_book": counts[Status.SUBMITTED],
            "to_publish": counts[Status.ASSESSED],
            "can_process": user.can(Perm.PROCESS_CERTIFICATE),
        },
    )


def tour_register(request: HttpRequest, tour_id: int) -> HttpResponse:
    user = signed_in(request)
    tour = access_tour(user, tour_id)
    require(user, Perm.PROCESS_CERTIFICATE)
    form = TourApplicantForm(
        request.POST if request.method == "POST" else None, tour=tour, user=user
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            application = tours.register_applicant(
                tour=tour,
                applicant=form.applicant(),
                category=d["category"],
                applied_by=d["applied_by"],
                proxy_name=d["proxy_name"],
                documents=d["documents"],
                received_on=d["received_on"],
                acting_user=user,
            )
        if not form.errors:
            messages.success(
                request,
                _(
                    "The application of %(name)s was accepted. Give the applicant its receipt "
                    "code, %(receipt)s, to follow it on the public progress page. Register the "
                    "next applicant."
                )
                % {"name": application.name, "receipt": application.receipt_display},
            )
            return redirect("certificates:tour_register", tour_id=tour.pk)
    return render(
        request,
        "certificates/tours/register.html",
        {"tour": tour, "form": form, "page_has_errors": bool(form.errors)},
    )


def _batch(
    request: HttpRequest, tour_id: int, *, form_class: type[Any], status: str, action: str
) -> HttpResponse:
    user = signed_in(request)
    tour = access_tour(user, tour_id)
    require(user, Perm.PROCESS_CERTIFICATE)
    form = form_class(request.POST if request.method == "POST" else None)
    outcomes = None
    if request.method == "POST" and form.is_valid():
        try:
            if action == "book":
                outcomes = tours.book_all(tour=tour, acting_user=user, **form.cleaned_data)
            else:
                outcomes = tours.publish_all(tour=tour, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    waiting = _applications(user, tour).filter(status=status)
    context = {
        "tour": tour,
        "form": form,
        "action": action,
        "waiting": waiting.count(),
        "page_has_errors": bool(form.errors),
    }
    if outcomes is not None:
        context["outcomes"] = outcomes
        context["done"] = sum(1 for _application, error in outcomes if error is None)
        context["refused"] = sum(1 for _application, error in outcomes if error is not None)
    return render(request, "certificates/tours/batch.html", context)


def tour_book(request: HttpRequest, tour_id: int) -> HttpResponse:
    return _batch(request, tour_id, form_class=BookAllForm, status=Status.SUBMITTED, action="book")


def tour_publish(request: HttpRequest, tour_id: int) -> HttpResponse:
    return _batch(
        request, tour_id, form_class=PublishAllForm, status=Status.ASSESSED, action="publish"
    )
