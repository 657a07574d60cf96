"""Who acts: a signed-in staff account or the command-line operator, as one typed protocol."""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from canlian.accounts.access import require
from canlian.accounts.models import User


class Actor(Protocol):
    """What services and the reveal gate read of whoever acts (accounts.models.User and
    accounts.operator.CommandLineOperator both fit)."""

    @property
    def pk(self) -> int | None: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def role(self) -> str: ...

    @property
    def scope_prefix(self) -> str | None: ...

    def can(self, perm: str) -> bool: ...

    def get_username(self) -> str: ...


def signed_in(request: HttpRequest) -> User:
    """The staff account behind `request` (the login middleware lets no one else through to a
    staff page); PermissionDenied for anyone else."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def holding(request: HttpRequest, perm: str) -> User:
    """The staff account behind `request` if it holds `perm`; PermissionDenied otherwise."""
    user = signed_in(request)
    require(user, perm)
    return user
