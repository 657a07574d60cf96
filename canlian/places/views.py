"""The jurisdiction tree for the system administrator: browse it, load townships and villages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.lib.forms import Form
from canlian.places.loading import load_places
from canlian.places.models import Level, Place

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class PlaceFileForm(Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, columns code,name,parent_code; see the documentation"),
    )


def place_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.MANAGE_PLACES)
    counties = (
        Place.objects.filter(level=Level.COUNTY)
        .annotate(townships=Count("children"))
        .order_by("code")
    )
    return render(request, "places/list.html", {"counties": counties})


def place_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.MANAGE_PLACES)
    form = PlaceFileForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            else:
                try:
                    count = load_places(text=text, invented=False, acting_user=signed_in(request))
                except ValidationError as exc:
                    errors = exc.messages
                    problems = ngettext(
                        "Nothing was loaded: %(n)s problem.",
                        "Nothing was loaded: %(n)s problems.",
                        len(errors),
                    )
                    form.add_error("file", problems % {"n": len(errors)})
                else:
                    messages.success(
                        request,
                        ngettext("%(n)s place was loaded.", "%(n)s places were loaded.", count)
                        % {"n": count},
                    )
                    return redirect("places:list")
    return render(
        request,
        "places/import.html",
        {"form": form, "row_errors": errors, "page_has_errors": bool(form.errors)},
    )
