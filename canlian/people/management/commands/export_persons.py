"""`canlian export-persons FILE`: export the registry to .xlsx or .csv (masked by default)."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.operator import OPERATOR_EXPORT, OPERATOR_EXPORT_REVEAL, acting_user
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.lib.commands import TranslatedCommand
from canlian.people.exchange.exporting import export_file
from canlian.people.selectors import PersonFilters
from canlian.places.models import Level, Place


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Export persons to .xlsx or .csv; full ID and bank numbers only with --reveal (logged)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--county", help=_("6-digit county code, e.g. 410825"))
        parser.add_argument(
            "--reveal", action="store_true", help=_("full ID and bank numbers (logged)")
        )
        parser.add_argument("--user", help=_("export as this account (its scope applies)"))
        parser.add_argument("--limit", type=int, default=None, help=_("at most this many rows"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError(_("The file name must end in .xlsx or .csv."))
        reveal = options["reveal"]
        user = acting_user(
            options["user"], perms=OPERATOR_EXPORT_REVEAL if reveal else OPERATOR_EXPORT
        )
        if not user.can(Perm.EXPORT_PERSON) or (reveal and not user.can(Perm.EXPORT_REVEAL)):
            raise CommandError(
                _("%(name)s may not make this export.") % {"name": user.get_username()}
            )
        place = ""
        if options["county"]:
            county = Place.objects.filter(
                code=f"{options['county']}000000", level=Level.COUNTY
            ).first()
            if county is None:
                raise CommandError(_("No county with code %(code)s.") % {"code": options["county"]})
            place = county.prefix
        limit = options["limit"] or settings.EXPORT_MAX_ROWS * 100
        with audit.source("cli"):
            rows = export_file(
                path, user=user, filters=PersonFilters(place=place), full=reveal, limit=limit
            )
        self.stdout.write(json.dumps({"rows": rows, "file": str(path), "full": reveal}))
