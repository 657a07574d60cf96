"""Citizens' self-service pages, open signed out.

/portal/subsidies/: an applicant follows their subsidy application with its receipt code and
the last six characters of their ID number. See benefits/progress.py for what it shows and
how guessing is limited."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from canlian.accounts import public_lookups
from canlian.benefits import forms, progress, services
from canlian.benefits.models import ApplicationStatus
from canlian.benefits.selectors import annotate_applications
from canlian.lib.clients import client_address


@never_cache
def subsidy_progress(request: HttpRequest) -> HttpResponse:
    form = forms.ProgressForm(request.POST if request.method == "POST" else None)
    found = None
    status = 200
    if request.method == "POST" and form.is_valid():
        client = public_lookups.client_of(client_address(request) or "unknown")
        try:
            found = progress.lookup(
                receipt=form.cleaned_data["receipt"],
                id_tail=form.cleaned_data["id_tail"],
                client=client,
            )
        except public_lookups.TooManyAttempts:
            form.add_error(
                None,
                _(
                    "Too many codes that did not match were tried. Try again in %(minutes)s "
                    "minutes, or ask the township federation that took the application."
                )
                % {"minutes": int(public_lookups.WINDOW.total_seconds() // 60)},
            )
            status = 429
        else:
            if found is None:
                # One answer for a wrong code and a wrong ID number: nothing is learnt by trying.
                form.add_error(
                    None,
                    _(
                        "No application matches this receipt code and these ID number "
                        "characters. Check both against the receipt."
                    ),
                )
    context: dict[str, object] = {"form": form, "found": found}
    if found is not None:
        application = found.application
        annotate_applications([application])  # its status tag and the next step's label
        context |= {
            "application": application,
            "rejection": services.rejection(found.steps),
            "next_step": application.next_step_label,  # type: ignore[attr-defined]
            "approved": application.status == ApplicationStatus.APPROVED,
        }
    return render(request, "portal/subsidy_progress.html", context, status=status)
