"""`canlian stats persons|subsidies|figures|figure …`: the catalogue's figures as JSON.

`persons --as-of DATE --by DIMS [--county CODE]`: certified persons on a date (the figure
persons.certified). `subsidies --month YYYY-MM --by DIMS [--county CODE]`: persons and amounts
paid on that month's approved rolls. `figures`: the catalogue (id, name, definition,
dimensions). `figure ID (--as-of DATE | --from DATE --to DATE) [--by DIMS] [--county CODE]`:
any figure. `report [--from DATE --to DATE] [--county CODE] [--publication] [--with-eligibility]
[--xlsx FILE | --pdf FILE]`: the report over a period (stats.report), JSON or a file.
Rows hold the dimensions' keys and the value (`persons`, or `value` for a figure that does
not count persons); `total` is their sum, or the figure over the whole query where
rows do not add up (distinct persons over months, a ratio: docs/statistics.md). Exit 0 with
JSON on stdout; 2 with every problem on stderr.
"""

from __future__ import annotations

import calendar
import datetime
import json
import sys
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.operator import acting_user
from canlian.accounts.roles import Perm
from canlian.lib.commands import TranslatedCommand
from canlian.stats import catalogue, report, report_files
from canlian.stats.catalogue import Query

INVALID = 2
# Every area's view permission; the imports' figures are of those who may import (their
# records are the import jobs, read by whoever may change the registry).
OPERATOR = frozenset(
    {Perm.VIEW_PERSON, Perm.VIEW_SUBSIDY, Perm.VIEW_CERTIFICATE, Perm.VIEW_LEVY, Perm.CHANGE_PERSON}
)


class Command(TranslatedCommand):
    requires_system_checks: list[str] = []
    help = gettext_lazy("The statistics: the catalogue's figures as JSON.")

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        persons = commands.add_parser("persons", help=_("certified persons on a date"))
        persons.add_argument("--as-of", required=True, metavar="YYYY-MM-DD")
        subsidies = commands.add_parser(
            "subsidies", help=_("persons and amounts paid on a month's approved rolls")
        )
        subsidies.add_argument("--month", required=True, metavar="YYYY-MM")
        commands.add_parser("figures", help=_("the catalogue of figures"))
        one = commands.add_parser("figure", help=_("compute one figure of the catalogue"))
        one.add_argument("figure_id", metavar="ID")
        one.add_argument("--as-of", metavar="YYYY-MM-DD")
        one.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
        one.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
        report_parser = commands.add_parser(
            "report", help=_("the report over a period, as JSON, .xlsx or PDF")
        )
        report_parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
        report_parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
        report_parser.add_argument("--publication", action="store_true")
        report_parser.add_argument(
            "--with-eligibility",
            action="store_true",
            help=_("also the persons eligible and the coverage (slow: month by month)"),
        )
        written = report_parser.add_mutually_exclusive_group()
        written.add_argument("--xlsx", metavar="FILE")
        written.add_argument("--pdf", metavar="FILE")
        for sub in (persons, subsidies, one, report_parser):
            if sub is not report_parser:  # the report has its own layout
                sub.add_argument("--by", default="", metavar="DIMS", help=_("e.g. county,category"))
            sub.add_argument("--county", default="", metavar="CODE")
            sub.add_argument("--user", help=_("act as this account (its scope applies)"))
        commands.choices["figures"].add_argument("--user")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options.get("user"), perms=OPERATOR)
        subcommand = options["subcommand"]
        if subcommand == "figures":
            self._write([_describe(f) for f in catalogue.visible(user)])
            return
        if subcommand == "report":
            self._report(user, options)
            return
        problems: list[str] = []
        by = tuple(d for d in options["by"].split(",") if d)
        try:
            region = catalogue.region_of(user, options["county"])
        except ValidationError as error:
            self._invalid(error.messages)
        if subcommand == "persons":
            figure_id = "persons.certified"
            as_of = _date(options["as_of"], "--as-of", problems)
            query = Query(region=region, as_of=as_of, by=by)
        elif subcommand == "subsidies":
            start, end = _month(options["month"], problems)
            query = Query(region=region, start=start, end=end, by=by)
            figure_id = "subsidies.persons_paid"
        else:
            figure_id = options["figure_id"]
            as_of = _date(options["as_of"], "--as-of", problems) if options["as_of"] else None
            start = _date(options["start"], "--from", problems) if options["start"] else None
            end = _date(options["end"], "--to", problems) if options["end"] else None
            query = Query(region=region, as_of=as_of, start=start, end=end, by=by)
        try:
            figure = catalogue.figure(figure_id)
        except ValidationError as error:
            self._invalid([*problems, *error.messages])
        if not user.can(figure.permission):
            self._invalid([*problems, _("You may not see this figure.")])
        if problems:
            self._invalid(problems)
        try:
            result = catalogue.compute(figure, query)
        except ValidationError as error:
            self._invalid(error.messages)
        data = result.as_json()
        if subcommand == "subsidies":
            data = _with_amounts(data, query)
        self._write(data)

    def _report(self, user: Any, options: dict[str, Any]) -> None:
        """The report of `report.build`: JSON on stdout, or the .xlsx or PDF file."""
        problems: list[str] = []
        start = _date(options["start"], "--from", problems) if options["start"] else None
        end = _date(options["end"], "--to", problems) if options["end"] else None
        today = timezone.localdate()
        if not options["start"] and not options["end"]:
            default = report.default_period(today)
            start, end = default.start, default.end
        elif not problems and (start is None or end is None):
            problems.append(_("Give both --from and --to, or neither (the last five years)."))
        for messages in report.period_problems(start, end, today).values():
            problems.extend(messages)
        if problems or start is None or end is None:
            self._invalid(problems)
        try:
            built = report.build(
                user,
                start,
                end,
                county=options["county"],
                publication=options["publication"],
                slow=options["with_eligibility"],
            )
        except ValidationError as error:
            self._invalid(error.messages)
        if options["xlsx"]:
            report_files.write_xlsx(built, options["xlsx"])
        elif options["pdf"]:
            with open(options["pdf"], "wb") as stream:
                stream.write(report_files.render_pdf(built))
        else:
            self._write(built.as_json())

    def _write(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _invalid(self, messages: list[str]) -> NoReturn:
        self.stderr.write("\n".join(messages))
        sys.exit(INVALID)


def _describe(figure: catalogue.Figure) -> dict[str, Any]:
    return {
        "id": figure.id,
        "name": str(figure.name),
        "definition": str(figure.definition),
        "timing": figure.timing,
        "dimensions": list(figure.dimensions),
        "value": figure.key,
    }


def _date(text: str, option: str, problems: list[str]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        problems.append(
            _("%(option)s must be a date written YYYY-MM-DD, not %(value)s.")
            % {"option": option, "value": text}
        )
        return None


def _month(text: str, problems: list[str]) -> tuple[datetime.date | None, datetime.date | None]:
    try:
        first = datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        problems.append(
            _("--month must be a month written YYYY-MM, not %(value)s.") % {"value": text}
        )
        return None, None
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def _with_amounts(data: dict[str, Any], query: Query) -> dict[str, Any]:
    """The subsidies' rows with the amount paid beside the persons."""
    amounts = catalogue.compute(catalogue.figure("subsidies.amount_paid"), query)
    by = query.by
    paid = {tuple(row[d] for d in by): row["value"] for row in amounts.rows}
    data["month"] = data.pop("from")[:7]
    data.pop("to")
    data["rows"] = [
        {**row, "amount": f"{paid.get(tuple(row[d] for d in by), 0):.2f}"} for row in data["rows"]
    ]
    data["amount"] = f"{amounts.total:.2f}"
    return {k: data[k] for k in ("month", "by", "rows", "total", "amount")}
