"""`canlian create_account`: create an account at installation (the administrators among them)."""

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.roles import Role
from canlian.accounts.services import create_account
from canlian.lib.commands import TranslatedCommand, choices_help
from canlian.places.models import Place


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Create an account with a role and a jurisdiction; the password is asked for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--role", required=True, choices=Role.values, help=choices_help(Role.choices)
        )
        parser.add_argument("--place", required=True, help=_("12-digit code, e.g. 410800000000"))
        parser.add_argument("--full-name", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help=_("read the password from standard input")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        place = Place.objects.filter(code=options["place"]).first()
        if place is None:
            raise CommandError(_("Unknown place code %(code)s.") % {"code": options["place"]})
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(_("Password: "))
        try:
            user = create_account(
                username=options["username"], password=password, role=options["role"],
                place=place, full_name=options["full_name"], acting_user=None,
            )  # fmt: skip
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            _("Created %(username)s (%(role)s, %(place)s).")
            % {
                "username": user.username,
                "role": Role(user.role).label,
                "place": place.full_name() or place.name,
            }
        )
