"""The steps of an application, each a page with its form: booking and recording the
assessment, publicity, county review, issue, transfer, refusal, withdrawal, an objection and
its decision. Views parse input, check access and call the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.actors import holding
from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.certificates import services
from canlian.certificates.forms import applications as forms
from canlian.certificates.models import Application, Objection, Status
from canlian.certificates.views.applications import access_application
from canlian.lib.forms import service_errors
from canlian.people.models import Category

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

# The button of a step that ends the application names its action; the others save.
STEP_BUTTONS = {
    "refuse": gettext_lazy("Refuse"),
    "withdraw": gettext_lazy("Withdraw the application"),
}


def _step_form(step: str, application: Application, data: Any) -> Any:
    """The form of `step`, bound to `data` when posted; 404 for an unknown step."""
    today = {"on": timezone.localdate()}
    if step == "book":
        return forms.BookForm(data, place=application.place)
    if step == "assess":
        return forms.AssessForm(
            data,
            application=application,
            initial={"category": application.category, "assessed_on": timezone.localdate()},
        )
    if step == "publicity":
        form = forms.MinorPublicityForm if application.status == Status.AWAITING_REVIEW else None
        return (form or forms.PublicityForm)(data, initial={"starts_on": timezone.localdate()})
    if step == "review":
        return forms.ReviewForm(data, initial=today, cancels=application.grade is None)
    if step in ("issue", "transfer"):
        return forms.DateForm(data, initial=today)
    if step == "refuse":
        return forms.RefuseForm(data, initial=today)
    if step == "withdraw":
        return forms.WithdrawForm(data, initial=today)
    if step == "objection":
        return forms.ObjectionForm(data, initial={"filed_on": timezone.localdate()})
    raise Http404


# Each step calls its service with the form's cleaned data and returns the success message.
Step = Callable[[Application, Any, User], str]


def _book(application: Application, form: forms.BookForm, user: User) -> str:
    d = form.cleaned_data
    services.book_assessment(
        application=application,
        institution=d["institution"],
        booked_for=d["booked_for"],
        at_home=d["at_home"],
        acting_user=user,
    )
    return _("The assessment was booked.")


def _assess(application: Application, form: forms.AssessForm, user: User) -> str:
    d = form.cleaned_data
    measures = form.measures()
    parts = [
        services.Part(category=c, measures=measures, assessor_grade=g) for c, g in form.parts()
    ]
    assessment = services.record_assessment(
        application=application,
        assessed_on=d["assessed_on"],
        assessor=d["assessor"],
        category=d["category"],
        measures=measures,
        assessor_grade=form.grade(),
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


def _publicity(application: Application, form: forms.PublicityForm, user: User) -> str:
    d = form.cleaned_data
    services.start_publicity(
        application=application,
        starts_on=d["starts_on"],
        location=d["location"],
        acting_user=user,
        reason=d.get("reason", ""),
    )
    return _("The publicity was posted.")


def _review(application: Application, form: forms.ReviewForm, user: User) -> str:
    d = form.cleaned_data
    approve = d["decision"] == "approve"
    services.review(
        application=application, approve=approve, on=d["on"], reason=d["reason"], acting_user=user
    )
    if not approve:
        return _("The application was rejected.")
    if application.grade is None:
        return _("The conclusion was confirmed and the certificate cancelled.")
    return _("The certificate was issued.")


def _issue(application: Application, form: forms.DateForm, user: User) -> str:
    on = form.cleaned_data["on"]
    services.issue_without_assessment(application=application, on=on, acting_user=user)
    return _("The certificate was issued.")


def _transfer(application: Application, form: forms.DateForm, user: User) -> str:
    on = form.cleaned_data["on"]
    services.complete_transfer(application=application, on=on, acting_user=user)
    return _("The record was transferred.")


def _refuse(application: Application, form: forms.ReasonForm, user: User) -> str:
    d = form.cleaned_data
    services.refuse(application=application, on=d["on"], reason=d["reason"], acting_user=user)
    return _("The application was refused.")


def _withdraw(application: Application, form: forms.ReasonForm, user: User) -> str:
    d = form.cleaned_data
    services.withdraw(application=application, on=d["on"], reason=d["reason"], acting_user=user)
    return _("The application was withdrawn.")


def _objection(application: Application, form: forms.ObjectionForm, user: User) -> str:
    d = form.cleaned_data
    services.file_objection(
        application=application, filed_on=d["filed_on"], grounds=d["grounds"], acting_user=user
    )
    return _("The objection was recorded.")


STEPS: dict[str, Step] = {
    "book": _book,
    "assess": _assess,
    "publicity": _publicity,
    "review": _review,
    "issue": _issue,
    "transfer": _transfer,
    "refuse": _refuse,
    "withdraw": _withdraw,
    "objection": _objection,
}


def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = holding(request, Perm.PROCESS_CERTIFICATE)
    application = access_application(user, pk)
    if step not in STEP_TITLES:
        raise Http404
    form = _step_form(step, application, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form, aliases=forms.FIELD_ALIASES):
            message = STEPS[step](application, form, user)
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
            "button": STEP_BUTTONS.get(step, _("Save")),
            "page_has_errors": bool(form.errors),
        },
    )


def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = holding(request, Perm.DECIDE_OBJECTION)
    objection = get_object_or_404(Objection, pk=pk)
    application = access_application(user, objection.application_id)
    form = forms.DecideObjectionForm(
        request.POST if request.method == "POST" else None,
        initial={"decided_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form, aliases=forms.FIELD_ALIASES):
            services.decide_objection(
                objection=objection,
                decided_on=d["decided_on"],
                outcome=d["outcome"],
                grade=form.grade_value(),
                note=d["note"],
                acting_user=user,
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
