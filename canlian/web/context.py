"""Template context shared by every page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from canlian.accounts.roles import SEES_ALL, Perm
from canlian.web import preferences, todo

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

COUNTY_PREFIX = 6  # digits of a county's region code


def navigation(request: HttpRequest) -> dict[str, Any]:
    # A request refused before the account was looked at (Django's 400 page for a bad Host
    # header) has no user and no session: it gets the standard display and no menu.
    signed = hasattr(request, "user")
    prefs = preferences.current(request) if signed else dict(preferences.STANDARD)
    context: dict[str, Any] = {
        "ui": prefs,
        "ui_classes": preferences.html_classes(prefs),
        "ui_text_sizes": preferences.TEXT_SIZES,
        "nav": [],
    }
    if (
        not signed
        or not request.user.is_authenticated
        or getattr(request, "owes_second_factor", False)
    ):
        return context
    user = request.user
    if todo.has_work(user):
        context["nav"].append(("home", "home"))
    for perm, url_name, key in (
        (Perm.VIEW_PERSON, "people:list", "registry"),
        (Perm.VIEW_CERTIFICATE, "certificates:worklist", "certificates"),
        (Perm.VIEW_LEVY, "levy:list", "levy"),
        (Perm.VIEW_SUBSIDY, "benefits:list", "subsidies"),
        (Perm.VIEW_SUBSIDY, "payroll:list", "payroll"),
        (Perm.VIEW_PERSON, "stats:dashboard", "stats"),
        (Perm.VIEW_AUDIT, "audit:list", "audit"),
        (Perm.MANAGE_ACCOUNTS, "accounts:list", "accounts"),
        (Perm.MANAGE_PLACES, "places:list", "places"),
    ):
        if key == "payroll" and not _sees_rolls(user):
            continue
        if user.can(perm):
            context["nav"].append((url_name, key))
    return context


def _sees_rolls(user: Actor) -> bool:
    """Payment rolls are a county's: the menu offers them from the county up (a township
    officer's jurisdiction holds none)."""
    prefix = getattr(user, "scope_prefix", None) or ""
    return user.role in SEES_ALL or 0 < len(prefix) <= COUNTY_PREFIX
