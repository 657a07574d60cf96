"""The receipt (受理回执) of a subsidy application, as a page to print and as a PDF.

It carries the receipt code, the applicant's name and masked ID number, the subsidy, the date,
the township office and its phone, the public progress page's absolute address with its QR code,
and what happens next (canlian.benefits.next_steps: each step's time limit, and the last day
of the step awaited). The whole code is printed only for the officer who took the application,
on that day (SubsidyApplication.receipt_shown_to): with it anyone can follow the application.
Scoped like the application's page (404 outside the user's jurisdiction); opening the
page and downloading the PDF are logged, each as what it is."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import get_visible_or_404, require
from canlian.accounts.actors import Actor, signed_in
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.benefits.models import SubsidyApplication
from canlian.benefits.next_steps import next_steps
from canlian.lib.receipts import Sheet, public_url, qr_for, respond
from canlian.places.models import Level
from canlian.places.offices import office_of

APPLICATIONS = SubsidyApplication.objects.select_related(
    "person", "person__place", "person__place__parent", "person__place__parent__parent"
)


def sheet_of(application: SubsidyApplication, user: Actor) -> Sheet:
    person = application.person
    today = timezone.localdate()
    code = application.receipt_shown_to(user, today)
    return Sheet(
        code=code,
        code_whole=code == application.receipt_display,
        number=application.number,
        name=person.name,
        id_masked=person.id_number_masked,
        applied_for=application.get_programme_display(),
        taken_on=application.applied_on,
        office=office_of(person.place, Level.TOWNSHIP),
        qr=qr_for(
            public_url(reverse("portal:subsidy_progress")),
            label=_("QR code of the address of the public progress page"),
        ),
        next_steps=next_steps(application, today),
    )


def _receipt(request: HttpRequest, pk: int, *, as_pdf: bool) -> HttpResponse:
    require(request.user, Perm.VIEW_SUBSIDY)
    user = signed_in(request)
    application = get_visible_or_404(APPLICATIONS, user, pk)
    with transaction.atomic():
        audit.record_access(
            acting_user=user,
            # Opening the page is not printing it: the PDF is what is downloaded to print.
            action="subsidy.receipt.pdf" if as_pdf else "subsidy.receipt.view",
            target=application,
            detail={"format": "pdf" if as_pdf else "page"},
        )
    return respond(
        request,
        sheet_of(application, user),
        title=_("Receipt of a subsidy application"),
        as_pdf=as_pdf,
        back_url=reverse("benefits:detail", args=[application.pk]),
        pdf_url=reverse("benefits:receipt_pdf", args=[application.pk]),
    )


def receipt_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _receipt(request, pk, as_pdf=False)


def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _receipt(request, pk, as_pdf=True)
