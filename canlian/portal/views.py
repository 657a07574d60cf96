"""Citizens' self-service pages, open signed out.

/portal/subsidies/ and /portal/certificates/: an applicant follows their subsidy or
certificate application with its receipt code and the last six characters of their ID number.
See benefits/progress.py and certificates/progress.py for what each shows, and
accounts/public_lookups.py for how guessing is limited on both together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from canlian.accounts import public_lookups
from canlian.benefits import progress as subsidies
from canlian.benefits import services
from canlian.benefits.models import OPEN_APPLICATION, ApplicationStatus
from canlian.benefits.next_steps import next_steps
from canlian.benefits.selectors import annotate_applications
from canlian.certificates import progress as certificates
from canlian.lib.clients import client_address
from canlian.portal import forms

T = TypeVar("T")


def _look_up(
    request: HttpRequest,
    form: forms.SubsidyProgressForm | forms.CertificateProgressForm,
    lookup: Callable[..., T | None],
    *,
    too_many: str,
) -> tuple[T | None, int]:
    """What `lookup` finds for the code and ID characters posted in `form`, and the response's
    status; a refusal (`too_many`, with the minutes to wait) or a miss is a form error."""
    if request.method != "POST" or not form.is_valid():
        return None, 200
    client = public_lookups.client_of(client_address(request) or "unknown")
    try:
        found = lookup(
            receipt=form.cleaned_data["receipt"],
            id_tail=form.cleaned_data["id_tail"],
            client=client,
        )
    except public_lookups.TooManyAttempts:
        minutes = int(public_lookups.WINDOW.total_seconds() // 60)
        form.add_error(None, too_many % {"minutes": minutes})
        return None, 429
    if found is None:
        # One answer for a wrong code and a wrong ID number: nothing is learnt by trying.
        form.add_error(
            None,
            _(
                "No application matches this receipt code and these ID number characters. "
                "Check both against the receipt."
            ),
        )
    return found, 200


@never_cache
def subsidy_progress(request: HttpRequest) -> HttpResponse:
    form = forms.SubsidyProgressForm(request.POST if request.method == "POST" else None)
    found, status = _look_up(
        request,
        form,
        subsidies.lookup,
        too_many=_(
            "Too many codes that did not match were tried. Try again in %(minutes)s minutes, "
            "or ask the township federation that took the application."
        ),
    )
    context: dict[str, Any] = {"form": form, "found": found}
    if found is not None:
        application = found.application
        annotate_applications([application])  # its status tag and the next step's label
        context |= {
            "application": application,
            "rejection": services.rejection(found.steps),
            "next_step": application.next_step_label,  # type: ignore[attr-defined]
            "approved": application.status == ApplicationStatus.APPROVED,
            "next_steps": (
                next_steps(application, timezone.localdate())
                if application.status in OPEN_APPLICATION
                else []
            ),
        }
    return render(request, "portal/subsidy_progress.html", context, status=status)


@never_cache
def certificate_progress(request: HttpRequest) -> HttpResponse:
    form = forms.CertificateProgressForm(request.POST if request.method == "POST" else None)
    found, status = _look_up(
        request,
        form,
        certificates.lookup,
        too_many=_(
            "Too many codes that did not match were tried. Try again in %(minutes)s minutes, "
            "or ask the county federation that took the application."
        ),
    )
    context: dict[str, Any] = {"form": form, "found": found}
    if found is not None:
        context |= {
            "application": found.application,
            "step_map": found.steps,
            "step_map_label": _("Where the application is"),
        }
    return render(request, "portal/certificate_progress.html", context, status=status)
