"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest

from canlian.accounts.roles import Perm
from canlian.web import preferences


def navigation(request: HttpRequest) -> dict[str, Any]:
    prefs = preferences.current(request)
    context: dict[str, Any] = {
        "ui": prefs,
        "ui_classes": preferences.html_classes(prefs),
        "ui_text_sizes": preferences.TEXT_SIZES,
        "nav": [],
    }
    user = request.user
    if not user.is_authenticated:
        return context
    for perm, url_name, key in (
        (Perm.VIEW_PERSON, "people:list", "registry"),
        (Perm.VIEW_CERTIFICATE, "certificates:worklist", "certificates"),
        (Perm.VIEW_LEVY, "levy:list", "levy"),
        (Perm.VIEW_SUBSIDY, "subsidies:list", "subsidies"),
        (Perm.PREPARE_PAYROLL, "payroll:list", "payroll"),
        (Perm.VIEW_AUDIT, "audit:list", "audit"),
        (Perm.MANAGE_ACCOUNTS, "accounts:list", "accounts"),
        (Perm.MANAGE_PLACES, "places:list", "places"),
    ):
        if user.can(perm):
            context["nav"].append((url_name, key))
    return context
