"""`canlian audit_verify`: check that no audit entry was altered, removed or reordered."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.audit.checkpoints import verify_checkpoints
from canlian.audit.records import verify_chain
from canlian.lib.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Verify the audit log: the keyed hash chain, and the signed checkpoints in "
        "AUDIT_CHECKPOINT_FILE (the entries they name are there, unchanged, none missing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help=_("a checkpoint file other than AUDIT_CHECKPOINT_FILE (e.g. a copy kept apart)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["checkpoints"] and not options["checkpoints"].exists():
            raise CommandError(_("%(file)s does not exist.") % {"file": options["checkpoints"]})
        count, broken = verify_chain()
        report = verify_checkpoints(path=options["checkpoints"])
        last = report.last
        self.stdout.write(
            json.dumps(
                {
                    "checked": count,
                    "broken_at": broken,
                    "checkpoints": report.checkpoints,
                    "last_checkpoint": last.fields() if last else None,
                    "missing_before_last_checkpoint": report.missing,
                    "entries_after_last_checkpoint": report.since_last,
                    "problems": report.problems,
                }
            )
        )
        failures = report.problems.copy()
        if broken is not None:
            failures.insert(0, _("audit chain broken at entry %(entry)s") % {"entry": broken})
        if failures:
            raise CommandError("; ".join(failures))
        if last is None:
            self.stderr.write(
                _(
                    "No checkpoint yet: entries removed at the end of the log cannot be "
                    "detected (run `canlian audit-checkpoint` on a schedule)."
                )
            )
