"""The staff account behind whoever acts on payment rolls, for the columns that name it."""

from __future__ import annotations

from canlian.accounts.actors import Actor
from canlian.accounts.models import User

__all__ = ["account_of"]


def account_of(actor: Actor) -> User | None:
    """The signed-in account acting, or None for the command-line operator (no account row)."""
    return actor if isinstance(actor, User) and actor.pk else None
