"""`canlian levy calculate …`: the employment security fund of one employer, as JSON.

Exit 0 with the result on stdout; 2 with a message on stderr when the input is invalid.
"""

import argparse
import datetime
import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.levy.formula import EmployerKind, Inputs, calculate, result_json
from canlian.lib.commands import TranslatedCommand, choices_help
from canlian.lib.parameters import ParameterError

INVALID = 2


def _decimal(text: str) -> Decimal:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise argparse.ArgumentTypeError(_("%(value)s is not a number.") % {"value": text})
    return number


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a date written YYYY-MM-DD.") % {"value": text}
        ) from None


class Command(TranslatedCommand):
    help = gettext_lazy("Employment security fund: `levy calculate` computes one amount.")

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        calculate_parser = commands.add_parser(
            "calculate",
            help=_("compute one employer's amount for a collection year and print it as JSON"),
            description=_("The figures are those of the year before the collection year."),
        )
        add = calculate_parser.add_argument
        add("--year", type=int, required=True, help=_("the collection year"))
        add("--province", required=True, metavar="CODE", help=_("region code: 41, 4108 or 410883"))
        kinds = choices_help(EmployerKind.choices)
        add("--kind", required=True, choices=EmployerKind.values, help=kinds)
        add("--staff", type=_decimal, required=True, metavar="N", help=_("last year's staff"))
        add("--disabled", type=_decimal, required=True, metavar="N", help=_("counted once"))
        add("--disabled-severe", type=_decimal, required=True, metavar="N", help=_("grade 1–2"))
        add("--average-wage", type=_decimal, required=True, metavar="W", help=_("yuan"))
        add("--local-average-wage", type=_decimal, required=True, metavar="L", help=_("yuan"))
        on_help = _("collection date (31 Dec of the year)")
        add("--on", type=_date, metavar="YYYY-MM-DD", help=on_help)

    def handle(self, *args: Any, **options: Any) -> None:
        inputs = Inputs(
            year=options["year"],
            region=options["province"],
            kind=options["kind"],
            staff=options["staff"],
            disabled=options["disabled"],
            disabled_severe=options["disabled_severe"],
            average_wage=options["average_wage"],
            local_average_wage=options["local_average_wage"],
            on=options["on"],
        )
        try:
            result = calculate(inputs)
        except ParameterError as error:
            raise CommandError(str(error)) from None
        except ValueError as error:
            self.stderr.write(str(error))
            sys.exit(INVALID)
        self.stdout.write(json.dumps(result_json(result), ensure_ascii=False, indent=2))
