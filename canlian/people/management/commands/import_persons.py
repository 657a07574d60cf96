"""`canlian import-persons FILE`: check and import a spreadsheet of persons, all or nothing.

Exit 0 when applied (or when a dry run found no problem), 2 when the file or any row was
rejected. The last line printed is JSON with the counts.
"""

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.operator import OPERATOR_IMPORT, acting_user
from canlian.audit import records as audit
from canlian.lib.commands import TranslatedCommand
from canlian.people.exchange.importing import import_persons
from canlian.spreadsheets.reading import Limits
from canlian.spreadsheets.report import write_report

REJECTED = 2


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Import persons from .xlsx, .xls, .ods or .csv; nothing is written if any row is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=_("check only, write nothing"))
        parser.add_argument("--report", type=Path, help=_("write the report to this .xlsx file"))
        parser.add_argument(
            "--user", help=_("act as this account (its jurisdiction and permissions apply)")
        )
        parser.add_argument(
            "--max-mb",
            type=int,
            help=_("largest file in MB for this run (default: IMPORT_MAX_BYTES, the upload limit)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": path})
        user = acting_user(options["user"], perms=OPERATOR_IMPORT)
        limits = Limits.from_settings()
        if options["max_mb"]:
            limits = dataclasses.replace(limits, max_bytes=options["max_mb"] * 1024 * 1024)
        with audit.source("cli"):
            outcome = import_persons(
                path,
                filename=path.name,
                acting_user=user,
                dry_run=options["dry_run"],
                limits=limits,
            )
        for problem in outcome.problems[:50]:
            where = {"row": problem.row, "column": problem.column, "value": problem.value}
            if problem.column:
                line = _("Row %(row)s %(column)s: %(value)s — %(reason)s")
            else:
                line = _("Row %(row)s: %(value)s — %(reason)s")
            self.stderr.write(line % {**where, "reason": problem.reason})
        if outcome.problem_count > 50:
            self.stderr.write(
                _("… %(count)s problems in all; the report lists them.")
                % {"count": outcome.problem_count}
            )
        if outcome.refused:
            self.stderr.write(outcome.refused)
        if options["report"]:
            write_report(outcome, options["report"], user_label=user.get_username())
        self.stdout.write(json.dumps(outcome.summary(), ensure_ascii=False))
        if not outcome.clean:
            sys.exit(REJECTED)
