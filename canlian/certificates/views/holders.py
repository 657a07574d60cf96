"""A holder's certificates: the person's certificates and applications, and cancelling the
valid certificate."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import get_visible_or_404
from canlian.accounts.actors import holding
from canlian.accounts.roles import Perm
from canlian.certificates import services
from canlian.certificates.forms import applications as forms
from canlian.certificates.views.applications import PERSONS, holder_kinds
from canlian.lib import pdf
from canlian.lib.forms import service_errors
from canlian.people.models import LifeStatus


def person_certificates(request: HttpRequest, person_id: int) -> HttpResponse:
    user = holding(request, Perm.VIEW_CERTIFICATE)
    person = get_visible_or_404(PERSONS, user, person_id)
    certificates = list(person.certificates.select_related("application").all())
    applications = list(person.certificate_applications.all())
    can_process = user.can(Perm.PROCESS_CERTIFICATE)
    active = person.life_status == LifeStatus.ACTIVE
    open_application = next((a for a in applications if a.is_open), None)
    may_apply = can_process and active and open_application is None
    return render(
        request,
        "certificates/person.html",
        {
            "person": person,
            "certificates": certificates,
            "cancelled_cards": list(person.cancelled_cards.all()),
            "applications": applications,
            "open_application": open_application,
            "holder_kinds": holder_kinds() if may_apply else [],
            "can_cancel": may_apply,
            "lock_ends": services.lock_ends(person) if not active else None,
            "unprintable": pdf.missing_glyphs_message(
                f"{person.name}{person.guardian_name}{person.address}"
            ),
            "today": timezone.localdate(),
        },
    )


def cancel(request: HttpRequest, person_id: int) -> HttpResponse:
    user = holding(request, Perm.PROCESS_CERTIFICATE)
    person = get_visible_or_404(PERSONS, user, person_id)
    form = forms.CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_errors(form, aliases=forms.FIELD_ALIASES):
            services.cancel_certificate(
                person=person,
                reason=d["reason"],
                on=d["on"],
                note=d["note"],
                acting_user=user,
            )
        if not form.errors:
            messages.success(request, _("The certificate was cancelled."))
            return redirect("certificates:person", person_id=person.pk)
    return render(
        request,
        "certificates/cancel.html",
        {"person": person, "form": form, "page_has_errors": bool(form.errors)},
    )
