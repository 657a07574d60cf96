"""`canlian export-persons FILE`: export the registry to .xlsx or .csv (masked by default)."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from canlian.accounts.operator import OPERATOR_EXPORT, OPERATOR_EXPORT_REVEAL, acting_user
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.people.exchange.exporting import export_file
from canlian.people.selectors import PersonFilters
from canlian.places.models import Level, Place


class Command(BaseCommand):
    help = "Export persons to .xlsx or .csv; full ID and bank numbers only with --reveal (logged)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--county", help="6-digit county code, e.g. 410825")
        parser.add_argument(
            "--reveal", action="store_true", help="full ID and bank numbers (logged)"
        )
        parser.add_argument("--user", help="export as this account (its scope applies)")
        parser.add_argument("--limit", type=int, default=None, help="at most this many rows")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("The file name must end in .xlsx or .csv.")
        reveal = options["reveal"]
        user = acting_user(
            options["user"], perms=OPERATOR_EXPORT_REVEAL if reveal else OPERATOR_EXPORT
        )
        if not user.can(Perm.EXPORT_PERSON) or (reveal and not user.can(Perm.EXPORT_REVEAL)):
            raise CommandError(f"{user.get_username()} may not make this export.")
        place = ""
        if options["county"]:
            county = Place.objects.filter(
                code=f"{options['county']}000000", level=Level.COUNTY
            ).first()
            if county is None:
                raise CommandError(f"No county with code {options['county']}.")
            place = county.prefix
        limit = options["limit"] or settings.EXPORT_MAX_ROWS * 100
        with audit.source("cli"):
            rows = export_file(
                path, user=user, filters=PersonFilters(place=place), full=reveal, limit=limit
            )
        self.stdout.write(json.dumps({"rows": rows, "file": str(path), "full": reveal}))
