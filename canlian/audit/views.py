"""The audit log, read-only, for the roles that hold the audit permission."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from canlian.accounts.access import require
from canlian.accounts.display import entry_views, user_name
from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import audit_actors, audit_entries
from canlian.audit import actions
from canlian.audit.models import Entry
from canlian.lib.forms import FilterForm


class EntryFilterForm(FilterForm):
    # A user chosen by name and office (the list shows them so), among the reader's own.
    actor = forms.TypedChoiceField(
        label=_("Staff member"), required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(label=_("Action"), required=False, choices=actions.choices)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *Entry.Kind.choices]
    )
    date_from = forms.DateField(
        label=_("From date"), required=False, help_text=_("For example 2020-03-15")
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, help_text=_("For example 2020-03-15")
    )

    def __init__(self, *args: Any, actors: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        named = sorted(((u.pk, user_name(u)) for u in actors), key=lambda choice: choice[1])
        self.fields["actor"].choices = [("", _("All")), *named]  # type: ignore[attr-defined]


def entry_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_AUDIT)
    form = EntryFilterForm(request.GET or None, actors=audit_actors(request.user))
    entries = audit_entries(request.user).order_by("-id")
    if form.is_valid():
        d = form.cleaned_data
        if d["actor"]:
            entries = entries.filter(actor_id=d["actor"])
        if d["action"]:
            entries = entries.filter(action=d["action"])
        if d["kind"]:
            entries = entries.filter(kind=d["kind"])
        if d["date_from"]:
            entries = entries.filter(at__date__gte=d["date_from"])
        if d["date_to"]:
            entries = entries.filter(at__date__lte=d["date_to"])
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = entry_views(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "page_has_errors": bool(form.errors),
        },
    )
