"""`canlian reset_second_factor`: remove a user's authenticator and recovery codes (logged)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import otp
from canlian.accounts.models import User
from canlian.lib.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Remove a user's authenticator app and recovery codes, when both are lost; a role "
        "that needs a second factor sets up a new app at its next sign-in. Logged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--reason", required=True, help=_("kept in the audit log"))

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user named %(name)s.") % {"name": options["username"]})
        try:
            removed = otp.reset(user=user, reason=options["reason"], acting_user=None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            _("Removed %(count)s second-factor devices of %(name)s.")
            % {"count": removed, "name": user.username}
        )
