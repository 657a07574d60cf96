"""`canlian sqlite-backup`: copy the SQLite database with SQLite's backup API, and check the
copy against the database (docs/operations.md, "Backups and restore")."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.lib.commands import TranslatedCommand
from canlian.web import backups


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Copy the SQLite database into a backup file with SQLite's backup API (changes wait "
        "meanwhile), then compare the copy with the database: persons, certified persons, "
        "every approved roll's total and lines, and the audit chain of the copy. Exits with 1 "
        "on any difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "output",
            nargs="?",
            type=Path,
            help=_("the backup file to write (by default var/backups/canlian-DATE-TIME.sqlite3)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(
                _(
                    "The database is PostgreSQL, not SQLite: use `canlian backup-check` "
                    "(pg_dump) and the base backups of docs/operations.md instead."
                )
            )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        output = (
            options["output"] or Path(settings.VAR_DIR) / "backups" / f"canlian-{stamp}.sqlite3"
        )
        backups.finish(lambda: backups.sqlite_backup(output=output.resolve()), self.stdout.write)
