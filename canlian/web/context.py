"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest

from canlian.accounts.roles import Perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    items = []
    if user.can(Perm.VIEW_PERSON):
        items.append(("people:list", "registry"))
    if user.can(Perm.VIEW_AUDIT):
        items.append(("audit:list", "audit"))
    if user.can(Perm.MANAGE_ACCOUNTS):
        items.append(("accounts:list", "accounts"))
    if user.can(Perm.MANAGE_PLACES):
        items.append(("places:list", "places"))
    return {"nav": items}
