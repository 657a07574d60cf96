"""Permission-checked fetches of registry records, the only way views obtain them."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from canlian.people.models import Person


def access_person_by_id(user: Any, person_id: int) -> Person:
    """The person if `user` may see them; 404 otherwise, so a URL reveals nothing."""
    person = (
        Person.objects.visible_to(user)
        .select_related("place", "place__parent")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise Http404
    return person


def require(user: Any, perm: str) -> None:
    if not user.can(perm):
        raise PermissionDenied
