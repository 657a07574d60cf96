"""Certificate pages: the worklist, the search, a new application and an application's page.

Views parse input, check access and call the services; the rules live in services/. The
steps of an application are in steps.py, a holder's page in holders.py, prints in prints.py."""

from __future__ import annotations

import dataclasses
import decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import lookups
from canlian.accounts.actors import Actor, holding
from canlian.accounts.display import EntryView, entry_views
from canlian.accounts.roles import Perm
from canlian.audit.models import Entry
from canlian.certificates import grading, selectors, services, step_map
from canlian.certificates.forms import applications as forms
from canlian.certificates.models import Application, Document, Kind, Level, Status
from canlian.lib import pdf
from canlian.lib.forms import service_errors
from canlian.lib.receipts import public_url
from canlian.people import picker
from canlian.people.models import Person
from canlian.people.services import age_on

PERSONS = Person.objects.select_related("place", "place__parent")
APPLICATIONS = Application.objects.select_related(
    "place", "place__parent", "person", "tour", "target_place"
)


WORKLIST_TITLES = {
    "to_book": gettext_lazy("Accepted, to book an assessment"),
    "to_assess": gettext_lazy("Assessments booked, result to record"),
    "to_publish": gettext_lazy("Assessed, publicity to post"),
    "to_review": gettext_lazy("Publicity ended, county review due"),
    "in_publicity": gettext_lazy("In publicity"),
    "to_issue": gettext_lazy("Renewals, replacements and transfers to complete"),
    "objections": gettext_lazy("Objections awaiting a decision"),
}


HOLDER_KINDS = (Kind.RENEWAL, Kind.CHANGE, Kind.REPLACEMENT, Kind.TRANSFER)

EXPIRED_ORDER_LABELS = {
    "recent": gettext_lazy("Most recently expired first"),
    "oldest": gettext_lazy("Longest expired first"),
    "name": gettext_lazy("By name"),
    "place": gettext_lazy("By household registration"),
}


def access_application(user: Actor, pk: int) -> Application:
    """The application if `user` may see it; 404 otherwise, so a URL reveals nothing."""
    application = (
        Application.objects.visible_to(user)
        .select_related("place", "place__parent", "person", "tour", "target_place")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def worklist(request: HttpRequest) -> HttpResponse:
    """What is due on the certificates of the user's jurisdiction: the application steps, the
    objections (for whoever may decide them), the renewals within the county's window and
    the expired certificates, paginated and in the order asked for."""
    user = holding(request, Perm.VIEW_CERTIFICATE)
    today = timezone.localdate()
    lists = [(WORKLIST_TITLES[w.key], w) for w in selectors.worklists(user, today)]
    due = selectors.renewals_due(user, today)
    order = request.GET.get("order", "")
    if order not in selectors.EXPIRED_ORDERS:
        order = selectors.EXPIRED_DEFAULT_ORDER
    expired = selectors.expired(user, today, order)
    page = Paginator(expired, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/worklist.html",
        {
            "lists": lists,
            "today": today,
            "due": list(due[: selectors.WORKLIST_ROWS]),
            "due_total": due.count(),
            "window": selectors.renewal_window(user, today),
            "expired": page,
            "order": order,
            "orders": [(key, EXPIRED_ORDER_LABELS[key]) for key in selectors.EXPIRED_ORDERS],
            "query": f"order={order}",
            "can_process": user.can(Perm.PROCESS_CERTIFICATE),
            "holder_kinds": holder_kinds(),
        },
    )


def application_list(request: HttpRequest) -> HttpResponse:
    user = holding(request, Perm.VIEW_CERTIFICATE)
    form = forms.ApplicationFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        qs = selectors.search_applications(
            user, q=d.get("q", ""), status=d.get("status", ""), kind=d.get("kind", "")
        )
    except lookups.TooManyNumberSearches as exc:
        # Past the hourly limit of searches by number: no one, and the search field says why.
        form.add_error("q", str(exc.args[0]))
        qs = Application.objects.none()
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "certificates/application_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_process": user.can(Perm.PROCESS_CERTIFICATE),
            "holder_kinds": holder_kinds(),
            "page_has_errors": bool(form.errors),
        },
    )


def holder_kinds() -> list[tuple[str, Any]]:
    """The applications a certificate holder makes, (kind, its name)."""
    return [(k, Kind(k).label) for k in HOLDER_KINDS]


def application_create(request: HttpRequest) -> HttpResponse:
    """A first application, or (?kind=) a holder's renewal, change, replacement or transfer
    for the person of ?person=, found first with the person picker when not given."""
    user = holding(request, Perm.PROCESS_CERTIFICATE)
    kind = request.GET.get("kind", Kind.FIRST)
    if kind not in Kind.values:
        raise Http404
    person = None
    data = request.POST if request.method == "POST" else None
    form: forms.FirstApplicationForm | forms.HolderApplicationForm
    if kind == Kind.FIRST:
        form = forms.FirstApplicationForm(
            data, user=user, initial={"received_on": timezone.localdate()}
        )
    else:
        step = picker.pick(request.GET, user=user, who_label=_("Find the certificate holder"))
        if step.person is None:
            return picker.render_pick(
                request,
                step,
                title=Kind(kind).label,
                caption=_("Application by a certificate holder"),
                intro=_(
                    "Find the holder on the registry of your jurisdiction, then choose them: "
                    "the application form opens for the person chosen."
                ),
                keep=[("kind", kind)],
                back=(reverse("certificates:worklist"), _("Back to the certificate worklist")),
            )
        person = step.person
        form = forms.HolderApplicationForm(
            data, kind=kind, user=user, person=person, initial={"received_on": timezone.localdate()}
        )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form, aliases=forms.FIELD_ALIASES):
            application = services.submit_application(
                kind=kind,
                acting_user=user,
                received_on=d["received_on"],
                applied_by=d["applied_by"],
                documents=d["documents"],
                proxy_name=d["proxy_name"],
                category=d.get("category"),
                applicant=form.applicant()
                if isinstance(form, forms.FirstApplicationForm)
                else None,
                person=person,
                needs_assessment=bool(d.get("needs_assessment")),
                target_place_code=d.get("target_place_code") or "",
                reason=d.get("reason") or "",
                replacement_reason=d.get("replacement_reason") or "",
            )
        if not form.errors:
            messages.success(
                request,
                _(
                    "The application was accepted as %(number)s. Give the applicant its receipt "
                    "code, %(receipt)s: with it they can follow the application on the public "
                    "progress page. Print the receipt for them from this page."
                )
                % {"number": application.number, "receipt": application.receipt_display},
            )
            return redirect("certificates:application_detail", pk=application.pk)
    return render(
        request,
        "certificates/application_form.html",
        {
            "form": form,
            "kind": Kind(kind),
            "person": person,
            "page_has_errors": bool(form.errors),
        },
    )


@dataclasses.dataclass
class Action:
    step: str
    label: Any


def _actions(application: Application, user: Actor) -> list[Action]:
    """The steps the user may take next on this application."""
    if not user.can(Perm.PROCESS_CERTIFICATE):
        return []
    s = application.status
    actions: list[Action] = []
    if s in (Status.SUBMITTED, Status.BOOKED) and application.needs_assessment:
        actions.append(Action("book", _("Book the assessment")))
    if s == Status.BOOKED:
        actions.append(Action("assess", _("Record the assessment")))
    if s == Status.ASSESSED:
        actions.append(Action("publicity", _("Post the publicity")))
    if s in (Status.PUBLICITY, Status.AWAITING_REVIEW):
        actions.append(Action("review", _("County review")))
    if s == Status.AWAITING_REVIEW:
        actions.append(Action("publicity", _("Post the publicity all the same")))
    if s == Status.SUBMITTED and not application.needs_assessment:
        if application.kind == Kind.TRANSFER:
            actions.append(Action("transfer", _("Complete the transfer")))
        else:
            actions.append(Action("issue", _("Issue the certificate")))
    if s in services.OBJECTABLE and application.concluded_on:
        _level, deadline = services.objection_deadline(application)
        if deadline is not None:
            actions.append(Action("objection", _("Record an objection")))
    if s in (Status.SUBMITTED, Status.BOOKED):
        actions.append(Action("refuse", _("Refuse")))
    if application.is_open and s != Status.OBJECTION:
        actions.append(Action("withdraw", _("Withdraw")))
    return actions


def _explained(application: Application, assessment: Any) -> Any:
    """The assessment with its derivation worded in the reader's language (it is stored in
    the language of whoever recorded it)."""
    if assessment.done and assessment.category and assessment.measures and not assessment.parts:
        values = dict(assessment.measures)
        for key in ("acuity", "hearing_loss_db"):
            if isinstance(values.get(key), str):
                values[key] = decimal.Decimal(values[key])
        try:
            derivation = grading.derive_grade(
                category=assessment.category,
                measures=grading.Measures(**values),
                age_years=age_on(application.birth_date, assessment.assessed_on),
            )
        except (TypeError, ValueError):
            return assessment
        assessment.derivation = derivation.reason
    return assessment


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = holding(request, Perm.VIEW_CERTIFICATE)
    application = access_application(user, pk)
    # Read once: the list below, the objection deadline and the next steps all use them.
    prefetch_related_objects([application], "objections")
    assessments = [
        _explained(application, a) for a in application.assessments.select_related("institution")
    ]
    objections = list(application.objections.all())
    level, objection_due = (
        services.objection_deadline(application) if application.concluded_on else (Level.CITY, None)
    )
    return render(
        request,
        "certificates/application_detail.html",
        {
            "application": application,
            "receipt": application.receipt_shown_to(user, timezone.localdate()),
            "progress_url": public_url(reverse("portal:certificate_progress")),
            "assessments": assessments,
            "objections": objections,
            "objection_level": Level(level),
            "objection_due": objection_due,
            "certificates": list(application.certificates.all()),
            "actions": _actions(application, user),
            "step_map": step_map.application_steps(application, timezone.localdate(), assessments),
            "step_map_label": _("Where the application is"),
            "can_decide": user.can(Perm.DECIDE_OBJECTION),
            "today": timezone.localdate(),
            "history": audit_entries(application),
            "documents": Document.choices,
            "unprintable": pdf.missing_glyphs_message(
                f"{application.name}{application.guardian_name}{application.address}"
            ),
        },
    )


def audit_entries(application: Application) -> list[EntryView]:
    """The application's audit entries with the user, action and details in words."""
    entries = Entry.objects.filter(
        target_type="certificates.application", target_id=str(application.pk)
    ).order_by("id")
    return entry_views(entries)
