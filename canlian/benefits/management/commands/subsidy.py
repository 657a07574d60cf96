"""`canlian subsidy explain|compute …`: the two subsidies of one person, or of a whole region.

`explain --id ID --month YYYY-MM` prints, per programme, whether the person is eligible, the
amount and every condition with its reason, as JSON; the read is logged as an access. `compute
--month YYYY-MM [--region PREFIX]` prints the counts and totals of the whole registry in scope.
`snapshot [--month YYYY-MM] [--through YYYY-MM]` decides the whole registry for each month (this
month by default) and keeps the persons eligible for the statistics (canlian.benefits.snapshots);
it prints the counts as JSON. The nightly timer in deploy/ runs it.
Exit 0 with JSON on stdout; 2 with a message on stderr for an unknown ID or an invalid month.
"""

import json
import sys
from typing import Any, NoReturn

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.actors import Actor
from canlian.accounts.operator import acting_user
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.benefits import snapshots
from canlian.benefits.eligibility import Month, compute_month, explain, explain_json
from canlian.lib import crypto, idcard
from canlian.lib.commands import TranslatedCommand
from canlian.lib.parameters import ParameterError
from canlian.people.models import ID_CONTEXT, Person

INVALID = 2
OPERATOR_VIEW = frozenset({Perm.VIEW_PERSON})


class Command(TranslatedCommand):
    # The system checks import every URL and view (PDF, spreadsheets): seconds of start-up
    # for a command that needs none of them. `canlian check` runs them.
    requires_system_checks: list[str] = []
    help = gettext_lazy(
        "The two subsidies: `subsidy explain` one person, `subsidy compute` a month."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        explain_parser = commands.add_parser(
            "explain",
            help=_("decide both subsidies for one person and month, each condition with why"),
        )
        explain_parser.add_argument("--id", required=True, metavar="ID", help=_("the ID number"))
        explain_parser.add_argument("--month", required=True, metavar="YYYY-MM")
        explain_parser.add_argument("--user", help=_("act as this account (its scope applies)"))
        compute_parser = commands.add_parser(
            "compute", help=_("count and total both subsidies for every person in scope")
        )
        compute_parser.add_argument("--month", required=True, metavar="YYYY-MM")
        compute_parser.add_argument(
            "--region", default="", metavar="PREFIX", help=_("region-code prefix, e.g. 410883")
        )
        compute_parser.add_argument("--user", help=_("act as this account (its scope applies)"))
        snapshot_parser = commands.add_parser(
            "snapshot",
            help=_("decide the whole registry for a month and keep who is eligible (statistics)"),
        )
        snapshot_parser.add_argument(
            "--month", metavar="YYYY-MM", help=_("the (first) month; this month by default")
        )
        snapshot_parser.add_argument("--through", metavar="YYYY-MM", help=_("the last month"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "snapshot":
            self._snapshot(options["month"], options["through"])
            return
        try:
            month = Month.parse(options["month"])
        except ValueError as error:
            self._invalid(str(error))
        user = acting_user(options["user"], perms=OPERATOR_VIEW)
        if not user.can(Perm.VIEW_PERSON):
            raise CommandError(_("%(name)s may not view persons.") % {"name": user.get_username()})
        try:
            if options["subcommand"] == "explain":
                data = self._explain(options["id"], month, user)
            else:
                data = self._compute(options["region"], month, user)
        except ParameterError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _explain(self, id_number: str, month: Month, user: Actor) -> dict[str, Any]:
        text = idcard.normalize(id_number)
        number = idcard.check(text).normalized or text
        index = crypto.blind_index(number, context=ID_CONTEXT)
        person = Person.objects.visible_to(user).filter(id_number_index=index).first()
        if person is None:
            self._invalid(_("No person with this ID number is on the registry you may see."))
        explanation = explain(person, month)
        with audit.source("cli"), transaction.atomic():
            audit.record_access(
                acting_user=user,
                action="benefits.explain",
                target=person,
                detail={"month": str(month)},
            )
        return explain_json(explanation)

    def _compute(self, prefix: str, month: Month, user: Actor) -> dict[str, Any]:
        scope = getattr(user, "scope_prefix", None) or ""
        if not scope or not (prefix.startswith(scope) or scope.startswith(prefix)):
            self._invalid(
                _("The region %(region)s is outside your jurisdiction.") % {"region": prefix}
            )
        return compute_month(month, region_prefix=max(prefix, scope, key=len)).summary()

    def _snapshot(self, first: str | None, through: str | None) -> None:
        try:
            month = Month.parse(first) if first else Month.of(timezone.localdate())
            last = Month.parse(through) if through else month
        except ValueError as error:
            self._invalid(str(error))
        if last < month:
            self._invalid(_("The last month must not be before the first."))
        if last > Month.of(timezone.localdate()):
            self._invalid(_("A month after this one cannot be decided yet."))
        months = Month.span(month, last)
        if len(months) > 120:
            self._invalid(_("Take at most 120 months at a time."))
        taken = []
        try:
            for each in months:
                done = snapshots.take(each)
                taken.append(
                    {
                        "month": str(done.month),
                        "persons": done.persons,
                        "eligible": done.eligible,
                        "seconds": round(done.seconds, 1),
                    }
                )
        except ParameterError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps({"snapshots": taken}, ensure_ascii=False, indent=2))

    def _invalid(self, message: str) -> NoReturn:
        self.stderr.write(message)
        sys.exit(INVALID)
