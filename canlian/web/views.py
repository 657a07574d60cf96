"""Pages that belong to no single domain."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.web import todo


def home(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in: the to-do list of a user who takes steps of a workflow;
    for the others, the first page their role can use."""
    user = request.user
    if user.is_authenticated and todo.has_work(user):
        actor = signed_in(request)
        today = timezone.localdate()
        groups = todo.groups(actor, today)
        return render(
            request,
            "web/home.html",
            {
                "groups": groups,
                "today": today,
                "total": sum(group.total for group in groups),
                "overdue": sum(group.overdue for group in groups),
            },
        )
    for perm, target in (
        (Perm.VIEW_PERSON, "people:list"),
        (Perm.VIEW_AUDIT, "audit:list"),
        (Perm.MANAGE_ACCOUNTS, "accounts:list"),
        (Perm.MANAGE_PLACES, "places:list"),
    ):
        if user.can(perm):  # type: ignore[union-attr]
            return redirect(target)
    return redirect("accounts:profile")
