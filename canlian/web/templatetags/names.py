"""People by name on the pages: `{{ user|display_name }}` instead of a login."""

from __future__ import annotations

from typing import Any

from django import template

from canlian.accounts.display import user_name
from canlian.accounts.models import User

register = template.Library()


@register.filter
def display_name(user: Any) -> str:
    """`user` by full name and office, never by login, the same on every page; "—" for
    nobody. Pages load the user with `accounts.display.with_office` (no query per row)."""
    if not isinstance(user, User):
        return "—"
    return user_name(user)
