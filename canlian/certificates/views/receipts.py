"""The receipt (受理回执) of a certificate application, as a page to print and as a PDF.

It carries the receipt code, the application's number, the applicant's name and masked ID
number, the kind of application and the category, the date received, the county
federation's office and its phone, the public progress page's absolute address
(/portal/certificates/, from CANLIAN_PUBLIC_URL) with its QR code, and what happens next with
the time limits of the rules (办法: posting 5 working days, county review within 10 working
days, objections within the dated number of working days). The whole code is printed only for
the clerk who took the application, on that day (Application.receipt_shown_to): with it and
the ID number's last six characters anyone may follow the application. Scoped like the
application (404 outside the user's jurisdiction); opening the
page and downloading the PDF are logged, each as what it is."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.actors import Actor, holding
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.certificates import services
from canlian.certificates.models import Application
from canlian.certificates.views.applications import access_application
from canlian.lib.receipts import Sheet, public_url, qr_for, respond
from canlian.places.models import Level
from canlian.places.offices import office_of


def sheet_of(application: Application, user: Actor) -> Sheet:
    office = office_of(application.place, Level.COUNTY)
    code = application.receipt_shown_to(user, timezone.localdate())
    return Sheet(
        code=code,
        code_whole=code == application.receipt_display,
        number=application.number,
        name=application.name,
        id_masked=application.id_number_masked,
        applied_for=f"{application.get_kind_display()}（{application.get_category_display()}）",
        taken_on=application.received_on,
        office=office,
        qr=qr_for(
            public_url(reverse("portal:certificate_progress")),
            label=_("QR code of the address of the public progress page"),
        ),
        next_steps=services.next_steps(application),
    )


def _receipt(request: HttpRequest, pk: int, *, as_pdf: bool) -> HttpResponse:
    user = holding(request, Perm.VIEW_CERTIFICATE)
    application = access_application(user, pk)
    with transaction.atomic():
        audit.record_access(
            acting_user=user,
            # Opening the page is not printing it: the PDF is what is downloaded to print.
            action="certificate.receipt.pdf" if as_pdf else "certificate.receipt.view",
            target=application,
            detail={"format": "pdf" if as_pdf else "page"},
        )
    return respond(
        request,
        sheet_of(application, user),
        title=_("Receipt of a certificate application"),
        as_pdf=as_pdf,
        back_url=reverse("certificates:application_detail", args=[application.pk]),
        pdf_url=reverse("certificates:receipt_pdf", args=[application.pk]),
    )


def receipt_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _receipt(request, pk, as_pdf=False)


def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _receipt(request, pk, as_pdf=True)
