"""Subsidy pages (/subsidies/): applications and their steps, enrolments, account changes and
ends.

Views parse input, check access and call the services; the rules live in services.py. Every
page checks the permission first (403), then looks the record up in the user's scope (404), so
a URL reveals nothing outside it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canlian.accounts import lookups
from canlian.accounts.access import get_visible_or_404, require
from canlian.accounts.actors import Actor, signed_in
from canlian.accounts.display import with_office
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.benefits import (
    deadlines,
    eligibility,
    forms,
    publicity,
    selectors,
    services,
    step_map,
)
from canlian.benefits.models import (
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Step,
    SubsidyApplication,
)
from canlian.benefits.selectors import annotate_applications, annotate_enrolments
from canlian.lib import idcard
from canlian.lib.forms import FilterForm, service_errors
from canlian.lib.receipts import public_url
from canlian.people import picker
from canlian.people.selectors import INITIALS_RE, number_index

APPLICATIONS = SubsidyApplication.objects.select_related(
    "person", "person__place", "person__place__parent"
)
ENROLMENTS = Enrolment.objects.select_related(
    "person", "person__place", "person__place__parent", "account", "application"
)


# Whoever holds none of these takes no step of any application.
DECIDING_PERMS = (Perm.CHECK_SUBSIDY, Perm.REVIEW_SUBSIDY, Perm.APPROVE_SUBSIDY)


def _can(request: HttpRequest, perm: str) -> bool:
    return bool(request.user.can(perm))  # type: ignore[union-attr]


def _search(qs: QuerySet[Any], q: str, user: Actor) -> QuerySet[Any]:
    """Narrow `qs` (rows with a `person`) to a person searched by the start of the name, the
    pinyin initials or an exact ID or certificate number, alone or beside a name (王建国
    41082519…: the number decides; people.selectors.number_index, recorded and limited)."""
    q = q.strip()
    if not q:
        return qs
    index = number_index(user, q, where="subsidies")
    if index is not None:
        return qs.filter(person__id_number_index=index)
    text = idcard.normalize(q)
    if INITIALS_RE.match(text):
        return qs.filter(person__name_initials__startswith=text.lower())
    return qs.filter(person__name__startswith=q)


def _searched(form: FilterForm, qs: QuerySet[Any], q: str, user: Actor) -> QuerySet[Any]:
    """`_search` for a list: past the hourly limit of searches by number (accounts.lookups)
    the list finds no one and its search field says why, as the registry's does."""
    try:
        return _search(qs, q, user)
    except lookups.TooManyNumberSearches as exc:
        form.add_error("q", str(exc.args[0]))
        return qs.none()


def _application(user: Actor, pk: int) -> SubsidyApplication:
    return get_visible_or_404(APPLICATIONS, user, pk)


def _enrolment(user: Actor, pk: int) -> Enrolment:
    return get_visible_or_404(ENROLMENTS, user, pk)


def _may_decide(user: Actor, application: SubsidyApplication) -> bool:
    step = selectors.next_step(application)
    return step is not None and user.can(step[1]) and covers(user, application.region)


def _query(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


# ---------------------------------------------------------------------------------------------
# Applications


def application_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    user = signed_in(request)
    form = forms.ApplicationFilterForm(request.GET or None, user=user)
    filters = form.filters()
    qs: QuerySet[Any] = SubsidyApplication.objects.visible_to(user).select_related(
        "person", "person__place", "person__place__parent"
    )
    qs = _searched(form, qs, filters["q"], user)
    if filters["programme"]:
        qs = qs.filter(programme=filters["programme"])
    if filters["county"]:
        qs = qs.filter(region__startswith=filters["county"])
    if filters["township"]:
        qs = qs.filter(region__startswith=filters["township"])
    # The counts by status, under every filter but the status itself.
    counted = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    if filters["status"]:
        qs = qs.filter(status=filters["status"])
    qs = deadlines.with_step_start(qs)
    page = Paginator(qs.order_by("-applied_on", "-id"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    annotate_applications(rows)
    deadlines.annotate_due(rows, timezone.localdate())
    page.object_list = rows
    return render(
        request,
        "benefits/application_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "status_query": _query(request, "status"),
            "counts": [
                (value, label, counted.get(value, 0), value == filters["status"])
                for value, label in ApplicationStatus.choices
            ],
            "can_apply": user.can(Perm.APPLY_SUBSIDY),
            "page_has_errors": bool(form.errors),
        },
    )


def application_create(request: HttpRequest) -> HttpResponse:
    """Take an application at the township window for the person of ?person=<id>, found
    first with the person picker when the page is opened without one."""
    require(request.user, Perm.APPLY_SUBSIDY)
    user = signed_in(request)
    step = picker.pick(request.GET, user=user, who_label=_("Find the applicant"))
    if step.person is None:
        return picker.render_pick(
            request,
            step,
            title=_("Apply for a subsidy"),
            caption=_("The two subsidies"),
            intro=_(
                "Find the applicant on the registry of your jurisdiction, then choose them: "
                "the application form opens for the person chosen."
            ),
            back=(reverse("benefits:list"), _("Back to the subsidy applications")),
        )
    person = step.person
    today = timezone.localdate()
    form = forms.ApplyForm(
        request.POST if request.method == "POST" else None,
        initial={"applied_on": today, "channel": "in_person", "bank_name": person.bank_name},
        person=person,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            application = services.apply(
                person_id=person.pk,
                programme=d["programme"],
                applied_on=d["applied_on"],
                channel=d["channel"],
                bank_name=d["bank_name"],
                account=d["account"],
                proxy_name=d["proxy_name"],
                proxy_relation=d["proxy_relation"],
                note=d["note"],
                equivalent_allowance=d["equivalent_allowance"],
                orphan=d["orphan"],
                work_injury_care=d["work_injury_care"],
                long_term_care_months=d["long_term_care_months"],
                acting_user=user,
            )
        if not form.errors:
            messages.success(
                request,
                _(
                    "Application %(number)s was taken. It awaits the township's first check. "
                    "Give the applicant its receipt code, %(receipt)s: with it they can follow "
                    "the application on the public progress page. Print the receipt for them "
                    "from this page."
                )
                % {"number": application.number, "receipt": application.receipt_display},
            )
            return redirect("benefits:detail", pk=application.pk)
    explanation = eligibility.explain(person, eligibility.Month(today.year, today.month))
    return render(
        request,
        "benefits/application_form.html",
        {
            "form": form,
            "person": person,
            "explanation": explanation,
            "results": [
                (Programme(key).label, result) for key, result in explanation.programmes.items()
            ],
            "page_has_errors": bool(form.errors),
        },
    )


def _may_record_publicity(user: Actor, application: SubsidyApplication) -> bool:
    return application.is_open and services.may_record_publicity(user, application)


def _publicity_form(application: SubsidyApplication, data: Any = None) -> forms.PublicityForm:
    objections = application.publicity_objections
    return forms.PublicityForm(
        data,
        prefix="publicity",
        initial={
            "publicity_start": application.publicity_start,
            "publicity_end": application.publicity_end,
            "publicity_objections": ""
            if objections is None
            else (forms.YES if objections else forms.NO),
        },
    )


def _detail_context(
    request: HttpRequest,
    application: SubsidyApplication,
    *,
    decision_form: Any = None,
    publicity_form: Any = None,
) -> dict[str, Any]:
    user = signed_in(request)
    rule = publicity.rule_of(application)
    if publicity_form is None and _may_record_publicity(user, application):
        publicity_form = _publicity_form(application)
    steps = list(application.steps.select_related(with_office("actor")).order_by("acted_on", "id"))
    start = application.start_month
    explanation = eligibility.explain(
        application.person, eligibility.Month(start.year, start.month)
    )
    result = explanation.programmes.get(application.programme)
    next_step = selectors.next_step(application)
    may_decide = _may_decide(user, application)
    if may_decide and decision_form is None:
        decision_form = forms.DecisionForm(
            approval=next_step is not None and next_step[0] == Step.APPROVAL,
            initial={"acted_on": timezone.localdate()},
        )
    rejection = services.rejection(steps)
    enrolment = (
        Enrolment.objects.visible_to(user).filter(application=application).first()
        if application.status == ApplicationStatus.APPROVED
        else None
    )
    annotate_applications([application])
    started = max((step.acted_on for step in steps), default=application.applied_on)
    application.step_started = started  # type: ignore[attr-defined]
    deadlines.annotate_due([application], timezone.localdate())
    return {
        "application": application,
        "receipt": application.receipt_shown_to(user, timezone.localdate()),
        "progress_url": public_url(reverse("portal:subsidy_progress")),
        "person": application.person,
        "steps": steps,
        "step_map": step_map.application_steps(application, timezone.localdate(), steps),
        "step_map_label": _("Where the application is"),
        "result": result,
        "month": explanation.month,
        "next_step": Step(next_step[0]).label if next_step else None,
        "may_decide": may_decide,
        "decision_form": decision_form,
        "rejection": rejection,
        "enrolment": enrolment,
        "publicity_rule": rule,
        "publicity_form": publicity_form,
        "page_has_errors": any(
            form is not None and form.errors for form in (decision_form, publicity_form)
        ),
    }


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    application = _application(signed_in(request), pk)
    return render(
        request, "benefits/application_detail.html", _detail_context(request, application)
    )


@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the application's next step; refusals come back on the application's page."""
    require(request.user, Perm.VIEW_SUBSIDY)
    user = signed_in(request)
    if not any(_can(request, p) for p in DECIDING_PERMS):
        raise PermissionDenied
    application = _application(user, pk)
    next_step = selectors.next_step(application)
    if next_step is not None and not _can(request, next_step[1]):
        raise PermissionDenied
    form = forms.DecisionForm(
        request.POST,
        approval=next_step is not None and next_step[0] == Step.APPROVAL,
        application=application,
    )
    if form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            decided = services.decide(
                application_id=application.pk,
                passed=form.passed,
                reason=d["reason"],
                acted_on=d["acted_on"],
                acting_user=user,
            )
        if not form.errors:
            if decided.status == ApplicationStatus.APPROVED:
                message = _("The application was approved: the person is enrolled.")
            elif decided.status == ApplicationStatus.REJECTED:
                message = _("The application was rejected.")
            else:
                message = _("The application was passed on: %(status)s.") % {
                    "status": decided.get_status_display()
                }
            messages.success(request, message)
            return redirect("benefits:detail", pk=application.pk)
    application.refresh_from_db()
    return render(
        request,
        "benefits/application_detail.html",
        _detail_context(request, application, decision_form=form),
    )


@require_POST
def application_publicity(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the publicity of the application in the person's village."""
    require(request.user, Perm.VIEW_SUBSIDY)
    user = signed_in(request)
    if not services.may_record_publicity(user):
        raise PermissionDenied
    application = _application(user, pk)
    form = _publicity_form(application, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            services.record_publicity(
                application_id=application.pk,
                start=d["publicity_start"],
                end=d["publicity_end"],
                objections=form.objections,
                acting_user=user,
            )
        if not form.errors:
            messages.success(request, _("The publicity was recorded."))
            return redirect("benefits:detail", pk=application.pk)
    application.refresh_from_db()
    return render(
        request,
        "benefits/application_detail.html",
        _detail_context(request, application, publicity_form=form),
    )


# ---------------------------------------------------------------------------------------------
# Enrolments


def enrolment_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    user = signed_in(request)
    form = forms.EnrolmentFilterForm(request.GET or None, user=user)
    filters = form.filters()
    qs: QuerySet[Any] = Enrolment.objects.visible_to(user).select_related(
        "person", "person__place", "person__place__parent"
    )
    qs = _searched(form, qs, filters["q"], user)
    if filters["programme"]:
        qs = qs.filter(programme=filters["programme"])
    if filters["status"]:
        qs = qs.filter(status=filters["status"])
    if filters["county"]:
        qs = qs.filter(region__startswith=filters["county"])
    page = Paginator(
        qs.order_by("region", "person__name", "programme", "id"), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    annotate_enrolments(rows)
    page.object_list = rows
    return render(
        request,
        "benefits/enrolment_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "page_has_errors": bool(form.errors),
        },
    )


def _care_form(enrolment: Enrolment, data: Any = None) -> forms.CareFactsForm:
    return forms.CareFactsForm(
        data,
        prefix="care",
        care=enrolment.programme == Programme.CARE,
        initial={
            "work_injury_care": enrolment.work_injury_care,
            "long_term_care_months": enrolment.long_term_care_months,
        },
    )


def _enrolment_context(
    request: HttpRequest,
    enrolment: Enrolment,
    *,
    account_form: Any = None,
    care_form: Any = None,
) -> dict[str, Any]:
    user = signed_in(request)
    can_change = _can(request, Perm.REVIEW_SUBSIDY) and covers(user, enrolment.region)
    active = enrolment.status == EnrolmentStatus.ACTIVE
    if can_change and active and account_form is None:
        account_form = forms.AccountForm(prefix="account")
    if can_change and active and care_form is None:
        care_form = _care_form(enrolment)
    annotate_enrolments([enrolment])
    forms_shown = [form for form in (account_form, care_form) if form is not None]
    return {
        "enrolment": enrolment,
        "person": enrolment.person,
        "can_change": can_change and active,
        "account_form": account_form,
        "care_form": care_form,
        "page_has_errors": any(form.errors for form in forms_shown),
    }


def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    enrolment = _enrolment(signed_in(request), pk)
    return render(request, "benefits/enrolment_detail.html", _enrolment_context(request, enrolment))


@require_POST
def enrolment_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay the enrolment into another account from the next roll."""
    require(request.user, Perm.REVIEW_SUBSIDY)
    user = signed_in(request)
    enrolment = _enrolment(user, pk)
    form = forms.AccountForm(request.POST, prefix="account")
    if form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            changed = services.change_account(
                enrolment_id=enrolment.pk,
                bank_name=d["bank_name"],
                account=d["account"],
                acting_user=user,
            )
        if not form.errors:
            messages.success(
                request,
                _("The account was changed to %(account)s: it is paid from the next roll.")
                % {"account": changed.account.account_masked},
            )
            return redirect("benefits:enrolment", pk=enrolment.pk)
    enrolment = _enrolment(user, pk)
    return render(
        request,
        "benefits/enrolment_detail.html",
        _enrolment_context(request, enrolment, account_form=form),
    )


@require_POST
def enrolment_care_facts(request: HttpRequest, pk: int) -> HttpResponse:
    """Record work-injury care and long-term care on the enrolment, from the next roll."""
    require(request.user, Perm.REVIEW_SUBSIDY)
    user = signed_in(request)
    enrolment = _enrolment(user, pk)
    form = _care_form(enrolment, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            services.record_care_facts(
                enrolment_id=enrolment.pk,
                work_injury_care=d["work_injury_care"],
                long_term_care_months=d.get("long_term_care_months"),
                acting_user=user,
            )
        if not form.errors:
            messages.success(
                request, _("The care facts were recorded: they apply from the next roll.")
            )
            return redirect("benefits:enrolment", pk=enrolment.pk)
    enrolment = _enrolment(user, pk)
    return render(
        request,
        "benefits/enrolment_detail.html",
        _enrolment_context(request, enrolment, care_form=form),
    )


def enrolment_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End an enrolment: its own page, with a warning and a confirmation box."""
    require(request.user, Perm.REVIEW_SUBSIDY)
    user = signed_in(request)
    enrolment = _enrolment(user, pk)
    form = forms.EndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form):
            services.end_enrolment(
                enrolment_id=enrolment.pk,
                last_month=d["last_month"],
                reason=d["reason"],
                acting_user=user,
            )
        if not form.errors:
            messages.success(
                request,
                _("The subsidy was ended: the last month paid is %(month)s.")
                % {"month": f"{d['last_month']:%Y-%m}"},
            )
            return redirect("benefits:enrolment", pk=enrolment.pk)
    annotate_enrolments([enrolment])
    return render(
        request,
        "benefits/enrolment_end.html",
        {
            "enrolment": enrolment,
            "person": enrolment.person,
            "form": form,
            "active": enrolment.status == EnrolmentStatus.ACTIVE,
            "page_has_errors": bool(form.errors),
        },
    )
