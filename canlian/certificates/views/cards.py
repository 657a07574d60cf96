"""The card check: staff enter a certificate number presented to them and learn whether it
is valid, cancelled (replaced by a later number) or not on record in their jurisdiction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from canlian.accounts import lookups
from canlian.accounts.actors import holding
from canlian.accounts.roles import Perm
from canlian.certificates import cards
from canlian.certificates.forms.cards import CardCheckForm
from canlian.lib.forms import add_service_errors


def card_check(request: HttpRequest) -> HttpResponse:
    """The number is sent by POST, so that it stays out of addresses, histories and logs. An
    address with parameters (a number typed into it) is answered by the page without them:
    nothing in it is checked or shown back, not even in the page's own links."""
    user = holding(request, Perm.VIEW_CERTIFICATE)
    if request.method != "POST" and request.GET:
        return redirect("certificates:card_check")
    form = CardCheckForm(request.POST if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = cards.check_card(
                user=user, number=form.cleaned_data["number"], today=timezone.localdate()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except lookups.TooManyNumberSearches as exc:
            form.add_error("number", str(exc.args[0]))
        else:
            form = CardCheckForm()  # the answer shows the number masked, the field empty
    return render(
        request,
        "certificates/card_check.html",
        {"form": form, "result": result, "page_has_errors": bool(form.errors)},
    )
