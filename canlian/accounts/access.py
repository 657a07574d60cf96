"""The one permission check and the one permission-checked fetch, used by every page and
service: `require(user, perm)` and `get_visible_or_404(model_or_queryset, user, pk)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from typing import TypeAlias

    from canlian.accounts.actors import Actor

    # Whom a check or a read is made for: an acting user, or a request's anonymous user or no
    # one at all, who are refused everything.
    Reader: TypeAlias = Actor | AnonymousUser | None

M = TypeVar("M", bound=models.Model)
# The largest primary key the databases hold (a signed 64-bit integer).
MAX_PK = 2**63 - 1


def acting(user: Reader) -> Actor | None:
    """`user` when signed in (an account or the command-line operator); None otherwise."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return user


def require(user: Reader, perm: str) -> None:
    """Raise PermissionDenied unless `user` is signed in and holds `perm` (no one, None,
    holds nothing).

    The refusal carries no words of its own: a page shows the 403 page's ("your role does not
    include this page"), a form the generic sentence (canlian.lib.forms.refusal_text)."""
    actor = acting(user)
    if actor is None or not actor.can(perm):
        raise PermissionDenied


def get_visible_or_404(source: type[M] | models.QuerySet[M], user: Reader, pk: int) -> M:
    """The row `pk` of `source` (a model, or a queryset of it with its select_related) if
    `user` may see it under the model's scoping rule (its queryset's `visible_to`); 404
    otherwise, so that a URL reveals nothing of what lies outside the user's jurisdiction.

    A model without `visible_to` is a programming error (TypeError), never an unscoped fetch."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    visible_to = getattr(queryset, "visible_to", None)
    if visible_to is None:
        raise TypeError(f"{queryset.model.__name__} has no visible_to: it cannot be fetched")
    if not 0 < pk <= MAX_PK:
        raise Http404
    found: M | None = visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
