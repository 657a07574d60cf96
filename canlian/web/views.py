"""Pages that belong to no single domain."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from canlian.accounts.roles import Perm


def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the first page their role can use."""
    user = request.user
    for perm, target in (
        (Perm.VIEW_PERSON, "people:list"),
        (Perm.VIEW_AUDIT, "audit:list"),
        (Perm.MANAGE_ACCOUNTS, "accounts:list"),
        (Perm.MANAGE_PLACES, "places:list"),
    ):
        if user.can(perm):  # type: ignore[union-attr]
            return redirect(target)
    return redirect("accounts:profile")
