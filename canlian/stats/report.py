"""The federation's report over a period (issue 18, item 4): every figure of the catalogue the
user may see, for the whole period and for each calendar year in it, with the change against
the previous period of the same length.

The report is plain data (:class:`Report`: sections by area, a line per figure with its
values); the page, the .xlsx workbook, the PDF and ``canlian stats report`` all render this
one structure. A figure counted on a day takes the period's last day, and each year's last
day inside the period; a figure over a period takes the period, and each year's part of it.
Each value is the figure's own computation (``catalogue.compute``) for the user's
jurisdiction (``catalogue.region_of``, the scope of every statistics read); a ratio is
computed from the totals of its two counts, as the figure itself does. Marked for
publication, small counts are hidden with their complementary cells (``suppression``).
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.benefits import snapshots
from canlian.stats import catalogue, suppression
from canlian.stats import dimensions as dims
from canlian.stats.catalogue import AS_OF, Figure, Query

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from canlian.accounts.actors import Actor

DEFAULT_YEARS = 5
DASH = "—"
PERCENT = Decimal("0.01")

AREAS: dict[str, StrOrPromise] = {
    "persons": gettext_lazy("Disabled persons holding a certificate"),
    "subsidies": gettext_lazy("Subsidies"),
    "certificates": gettext_lazy("Certificates"),
    "levy": gettext_lazy("Employment security fund"),
    "quality": gettext_lazy("Data quality and imports"),
}

Number = int | Decimal | None

# A hidden cell that is not a small count (a complement, an amount, a ratio, a change).
WITHHELD = gettext_lazy("withheld")

# Figures that run the subsidies' eligibility pass over the registry for every month without
# an eligibility snapshot (`figures.coverage`, `benefits.snapshots`): about 1.5 s a month at
# the demo's size (96,118 persons), so some 4.5 minutes for five years, each year and the five
# before. The report includes them when every month from the previous period's start to the
# period's end has its snapshot, and otherwise only when asked for (`build(..., slow=True)`,
# the form's box, `--with-eligibility`).
SLOW = frozenset({"subsidies.eligible", "subsidies.coverage"})


@dataclasses.dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return _("%(start)s to %(end)s") % {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


@dataclasses.dataclass
class Value:
    """One number of the report: None where it has none (a ratio over nobody, a change
    against nothing); `hidden` when suppressed for publication."""

    value: Number
    hidden: bool = False


@dataclasses.dataclass
class Line:
    figure: Figure
    period: Value
    years: list[Value]
    previous: Value
    change: Value
    change_percent: Value

    @property
    def kind(self) -> str:
        return "ratio" if self.figure.is_ratio else "count" if self.figure.is_count else "amount"

    def values(self) -> list[Value]:
        return [self.period, *self.years, self.previous, self.change, self.change_percent]

    def texts(self, limit: int) -> list[str]:
        """`values()` as a page or a printout writes them: "<5" for a small count hidden,
        “withheld” for any other hidden cell, "—" where there is no value, a ratio in per
        cent, a change with its sign."""
        texts = [_text(self.figure, v, limit, counted=True) for v in self.values()[:-2]]
        texts.append(_text(self.figure, self.change, limit, sign=True))
        percent = self.change_percent
        if percent.hidden or percent.value is None:
            texts.append(_text(self.figure, percent, limit))
        else:
            texts.append(f"{percent.value:+,.2f}%")
        return texts


def hidden_text(figure: Figure, value: Value, limit: int, *, counted: bool) -> str:
    """A hidden cell: "<5" only where it is a count (`counted`: not a change) below the
    limit, which it says truly; any other hidden cell (a complement, an amount, a ratio, a
    change) is “withheld”, saying nothing of its size."""
    number = value.value
    if counted and figure.is_count and number is not None and number < limit:
        return suppression.shown(0, limit)
    return str(WITHHELD)


def _text(
    figure: Figure, value: Value, limit: int, *, sign: bool = False, counted: bool = False
) -> str:
    if value.hidden:
        return hidden_text(figure, value, limit, counted=counted)
    number = value.value
    if number is None:
        return DASH
    plus = "+" if sign else ""
    if figure.is_ratio:
        if sign:
            return _("%(points)s percentage points") % {"points": f"{number * 100:+,.2f}"}
        return f"{number:.2%}"
    if figure.is_count:
        return f"{number:{plus},}"
    return f"{number:{plus},.2f}"


@dataclasses.dataclass
class Section:
    area: str
    title: str
    lines: list[Line]


@dataclasses.dataclass
class Report:
    region: str
    region_name: str
    period: Period
    previous: Period
    years: list[Period]
    publication: bool
    threshold: int
    sections: list[Section]
    # Figures the user may see that were not computed (`SLOW`, not asked for).
    left_out: list[Figure] = dataclasses.field(default_factory=list)

    @property
    def federation_name(self) -> str:
        return _("%(place)s Disabled Persons' Federation") % {"place": self.region_name}

    @property
    def year_labels(self) -> list[str]:
        """A year's heading: the year, or its part of the period when the period cuts it."""
        labels = []
        for year in self.years:
            whole = year.start.month == 1 and year.start.day == 1
            whole = whole and year.end.month == 12 and year.end.day == 31
            labels.append(str(year.start.year) if whole else year.label)
        return labels

    def as_json(self) -> dict[str, Any]:
        """The command line's shape: the period, the years, and each section's figures with
        their values (hidden ones as "<5", an amount with two places, a ratio with four)."""
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "previous_from": self.previous.start.isoformat(),
            "previous_to": self.previous.end.isoformat(),
            "region": self.region,
            "region_name": self.region_name,
            "publication": self.publication,
            "years": [
                {"from": y.start.isoformat(), "to": y.end.isoformat(), "label": label}
                for y, label in zip(self.years, self.year_labels, strict=True)
            ],
            "sections": [
                {
                    "area": section.area,
                    "title": section.title,
                    "figures": [_line_json(self, line) for line in section.lines],
                }
                for section in self.sections
            ],
            "left_out": [figure.id for figure in self.left_out],
        }


def _line_json(report: Report, line: Line) -> dict[str, Any]:
    figure = line.figure
    places = "4f" if figure.is_ratio else "2f"

    def shown(value: Value, fmt: str = places, *, counted: bool = False) -> Any:
        if value.hidden:
            return hidden_text(figure, value, report.threshold, counted=counted)
        number = value.value
        return format(number, fmt) if isinstance(number, Decimal) else number

    return {
        "id": figure.id,
        "name": str(figure.name),
        "definition": str(figure.definition),
        "timing": figure.timing,
        "unit": str(figure.unit),
        "value": shown(line.period, counted=True),
        "years": [shown(v, counted=True) for v in line.years],
        "previous": shown(line.previous, counted=True),
        "change": shown(line.change),
        "change_percent": shown(line.change_percent, "2f"),
    }


# --- The period ------------------------------------------------------------------------------


def default_period(today: datetime.date) -> Period:
    """The last five whole calendar years before today's."""
    return Period(
        datetime.date(today.year - DEFAULT_YEARS, 1, 1), datetime.date(today.year - 1, 12, 31)
    )


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def previous_period(period: Period) -> Period:
    """The period of the same length just before: as many whole months when the period is
    whole months (five calendar years → the five before), else as many days."""
    start, end = period.start, period.end
    end_before = start - datetime.timedelta(days=1)
    if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return Period(_add_months(start, -months), end_before)
    return Period(start - (end - start) - datetime.timedelta(days=1), end_before)


def years_of(period: Period) -> list[Period]:
    """Each calendar year of the period, cut to the period."""
    return [
        Period(
            max(period.start, datetime.date(year, 1, 1)),
            min(period.end, datetime.date(year, 12, 31)),
        )
        for year in range(period.start.year, period.end.year + 1)
    ]


def period_problems(
    start: datetime.date | None, end: datetime.date | None, today: datetime.date
) -> dict[str, list[str]]:
    """Every problem of the report's period at once, by field (``start``, ``end``); {} when
    none: the figures' limits (`catalogue.date_problems`), and no day in the future."""
    return catalogue.date_problems(start=start, end=end, today=today, last=today)


# --- The report ------------------------------------------------------------------------------


class _Values:
    """The figures' values for a region, each query computed once (a figure on a day shares
    the period's last day with the last year's)."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._memo: dict[tuple[str, datetime.date, datetime.date], Number] = {}

    def of(self, figure: Figure, period: Period) -> Number:
        if figure.timing == AS_OF:
            key = (figure.id, period.end, period.end)
        else:
            key = (figure.id, period.start, period.end)
        if key not in self._memo:
            self._memo[key] = self._compute(figure, period)
        return self._memo[key]

    def _compute(self, figure: Figure, period: Period) -> Number:
        if figure.ratio_of is not None:
            numerator, denominator = (self.of(catalogue.figure(f), period) for f in figure.ratio_of)
            return catalogue.ratio(int(numerator or 0), int(denominator or 0))
        if figure.timing == AS_OF:
            query = Query(region=self.region, as_of=period.end)
        else:
            query = Query(region=self.region, start=period.start, end=period.end)
        return catalogue.compute(figure, query).total


def _change(value: Number, previous: Number) -> tuple[Value, Value]:
    """The change against the previous period: absolute, and in per cent of the previous
    value (None where the previous value is 0 or missing)."""
    if value is None or previous is None:
        return Value(None), Value(None)
    absolute = value - previous
    if not previous:
        return Value(absolute), Value(None)
    percent = (Decimal(absolute) * 100 / Decimal(previous)).quantize(PERCENT)
    return Value(absolute), Value(percent)


def _line(values: _Values, figure: Figure, report_period: Period, previous: Period,
          years: list[Period]) -> Line:  # fmt: skip
    value = values.of(figure, report_period)
    before = values.of(figure, previous)
    change, percent = _change(value, before)
    return Line(
        figure=figure,
        period=Value(value),
        years=[Value(values.of(figure, year)) for year in years],
        previous=Value(before),
        change=change,
        change_percent=percent,
    )


def build(
    user: Actor,
    start: datetime.date,
    end: datetime.date,
    *,
    county: str = "",
    publication: bool = False,
    slow: bool = False,
) -> Report:
    """The report of the figures `user` may see, for their jurisdiction (narrowed to
    `county`: a ValidationError outside it), over `start`..`end`, hidden small counts when
    marked for `publication`, the `SLOW` figures only when `slow`. The period is taken as
    checked (`period_problems`)."""
    region = catalogue.region_of(user, county)
    period = Period(start, end)
    previous = previous_period(period)
    years = years_of(period)
    values = _Values(region)
    sections: dict[str, Section] = {}
    left_out = []
    slow = slow or snapshots.all_kept(previous.start, period.end)
    for figure in catalogue.visible(user):
        if figure.id in SLOW and not slow:
            left_out.append(figure)
            continue
        section = sections.get(figure.area)
        if section is None:
            title = str(AREAS.get(figure.area, figure.area))
            section = sections[figure.area] = Section(figure.area, title, [])
        section.lines.append(_line(values, figure, period, previous, years))
    report = Report(
        region=region,
        region_name=dims.place_name(region),
        period=period,
        previous=previous,
        years=years,
        publication=publication,
        threshold=suppression.threshold(),
        sections=list(sections.values()),
        left_out=left_out,
    )
    if publication:
        _suppress(report, values, previous, years)
    return report


# --- Small counts ----------------------------------------------------------------------------


def _hidden_cells(line: Line, limit: int) -> set[int]:
    """The indexes in `line.values()` a count line hides: each count below `limit`; along
    the years of a figure whose years add up to the period's value, the complementary cells
    (`suppression.suppress`, the period's value being the row's total); the change where
    either of its two values is hidden."""
    figure = line.figure
    count = len(line.years)
    period_index, previous_index = 0, count + 1
    hidden: set[int] = set()
    if figure.timing != AS_OF and figure.additive:
        row = [int(v.value or 0) for v in line.years]
        hidden |= {1 + c for _r, c in suppression.suppress([row], limit)}
    else:
        hidden |= {1 + i for i, v in enumerate(line.years) if int(v.value or 0) < limit}
    if int(line.period.value or 0) < limit:
        hidden.add(period_index)
    if int(line.previous.value or 0) < limit:
        hidden.add(previous_index)
    if period_index in hidden or previous_index in hidden:
        hidden |= {count + 2, count + 3}
    return hidden


def _suppress(report: Report, values: _Values, previous: Period, years: list[Period]) -> None:
    """Hide the small counts and their complements; an amount or a ratio hides the cells its
    count hides (the figure of ``count_of``)."""
    lines = {line.figure.id: line for s in report.sections for line in s.lines}
    hidden_of: dict[str, set[int]] = {}
    for figure_id, line in lines.items():
        if line.figure.is_count:
            hidden_of[figure_id] = _hidden_cells(line, report.threshold)

    def hidden_by(count_id: str) -> set[int]:
        if count_id not in hidden_of:  # its count is not in the report: computed for hiding
            count = _line(values, catalogue.figure(count_id), report.period, previous, years)
            hidden_of[count_id] = _hidden_cells(count, report.threshold)
        return hidden_of[count_id]

    for figure_id, line in lines.items():
        figure = line.figure
        if figure.is_count:
            hidden = hidden_of[figure_id]
        elif figure.ratio_of is not None:
            # A ratio shown beside one of its two counts gives the other away: it hides
            # wherever either is hidden.
            hidden = hidden_by(figure.ratio_of[0]) | hidden_by(figure.ratio_of[1])
        else:
            hidden = set(hidden_by(figure.count_of))
            if figure.timing != AS_OF and figure.additive:
                # An amount whose years add up to the period's: one hidden year would be the
                # period's amount less the others.
                row = [v.value or 0 for v in line.years]
                cells = {(0, i - 1) for i in hidden if 1 <= i <= len(row)}
                hidden |= {1 + c for _r, c in suppression.complete([row], cells)}
        for index, value in enumerate(line.values()):
            if index in hidden:
                value.hidden = True
