"""Sections that the apps above the registry add to a person's page.

The registry knows none of them: each app registers its section from its AppConfig.ready()
(benefits: the two subsidies), in the order of INSTALLED_APPS, and the person's page shows
them after the person's own sections. A new service line adds its section the same way.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from canlian.accounts.models import User
    from canlian.people.models import Person

# What a section shows of `person` to `user` on `today`, as its template's context (the
# person is added); None when it shows nothing to this user.
ContextOf = Callable[["User", "Person", datetime.date], Mapping[str, object] | None]


@dataclasses.dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: ContextOf


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    """Add `section` to every person's page (registering a name again replaces it)."""
    _sections[section.name] = section


def registered() -> list[Section]:
    """The sections every person's page shows, in their order."""
    return list(_sections.values())


def render(
    request: HttpRequest, user: User, person: Person, today: datetime.date
) -> list[SafeString]:
    """The registered sections of `person`'s page as HTML, in their order."""
    shown: list[SafeString] = []
    for section in _sections.values():
        context = section.context(user, person, today)
        if context is not None:
            html = render_to_string(section.template, {"person": person, **context}, request)
            shown.append(SafeString(html))
    return shown
