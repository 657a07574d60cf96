"""`canlian prune-imports`: delete import jobs (their files and reports) older than N days."""

import json
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.audit import records as audit
from canlian.lib.commands import TranslatedCommand
from canlian.spreadsheets import housekeeping


class Command(TranslatedCommand):
    help = gettext_lazy("Delete finished import jobs older than --days (default IMPORT_KEEP_DAYS).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.IMPORT_KEEP_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError(_("--days must be at least 1."))
        with transaction.atomic(), audit.source("cli"):
            deleted = housekeeping.prune_imports(days=days)
            audit.record(
                acting_user=None,
                action="imports.prune",
                target=None,
                detail={"days": days, "deleted": deleted},
            )
        self.stdout.write(json.dumps({"deleted": deleted, "days": days}))
