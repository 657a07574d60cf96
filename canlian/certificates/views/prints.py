"""Printed documents: the application form as filled in, and the certificate's data page
with the full certificate number (reveal permission, logged)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from canlian.accounts import reveal as gate
from canlian.accounts.actors import holding
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.certificates.models import Certificate, CertificateStatus, Document
from canlian.certificates.views.applications import access_application
from canlian.lib import idcard, pdf


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The application form (残疾人证申请表) as filled in, for signature and the file."""
    user = holding(request, Perm.VIEW_CERTIFICATE)
    application = access_application(user, pk)
    with transaction.atomic():
        audit.record_access(
            acting_user=user,
            action="certificate.application.print",
            target=application,
            detail={},
        )
    content = pdf.render_pdf(
        "certificates/print/application.html",
        {
            "application": application,
            "assessments": list(application.assessments.select_related("institution")),
            "documents": Document.choices,
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    return _pdf_response(content, f"application-{application.pk}.pdf")


def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate's data page, with the full certificate number: printing needs the
    reveal permission and is logged."""
    user = holding(request, Perm.VIEW_CERTIFICATE)
    certificate = get_object_or_404(
        Certificate.objects.visible_to(user).select_related(
            "person", "person__place", "person__place__parent", "county"
        ),
        pk=pk,
    )
    person = certificate.person
    opened = gate.reveal(
        target=person, fields=("id_number",), purpose=gate.Purpose.PRINT,
        acting_user=user, action="certificate.print",
        detail={"certificate": certificate.pk},
    )  # fmt: skip
    content = pdf.render_pdf(
        "certificates/print/certificate.html",
        {
            "certificate": certificate,
            "person": person,
            "number": idcard.certificate_number(
                opened["id_number"],
                certificate.category,
                certificate.grade,
                certificate.card_suffix,
            ),
            "valid": certificate.status == CertificateStatus.VALID,
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    return _pdf_response(content, f"certificate-{certificate.pk}.pdf")
