"""Certificate pages: the worklist, applications and each step, holders' certificates, prints.

Views parse input, check access and call the services; the rules live in services.py."""

from __future__ import annotations

import dataclasses
import decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import reveal as gate
from canlian.accounts.access import get_visible_or_404, require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.audit.models import Entry
from canlian.certificates import forms, grading, selectors, services
from canlian.certificates.models import (
    Application,
    Certificate,
    CertificateStatus,
    Document,
    Kind,
    Level,
    Objection,
    Status,
)
from canlian.lib import idcard, pdf
from canlian.lib.forms import service_errors
from canlian.people.models import Category, LifeStatus, Person
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


# Service fields that the holder's form names differently.
FIELD_ALIASES = {"place_code": "target_place_code", "target_place": "target_place_code"}


def worklist(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_CERTIFICATE)
    today = timezone.localdate()
    lists = [(WORKLIST_TITLES[w.key], w) for w in selectors.worklists(request.user, today)]
    expiring = selectors.expiring(request.user, today)
    page = Paginator(expiring, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/worklist.html",
        {
            "lists": lists,
            "today": today,
            "expiring": page,
            "can_process": request.user.can(Perm.PROCESS_CERTIFICATE),  # type: ignore[union-attr]
        },
    )


def application_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_CERTIFICATE)
    form = forms.ApplicationFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.search_applications(
        request.user, q=d.get("q", ""), status=d.get("status", ""), kind=d.get("kind", "")
    )
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
            "can_process": request.user.can(Perm.PROCESS_CERTIFICATE),  # type: ignore[union-attr]
            "page_has_errors": bool(form.errors),
        },
    )


def application_create(request: HttpRequest) -> HttpResponse:
    """A first application, or (with ?person=) a holder's renewal, change, replacement or
    transfer."""
    require(request.user, Perm.PROCESS_CERTIFICATE)
    kind = request.GET.get("kind", Kind.FIRST)
    if kind not in Kind.values:
        raise Http404
    person = None
    data = request.POST if request.method == "POST" else None
    form: forms.FirstApplicationForm | forms.HolderApplicationForm
    if kind == Kind.FIRST:
        form = forms.FirstApplicationForm(
            data, user=request.user, initial={"received_on": timezone.localdate()}
        )
    else:
        try:
            person_id = int(request.GET.get("person", ""))
        except ValueError:
            raise Http404 from None
        person = get_visible_or_404(PERSONS, request.user, person_id)
        form = forms.HolderApplicationForm(
            data, kind=kind, initial={"received_on": timezone.localdate()}
        )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form, aliases=FIELD_ALIASES):
            application = services.submit_application(
                kind=kind,
                acting_user=request.user,
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
            )
        if not form.errors:
            messages.success(request, _("The application was accepted."))
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


def _actions(application: Application, user: Any) -> list[Action]:
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
    if s == Status.PUBLICITY:
        actions.append(Action("review", _("County review")))
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
    if application.is_open:
        actions.append(Action("withdraw", _("Withdraw")))
    return actions


def _explained(application: Application, assessment: Any) -> Any:
    """The assessment with its derivation worded in the reader's language (it is stored in
    the language of whoever recorded it)."""
    if assessment.done and assessment.category and assessment.measures and not assessment.parts:
        values = dict(assessment.measures)
        if "acuity" in values:
            values["acuity"] = decimal.Decimal(values["acuity"])
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
    require(request.user, Perm.VIEW_CERTIFICATE)
    application = get_visible_or_404(APPLICATIONS, request.user, pk)
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
            "assessments": assessments,
            "objections": objections,
            "objection_level": Level(level),
            "objection_due": objection_due,
            "certificates": list(application.certificates.all()),
            "actions": _actions(application, request.user),
            "can_decide": request.user.can(Perm.DECIDE_OBJECTION),  # type: ignore[union-attr]
            "today": timezone.localdate(),
            "history": audit_entries(application),
            "documents": Document.choices,
            "unprintable": pdf.missing_glyphs_message(
                f"{application.name}{application.guardian_name}{application.address}"
            ),
        },
    )


HISTORY_LABELS = {
    "certificate.apply": gettext_lazy("Application accepted"),
    "certificate.book": gettext_lazy("Assessment booked"),
    "certificate.assess": gettext_lazy("Assessment recorded"),
    "certificate.publicity": gettext_lazy("Publicity posted"),
    "certificate.issue": gettext_lazy("Certificate issued"),
    "certificate.reject": gettext_lazy("Rejected at county review"),
    "certificate.refuse": gettext_lazy("Refused"),
    "certificate.withdraw": gettext_lazy("Withdrawn"),
    "certificate.transfer": gettext_lazy("Record transferred"),
    "certificate.objection": gettext_lazy("Objection recorded"),
    "certificate.objection.decide": gettext_lazy("Objection decided"),
    "certificate.deadlines": gettext_lazy("Deadlines counted again on the official schedule"),
    "certificate.application.print": gettext_lazy("Application form printed"),
}


def audit_entries(application: Application) -> list[tuple[Any, Any]]:
    """The application's audit entries with a label in words (the code when unknown)."""
    entries = Entry.objects.filter(
        target_type="certificates.application", target_id=str(application.pk)
    ).order_by("id")
    return [(entry, HISTORY_LABELS.get(entry.action, entry.action)) for entry in entries]


STEP_TITLES = {
    "book": gettext_lazy("Book the assessment"),
    "assess": gettext_lazy("Record the assessment"),
    "publicity": gettext_lazy("Post the publicity"),
    "review": gettext_lazy("County review"),
    "issue": gettext_lazy("Issue the certificate"),
    "transfer": gettext_lazy("Complete the transfer"),
    "refuse": gettext_lazy("Refuse the application"),
    "withdraw": gettext_lazy("Withdraw the application"),
    "objection": gettext_lazy("Record an objection"),
}


def _step_form(step: str, application: Application, data: Any) -> Any:
    today = {"on": timezone.localdate()}
    if step == "book":
        return forms.BookForm(data, place=application.place)
    if step == "assess":
        return forms.AssessForm(
            data, initial={"category": application.category, "assessed_on": timezone.localdate()}
        )
    if step == "publicity":
        return forms.PublicityForm(data, initial={"starts_on": timezone.localdate()})
    if step == "review":
        return forms.ReviewForm(data, initial=today)
    if step in ("issue", "transfer"):
        return forms.DateForm(data, initial=today)
    if step in ("refuse", "withdraw"):
        return forms.ReasonForm(data, initial=today)
    if step == "objection":
        return forms.ObjectionForm(data, initial={"filed_on": timezone.localdate()})
    raise Http404


def _run_step(step: str, application: Application, form: Any, user: Any) -> str:
    """Call the service for `step`; return the success message."""
    d = form.cleaned_data
    if step == "book":
        services.book_assessment(
            application=application,
            institution=d["institution"],
            booked_for=d["booked_for"],
            at_home=d["at_home"],
            acting_user=user,
        )
        return _("The assessment was booked.")
    if step == "assess":
        measures = form.measures()
        parts = [
            services.Part(category=c, measures=measures, assessor_grade=g) for c, g in form.parts()
        ]
        grade = form.grade()
        assessment = services.record_assessment(
            application=application,
            assessed_on=d["assessed_on"],
            assessor=d["assessor"],
            category=d["category"],
            measures=measures,
            assessor_grade=grade,
            parts=parts if d["category"] == Category.MULTIPLE else (),
            note=d["note"],
            acting_user=user,
        )
        if assessment.grades_differ:
            return _(
                "The assessment was recorded. Its grade differs from the grade the measures "
                "give: check the note."
            )
        return _("The assessment was recorded.")
    if step == "publicity":
        services.start_publicity(
            application=application,
            starts_on=d["starts_on"],
            location=d["location"],
            acting_user=user,
        )
        return _("The publicity was posted.")
    if step == "review":
        approve = d["decision"] == "approve"
        services.review(
            application=application,
            approve=approve,
            on=d["on"],
            reason=d["reason"],
            acting_user=user,
        )
        return _("The certificate was issued.") if approve else _("The application was rejected.")
    if step == "issue":
        services.issue_without_assessment(application=application, on=d["on"], acting_user=user)
        return _("The certificate was issued.")
    if step == "transfer":
        services.complete_transfer(application=application, on=d["on"], acting_user=user)
        return _("The record was transferred.")
    if step == "refuse":
        services.refuse(application=application, on=d["on"], reason=d["reason"], acting_user=user)
        return _("The application was refused.")
    if step == "withdraw":
        services.withdraw(application=application, on=d["on"], reason=d["reason"], acting_user=user)
        return _("The application was withdrawn.")
    services.file_objection(
        application=application, filed_on=d["filed_on"], grounds=d["grounds"], acting_user=user
    )
    return _("The objection was recorded.")


def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    require(request.user, Perm.PROCESS_CERTIFICATE)
    application = get_visible_or_404(APPLICATIONS, request.user, pk)
    if step not in STEP_TITLES:
        raise Http404
    form = _step_form(step, application, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form, aliases=FIELD_ALIASES):
            message = _run_step(step, application, form, request.user)
        if not form.errors:
            messages.success(request, message)
            return redirect("certificates:application_detail", pk=application.pk)
    return render(
        request,
        "certificates/step.html",
        {
            "application": application,
            "form": form,
            "step": step,
            "title": STEP_TITLES[step],
            "page_has_errors": bool(form.errors),
        },
    )


def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.DECIDE_OBJECTION)
    objection = get_object_or_404(Objection, pk=pk)
    application = get_visible_or_404(APPLICATIONS, request.user, objection.application_id)
    form = forms.DecideObjectionForm(
        request.POST if request.method == "POST" else None,
        initial={"decided_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form, aliases=FIELD_ALIASES):
            services.decide_objection(
                objection=objection,
                decided_on=d["decided_on"],
                outcome=d["outcome"],
                grade=form.grade_value(),
                note=d["note"],
                acting_user=request.user,
            )
        if not form.errors:
            messages.success(request, _("The decision was recorded."))
            return redirect("certificates:application_detail", pk=application.pk)
    return render(
        request,
        "certificates/step.html",
        {
            "application": application,
            "form": form,
            "step": "decide",
            "title": _("Decide the objection (%(level)s)")
            % {"level": objection.get_level_display()},
            "objection": objection,
            "page_has_errors": bool(form.errors),
        },
    )


def person_certificates(request: HttpRequest, person_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_CERTIFICATE)
    person = get_visible_or_404(PERSONS, request.user, person_id)
    certificates = list(person.certificates.select_related("application").all())
    applications = list(person.certificate_applications.all())
    can_process = request.user.can(Perm.PROCESS_CERTIFICATE)  # type: ignore[union-attr]
    active = person.life_status == LifeStatus.ACTIVE
    open_application = next((a for a in applications if a.is_open), None)
    return render(
        request,
        "certificates/person.html",
        {
            "person": person,
            "certificates": certificates,
            "applications": applications,
            "open_application": open_application,
            "holder_kinds": [
                (k, Kind(k).label)
                for k in (Kind.RENEWAL, Kind.CHANGE, Kind.REPLACEMENT, Kind.TRANSFER)
            ]
            if can_process and active and open_application is None
            else [],
            "can_cancel": can_process and active and open_application is None,
            "lock_ends": services.lock_ends(person) if not active else None,
            "unprintable": pdf.missing_glyphs_message(
                f"{person.name}{person.guardian_name}{person.address}"
            ),
            "today": timezone.localdate(),
        },
    )


def cancel(request: HttpRequest, person_id: int) -> HttpResponse:
    require(request.user, Perm.PROCESS_CERTIFICATE)
    person = get_visible_or_404(PERSONS, request.user, person_id)
    form = forms.CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form, aliases=FIELD_ALIASES):
            services.cancel_certificate(
                person=person,
                reason=d["reason"],
                on=d["on"],
                note=d["note"],
                acting_user=request.user,
            )
        if not form.errors:
            messages.success(request, _("The certificate was cancelled."))
            return redirect("certificates:person", person_id=person.pk)
    return render(
        request,
        "certificates/cancel.html",
        {"person": person, "form": form, "page_has_errors": bool(form.errors)},
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The application form (残疾人证申请表) as filled in, for signature and the file."""
    require(request.user, Perm.VIEW_CERTIFICATE)
    application = get_visible_or_404(APPLICATIONS, request.user, pk)
    with transaction.atomic():
        audit.record_access(
            acting_user=signed_in(request),
            action="certificate.application.print",
            target=application,
            detail={},
        )
    content = pdf.render_pdf(
        "certificates/print/application.html",
        {
            "application": application,
            "assessments": list(application.assessments.select_related("institution")),
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    return _pdf_response(content, f"application-{application.pk}.pdf")


def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate's data page, with the full certificate number: printing needs the
    reveal permission and is logged."""
    require(request.user, Perm.VIEW_CERTIFICATE)
    certificate = get_object_or_404(
        Certificate.objects.visible_to(request.user).select_related(
            "person", "person__place", "person__place__parent", "county"
        ),
        pk=pk,
    )
    person = certificate.person
    opened = gate.reveal(
        target=person, fields=("id_number",), purpose=gate.Purpose.PRINT,
        acting_user=signed_in(request), action="certificate.print",
        detail={"certificate": certificate.pk},
    )  # fmt: skip
    content = pdf.render_pdf(
        "certificates/print/certificate.html",
        {
            "certificate": certificate,
            "person": person,
            "number": idcard.certificate_number(
                opened["id_number"], certificate.category, certificate.grade
            ),
            "valid": certificate.status == CertificateStatus.VALID,
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    return _pdf_response(content, f"certificate-{certificate.pk}.pdf")
