"""`canlian backup-check`: back up the PostgreSQL database, restore the backup into a fresh
database, and check the copy against the database (docs/operations.md, "Backups and restore")."""

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
        "Back up the PostgreSQL database with pg_dump (custom format), restore the backup "
        "into a new database with pg_restore, and compare: persons, certified persons, every "
        "approved roll's total and lines, and the audit chain of the copy. Exits with 1 on "
        "any difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help=_("the backup file to write (by default var/backups/NAME-DATE-TIME.dump)"),
        )
        parser.add_argument(
            "--restore-into",
            help=_("the name of the new database to restore into (it must not exist)"),
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help=_("keep the restored database (it is dropped at the end by default)"),
        )
        parser.add_argument(
            "--jobs", type=int, default=1, help=_("parallel jobs of pg_restore (default 1)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                _(
                    "The database is SQLite, not PostgreSQL: back it up with `canlian "
                    "sqlite-backup` instead (docs/operations.md, “Backups and restore”)."
                )
            )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        name = connection.settings_dict["NAME"]
        output = options["output"] or Path(settings.VAR_DIR) / "backups" / f"{name}-{stamp}.dump"
        copy_name = options["restore_into"] or f"{backups.PREFIX}check_{stamp.replace('-', '_')}"
        backups.finish(
            lambda: backups.pg_check(
                output=output.resolve(),
                copy_name=copy_name,
                keep=options["keep"],
                jobs=max(options["jobs"], 1),
            ),
            self.stdout.write,
        )
