"""The verification result (审核确认书): issuing it for a verified declaration, and printing it.

In Henan the federation verifies the number of disabled employees (审核确认) and the tax office
collects the fund: the document is the verification result, not a payment notice. It keeps the
computed amount as information for the employer, and says so."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.levy import forms, services
from canlian.levy.formula import PARAMETERS_DIRECTORY, EmployerKind
from canlian.levy.models import DeclarationStatus
from canlian.levy.views.detail import detail_context, parameters_shown
from canlian.levy.views.records import declaration_in_scope, tier_label
from canlian.lib import money, pdf
from canlian.lib.forms import service_errors
from canlian.lib.parameters import load_directory
from canlian.places.models import Level

# The file is named as what it is, the verification result (审核确认书), in the interface's
# language of record: the name of the document as the federation issues it.
FILE_STEM = "残保金审核确认书"
LEGAL_BASIS = (
    gettext_lazy(
        "Regulations on the Employment of Persons with Disabilities (State Council Order "
        "No. 488), articles 8 and 9: an employer that employs fewer disabled persons than the "
        "provincial ratio pays the employment security fund."
    ),
    gettext_lazy(
        "Measures for the Collection, Use and Management of the Employment Security Fund for "
        "Persons with Disabilities (Cai Shui [2015] No. 72)."
    ),
)


@require_POST
def notice_issue(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Issue the verification result of a verified declaration: record it, then print it."""
    require(request.user, Perm.MANAGE_LEVY)
    user = signed_in(request)
    declaration = declaration_in_scope(user, declaration_id)
    form = forms.NoticeForm(request.POST, prefix="notice")
    if form.is_valid():
        with service_errors(form):
            services.mark_notified(
                declaration=declaration,
                notified_on=form.cleaned_data["notified_on"],
                acting_user=user,
            )
        if not form.errors:
            return redirect("levy:notice_pdf", declaration_id=declaration.pk)
    declaration.refresh_from_db()
    return render(
        request,
        "levy/declaration_detail.html",
        detail_context(request, declaration, notice_form=form),
    )


def notice_pdf(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """The verification result (审核确认书) of an issued declaration; each print is logged."""
    require(request.user, Perm.VIEW_LEVY)
    user = signed_in(request)
    declaration = declaration_in_scope(user, declaration_id)
    if declaration.status != DeclarationStatus.NOTIFIED or declaration.amount is None:
        raise Http404
    assert declaration.notified_on is not None
    with transaction.atomic():
        audit.record_access(
            acting_user=user,
            action="levy.verification.print",
            target=declaration,
            detail={
                "notified_on": declaration.notified_on.isoformat(),
                "amount": str(declaration.amount),
            },
        )
    employer = declaration.employer
    county = employer.place if employer.place.level == Level.COUNTY else employer.place.parent
    parameters = parameters_shown(declaration.result)
    terms = services.notice_terms(declaration, load_directory(PARAMETERS_DIRECTORY))
    review_days = terms.review_days
    references = []
    for row in parameters:
        if row["reference"] and row["reference"] not in references:
            references.append(row["reference"])
    content = pdf.render_pdf(
        "levy/print/notice.html",
        {
            "title": _(
                "Verification result of the disabled employees for the employment security fund"
            ),
            "federation_name": _("%(place)s Disabled Persons' Federation")
            % {"place": county.name if county else employer.place.name},
            "declaration": declaration,
            "employer": employer,
            "kind": EmployerKind(employer.kind).label,
            "average_wage": money.figures(services.average_wage(declaration)),
            "local_average_wage": money.figures(declaration.local_average_wage),
            "tier_label": tier_label(declaration.tier),
            "steps": declaration.result.get("steps", []),
            "parameters": parameters,
            "figures": money.figures(declaration.amount),
            "capitals": money.capitals(declaration.amount),
            "legal_basis": [str(text) for text in LEGAL_BASIS],
            "references": references,
            "deadline": (
                declaration.notified_on + datetime.timedelta(days=review_days)
                if review_days is not None
                else None
            ),
            "review_days": review_days,
            "surcharge": terms.surcharge,
            "surcharge_capped": terms.surcharge_capped,
        },
        request=request,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"{FILE_STEM}-{declaration.year}-{employer.uscc}.pdf",
        fallback=f"levy-verification-{declaration.year}-{employer.uscc}.pdf",
    )
    return response


def content_disposition(filename: str, *, fallback: str) -> str:
    """An inline Content-Disposition naming `filename` (non-ASCII, RFC 6266 and RFC 5987:
    filename*=UTF-8''…), with the ASCII `fallback` for clients that do not read filename*."""
    assert fallback.isascii() and '"' not in fallback and "\\" not in fallback
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
