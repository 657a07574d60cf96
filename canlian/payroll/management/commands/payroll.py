"""`canlian payroll …`: the monthly payment rolls of the two subsidies from the command line.

    payroll generate --month YYYY-MM [--county CODE] [--user NAME]
    payroll approve --roll ID --user NAME
    payroll export --roll ID FILE [--reveal] [--user NAME]
    payroll reconcile --roll ID FILE [--user NAME]
    payroll recoveries [--county CODE] [--user NAME]

Each prints one line of JSON. Exit 0 when done, 2 with the reason on stderr when the input or a
rule refuses it (nothing is written then); `reconcile` exits 1 when the bank's file and the
roll disagree (the differences are in the JSON).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.actors import Actor
from canlian.accounts.operator import acting_user
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.benefits.eligibility import Month
from canlian.lib.commands import TranslatedCommand
from canlian.payroll import bankfiles, rolls

INVALID = 2
DISAGREES = 1
OPERATOR_PAYROLL = frozenset({Perm.VIEW_SUBSIDY, Perm.PREPARE_PAYROLL})
OPERATOR_PAYROLL_REVEAL = OPERATOR_PAYROLL | {Perm.EXPORT_REVEAL}


def _messages(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return str(error)
    return "\n".join(error.messages)


class Command(TranslatedCommand):
    # The system checks import every URL and view (PDF, spreadsheets): seconds of start-up
    # for a command that needs none of them. `canlian check` runs them.
    requires_system_checks: list[str] = []
    help = gettext_lazy(
        "Monthly payment rolls of the two subsidies: generate, approve, export, reconcile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        generate = commands.add_parser(
            "generate", help=_("make the month's draft rolls (one per county and programme)")
        )
        generate.add_argument("--month", required=True, metavar="YYYY-MM")
        generate.add_argument("--county", metavar="CODE", help=_("6-digit county code"))
        generate.add_argument("--user", help=_("act as this account (its jurisdiction applies)"))
        approve = commands.add_parser("approve", help=_("approve a draft roll (four eyes)"))
        approve.add_argument("--roll", type=int, required=True, metavar="ID")
        approve.add_argument("--user", required=True, help=_("the approving account"))
        export = commands.add_parser("export", help=_("write an approved roll's bank file"))
        export.add_argument("--roll", type=int, required=True, metavar="ID")
        export.add_argument("file", type=Path, metavar="FILE", help=_(".xlsx or .csv"))
        reveal_help = _("full account numbers (logged)")
        export.add_argument("--reveal", action="store_true", help=reveal_help)
        export.add_argument("--user", help=_("act as this account"))
        reconcile = commands.add_parser("reconcile", help=_("read the bank's result file"))
        reconcile.add_argument("--roll", type=int, required=True, metavar="ID")
        reconcile.add_argument("file", type=Path, metavar="FILE")
        reconcile.add_argument("--user", help=_("act as this account"))
        recoveries = commands.add_parser(
            "recoveries", help=_("open recovery items for payments made after death or moving out")
        )
        recoveries.add_argument("--county", metavar="CODE")
        recoveries.add_argument("--user", help=_("act as this account"))

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["subcommand"]
        perms = OPERATOR_PAYROLL_REVEAL if options.get("reveal") else OPERATOR_PAYROLL
        try:
            user = acting_user(options.get("user"), perms=perms)
            with audit.source("cli"):
                result = getattr(self, f"_{name}")(user, options)
        except (ValidationError, PermissionDenied) as error:
            self.stderr.write(_messages(error))
            sys.exit(INVALID)
        except (CommandError, ValueError) as error:  # an unknown account, a bad month
            self.stderr.write(str(error))
            sys.exit(INVALID)
        except OSError as error:  # a file that cannot be read or written
            file = error.filename or options.get("file") or ""
            if name == "reconcile":
                message = _("Cannot read the file %(file)s.")
            else:
                message = _("Cannot write the file %(file)s.")
            self.stderr.write(message % {"file": file})
            sys.exit(INVALID)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if name == "reconcile" and not result["agrees"]:
            sys.exit(DISAGREES)

    def _generate(self, user: Actor, options: dict[str, Any]) -> dict[str, Any]:
        month = Month.parse(options["month"])
        return rolls.generate(month=month, county=options["county"], acting_user=user).summary()

    def _approve(self, user: Actor, options: dict[str, Any]) -> dict[str, Any]:
        roll = rolls.approve(roll_id=options["roll"], acting_user=user)
        return {"roll": roll.pk, "status": roll.status, "lines": roll.line_count,
                "total": f"{roll.total:.2f}"}  # fmt: skip

    def _export(self, user: Actor, options: dict[str, Any]) -> dict[str, Any]:
        export = bankfiles.export_roll(
            roll_id=options["roll"], path=options["file"], full=options["reveal"], acting_user=user
        )
        return {"roll": options["roll"], "file": str(options["file"]), "lines": export.lines,
                "total": f"{export.total:.2f}", "full": export.full_accounts,
                "sha256": export.sha256}  # fmt: skip

    def _reconcile(self, user: Actor, options: dict[str, Any]) -> dict[str, Any]:
        path: Path = options["file"]
        if not path.is_file():
            raise ValueError(_("No file %(file)s.") % {"file": path})
        outcome = bankfiles.reconcile(
            roll_id=options["roll"], path=path, filename=path.name, acting_user=user
        )
        return {"roll": options["roll"], **outcome.summary()}

    def _recoveries(self, user: Actor, options: dict[str, Any]) -> dict[str, Any]:
        if not user.can(Perm.PREPARE_PAYROLL):
            raise PermissionDenied(
                _("%(name)s may not open recovery items.") % {"name": user.get_username()}
            )
        county_list = rolls.counties_for(options["county"], user)
        opened = rolls.find_recoveries(county_list=county_list, acting_user=user)
        return {"opened": opened, "counties": county_list}
