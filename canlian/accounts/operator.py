"""Who acts when a management command changes or exports data without `--user`.

Whoever runs a command on the server already holds the database and the field key; the
operator stands for them with the whole installation as jurisdiction, so that commands go
through the same services, scoping and audit as the web pages. Entries it writes carry no
user and the source "cli".
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.places.models import Place


class CommandLineOperator:
    pk = None
    is_authenticated = True
    is_active = True
    role = "command_line"
    place_id = None

    def __init__(self, *, perms: frozenset[str]) -> None:
        self._perms = perms

    def can(self, perm: str) -> bool:
        return perm in self._perms

    def get_username(self) -> str:
        return "command-line"

    @cached_property
    def place(self) -> Place | None:
        return Place.objects.filter(parent__isnull=True).order_by("code").first()

    @property
    def scope_prefix(self) -> str | None:
        return self.place.prefix if self.place else None


def acting_user(username: str | None, *, perms: frozenset[str]) -> User | CommandLineOperator:
    """The named active user, or the command-line operator holding `perms`."""
    if not username:
        return CommandLineOperator(perms=perms)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("No active user named %(name)s.") % {"name": username})
    return user


OPERATOR_IMPORT = frozenset({Perm.VIEW_PERSON, Perm.CHANGE_PERSON})
OPERATOR_EXPORT = frozenset({Perm.VIEW_PERSON, Perm.EXPORT_PERSON})
OPERATOR_EXPORT_REVEAL = OPERATOR_EXPORT | {Perm.EXPORT_REVEAL}
