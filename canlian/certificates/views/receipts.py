"""The receipt (受理回执) of a certificate application, as a page to print and as a PDF.

It carries the application's number (the code to quote when asking about it), the applicant's
name and masked ID number, the kind of application and the category, the date received, the
county federation's office and its phone, and what happens next with the time limits of the
rules (办法: posting 5 working days, county review within 10 working days, objections within
the dated number of working days). Certificates have no public progress page yet: the receipt
gives the office's phone instead of an address. Scoped like the application (404 outside the
user's jurisdiction); every print is logged."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from canlian.accounts.actors import holding
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.certificates import services
from canlian.certificates.models import Application
from canlian.certificates.views.applications import access_application
from canlian.lib.receipts import Sheet, respond
from canlian.places.models import Level
from canlian.places.offices import office_of


def sheet_of(application: Application) -> Sheet:
    office = office_of(application.place, Level.COUNTY)
    return Sheet(
        code=application.number,
        code_whole=True,
        number=application.number,
        name=application.name,
        id_masked=application.id_number_masked,
        applied_for=f"{application.get_kind_display()}（{application.get_category_display()}）",
        taken_on=application.received_on,
        office=office,
        qr=None,
        next_steps=services.next_steps(application),
    )


def _receipt(request: HttpRequest, pk: int, *, as_pdf: bool) -> HttpResponse:
    user = holding(request, Perm.VIEW_CERTIFICATE)
    application = access_application(user, pk)
    with transaction.atomic():
        audit.record_access(
            acting_user=user,
            action="certificate.receipt.print",
            target=application,
            detail={"format": "pdf" if as_pdf else "page"},
        )
    return respond(
        request,
        sheet_of(application),
        title=_("Receipt of a certificate application"),
        as_pdf=as_pdf,
        back_url=reverse("certificates:application_detail", args=[application.pk]),
        pdf_url=reverse("certificates:receipt_pdf", args=[application.pk]),
    )


def receipt_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _receipt(request, pk, as_pdf=False)


def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _receipt(request, pk, as_pdf=True)
