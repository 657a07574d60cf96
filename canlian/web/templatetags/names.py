"""People by name on the pages: `{{ user|display_name }}` instead of a login."""

from __future__ import annotations

from typing import Any

from django import template

from canlian.accounts.display import user_name
from canlian.accounts.models import User

register = template.Library()


@register.filter
def display_name(user: Any) -> str:
    """`user` by full name and office, never by login; the office only when the page loaded
    it with the user (a list costs no query per row); "—" for nobody."""
    if not isinstance(user, User):
        return "—"
    cached = User._meta.get_field("place").is_cached(user)
    return user_name(user, office=cached)
