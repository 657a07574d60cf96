"""The catalogue of figures: every number Canlian reports, with its definition.

A figure (:class:`Figure`) has an id (``persons.certified``), a name and a written definition
(what is counted, on which date or in which period), the dimensions it may be broken down by,
the permission that lets a user see it (the area's own: a user sees the figures of the records
they may read), and two functions over one :class:`Query`: ``rows`` (the numbers, grouped by
the query's dimensions) and ``records`` (the records behind a number, for the drill-down,
whose count equals the number). Each area registers its figures from its own module in
``canlian/stats/figures/``; a service line adds a module there.

A query is always computed for a jurisdiction: the user's (scoping, as every read path), or
narrower (``--county``, a cell's township). Its result rows hold the dimensions' keys as
the command line prints them (county as its 6-digit code, category and grade as numbers, sex
as 男/女, age band as 0–6, 7–17, 18–59, 60+) and the value.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from canlian.accounts.actors import Actor

AS_OF = "as_of"  # counted on one day
PERIOD = "period"  # counted over a period, both ends included

PERSONS = "persons"  # the value's key: a count of persons
VALUE = "value"  # any other value (a count of records, an amount, a ratio)
# A ratio's rows carry the two counts it divides beside the value.
NUMERATOR, DENOMINATOR = "numerator", "denominator"
RATIO_PLACES = Decimal("0.0001")

# The days a figure may be counted on or over: not before EARLIEST (far enough for any
# record, near enough that the period before a period is still a date), not more than
# MAX_YEARS ahead (a certificate's validity: who will still hold one), over at most MAX_YEARS.
EARLIEST = datetime.date(1900, 1, 1)
MAX_YEARS = 10


@dataclasses.dataclass(frozen=True)
class Dimension:
    id: str
    label: StrOrPromise
    # A key (as printed) → its words on a page.
    words: Callable[[Any], str]
    # A key as typed (a drill-down's query string) → the key; ValueError if it cannot be one.
    parse: Callable[[str], Any] = str
    # The keys' order in a table.
    order: Callable[[Any], Any] = str


@dataclasses.dataclass(frozen=True)
class Query:
    """What to count: on a day (``as_of``) or over a period (``start``..``end``), broken down
    ``by`` dimensions, within ``region`` (a region-code prefix), narrowed to one cell by
    ``cell`` (dimension → key) for a drill-down."""

    region: str
    as_of: datetime.date | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    by: tuple[str, ...] = ()
    cell: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def with_by(self, by: tuple[str, ...]) -> Query:
        return dataclasses.replace(self, by=by)

    def with_cell(self, cell: Mapping[str, Any]) -> Query:
        return dataclasses.replace(self, cell={**self.cell, **cell})

    @property
    def day(self) -> datetime.date:
        assert self.as_of is not None
        return self.as_of

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        assert self.start is not None and self.end is not None
        return self.start, self.end


Row = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Figure:
    id: str
    area: str
    name: StrOrPromise
    definition: StrOrPromise
    timing: str  # AS_OF or PERIOD
    dimensions: tuple[str, ...]
    permission: str
    rows: Callable[[Query], list[Row]]
    records: Callable[[Query], QuerySet[Any]] | None = None
    key: str = PERSONS  # the value's key in a row
    unit: StrOrPromise = ""
    # Counts of persons or records may be shown as "<5" in published outputs; amounts are
    # suppressed with the count of the same cell (`count_of`, another figure's id).
    count_of: str = ""
    # A ratio (coverage): the ids of the two count figures it divides, numerator first. Its
    # rows are computed from theirs (`ratio_rows`); any total is the ratio of the sums, and a
    # cell whose denominator is 0 has no value (None).
    ratio_of: tuple[str, str] | None = None
    # When the number is not the count of its records but the sum of one of their fields (an
    # amount, rows imported): that field, which the drill-down sums beside the count.
    sum_of: str = ""
    # Whether the rows add up to their total. Not for a count of distinct persons over
    # several months or subsidies (a person in two rows is one person in their total): its
    # totals are counted again over the whole cell (`subtotal`).
    additive: bool = True
    # The models whose tables the rows read: the rows for a query are kept until one of
    # them changes (stats.kept). None kept when empty. A test checks that the rows read
    # no other table.
    sources: tuple[type[Model], ...] = ()
    # Those of `sources` a particular query reads, when fewer (a result then stays kept while
    # the others change).
    sources_for: Callable[[Query], tuple[type[Model], ...]] | None = None
    # PostgreSQL: the rows by each of the query's dimensions alone, counted at once (GROUPING
    # SETS), each row naming its dimension under "by" (`marginals`).
    rows_by_each: Callable[[Query], list[Row]] | None = None

    def sources_of(self, query: Query) -> tuple[type[Model], ...]:
        return self.sources if self.sources_for is None else self.sources_for(query)

    @property
    def is_count(self) -> bool:
        return not self.count_of and self.ratio_of is None

    @property
    def is_ratio(self) -> bool:
        return self.ratio_of is not None


@dataclasses.dataclass
class Result:
    figure: Figure
    query: Query
    rows: list[Row]

    # A non-additive figure's totals by one dimension, counted again (`totals_by`).
    _totals: dict[str, dict[Any, Any]] = dataclasses.field(default_factory=dict, repr=False)

    @functools.cached_property
    def total(self) -> int | Decimal | None:
        return subtotal(self, {})

    def totals_by(self, dimension: str) -> dict[Any, Any]:
        """Key → the figure over that key of `dimension`, all of it in one computation."""
        if dimension not in self._totals:
            query = dataclasses.replace(self.query, by=(dimension,))
            rows = rows_of(self.figure, query)
            self._totals[dimension] = {row[dimension]: total_of(self.figure, [row]) for row in rows}
        return self._totals[dimension]

    def as_json(self) -> dict[str, Any]:
        """The command line's shape: the query, the rows (dimension keys and the value) and the
        total."""
        data: dict[str, Any] = {}
        query = self.query
        if query.as_of is not None:
            data["as_of"] = query.as_of.isoformat()
        else:
            data["from"] = query.period[0].isoformat()
            data["to"] = query.period[1].isoformat()
        data["by"] = list(query.by)
        places = "4f" if self.figure.is_ratio else "2f"
        data["rows"] = [{k: _json(v, places) for k, v in row.items()} for row in self.rows]
        data["total"] = _json(self.total, places)
        return data


def subtotal(result: Result, cell: Mapping[str, Any]) -> int | Decimal | None:
    """The figure's value over the rows of `result` in `cell` (dimension → key; {} for the
    total): added up from the rows, or counted again when the figure is not additive."""
    figure, query = result.figure, result.query
    if figure.additive or not query.by:
        rows = [row for row in result.rows if all(row[d] == k for d, k in cell.items())]
        return total_of(figure, rows)
    if len(cell) == 1:
        [(dimension, key)] = cell.items()
        return result.totals_by(dimension).get(key, total_of(figure, []))
    whole = dataclasses.replace(query, by=(), cell={**query.cell, **cell})
    return total_of(figure, rows_of(figure, whole))


def total_of(figure: Figure, rows: Sequence[Row]) -> int | Decimal | None:
    """The figure's value over `rows` taken together: their sum, or for a ratio the ratio of
    the sums of its two counts."""
    if figure.is_ratio:
        return ratio(sum(r[NUMERATOR] for r in rows), sum(r[DENOMINATOR] for r in rows))
    return sum((row[figure.key] for row in rows), start=_zero(figure))


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """`numerator` ÷ `denominator` to four places; None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES)


def ratio_rows(numerator_id: str, denominator_id: str) -> Callable[[Query], list[Row]]:
    """The rows of a ratio of two count figures, computed with the same query: each cell of
    either, its value, its numerator and its denominator."""

    def rows(query: Query) -> list[Row]:
        counts: dict[tuple[Any, ...], list[int]] = {}
        for index, figure_id in enumerate((numerator_id, denominator_id)):
            counted = figure(figure_id)
            for row in rows_of(counted, query):
                cell = tuple(row[d] for d in query.by)
                counts.setdefault(cell, [0, 0])[index] += row[counted.key]
        return [
            {
                **dict(zip(query.by, cell, strict=True)),
                VALUE: ratio(*pair),
                NUMERATOR: pair[0],
                DENOMINATOR: pair[1],
            }
            for cell, pair in counts.items()
        ]

    return rows


def _zero(figure: Figure) -> int | Decimal:
    return 0 if figure.is_count else Decimal("0.00")


def _json(value: Any, places: str = "2f") -> Any:
    """A value as printed: a Decimal as text with its places (a ratio four, an amount two)."""
    if isinstance(value, Decimal):
        return format(value, places)
    return value


_FIGURES: dict[str, Figure] = {}
_DIMENSIONS: dict[str, Dimension] = {}


def register(figure: Figure) -> Figure:
    if figure.id in _FIGURES:
        raise ValueError(f"figure {figure.id} registered twice")
    unknown = [d for d in figure.dimensions if d not in _DIMENSIONS]
    if unknown:
        raise ValueError(f"figure {figure.id}: unknown dimensions {unknown}")
    _FIGURES[figure.id] = figure
    return figure


def register_dimension(dimension: Dimension) -> Dimension:
    _DIMENSIONS.setdefault(dimension.id, dimension)
    return _DIMENSIONS[dimension.id]


def figures() -> list[Figure]:
    return list(_FIGURES.values())


def figure(figure_id: str) -> Figure:
    found = _FIGURES.get(figure_id)
    if found is None:
        raise ValidationError(_("There is no figure %(id)s.") % {"id": figure_id})
    return found


def dimension(dimension_id: str) -> Dimension:
    return _DIMENSIONS[dimension_id]


def visible(user: Actor) -> list[Figure]:
    return [f for f in _FIGURES.values() if user.can(f.permission)]


def region_of(user: Actor, county: str = "") -> str:
    """The region a user's figures are computed for: their jurisdiction, narrowed to
    ``county`` when given; a ValidationError for a county outside it."""
    scope = str(getattr(user, "scope_prefix", "") or "")
    if not scope:
        raise ValidationError(_("You have no jurisdiction to count in."))
    if not county:
        return scope
    if not county.isdigit() or len(county) != 6 or not county.startswith(scope[:6]):
        raise ValidationError(
            _("The county %(code)s is not in your jurisdiction.") % {"code": county}
        )
    return max(county, scope, key=len)


def years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def latest(today: datetime.date) -> datetime.date:
    """The last day a figure may be counted on: MAX_YEARS from today."""
    return years_later(today, MAX_YEARS)


def date_problems(
    *,
    as_of: datetime.date | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date,
    last: datetime.date | None = None,
) -> dict[str, list[str]]:
    """Every problem of the day or the period at once, by field (``as_of``, ``start``,
    ``end``); {} when none. No day before EARLIEST nor after `last` (`latest(today)` when not
    given), no period longer than MAX_YEARS, no last day before the first."""
    problems: dict[str, list[str]] = {}
    last = latest(today) if last is None else last
    for name, day in (("as_of", as_of), ("start", start), ("end", end)):
        if day is None:
            continue
        if day < EARLIEST:
            problems.setdefault(name, []).append(
                _("The day must not be before %(earliest)s.") % {"earliest": EARLIEST.isoformat()}
            )
        elif day > last and last == today:
            future = {
                "as_of": _("The day must not be in the future (today is %(today)s)."),
                "start": _("The first day must not be in the future (today is %(today)s)."),
                "end": _("The last day must not be in the future (today is %(today)s)."),
            }
            problems.setdefault(name, []).append(future[name] % {"today": today.isoformat()})
        elif day > last:
            problems.setdefault(name, []).append(
                _("The day must not be after %(latest)s.") % {"latest": last.isoformat()}
            )
    if start is not None and end is not None:
        if start > end:
            problems.setdefault("end", []).append(_("The last day must not be before the first."))
        elif end >= years_later(start, MAX_YEARS):
            problems.setdefault("end", []).append(
                _("The period must not be longer than %(years)s years.") % {"years": MAX_YEARS}
            )
    return problems


def check_query(figure: Figure, query: Query) -> None:
    """Every problem of `query` for `figure` at once, as a ValidationError."""
    problems: dict[str, list[str]] = {}
    if figure.timing == AS_OF and query.as_of is None:
        problems.setdefault("as_of", []).append(_("Enter the date to count on."))
    if figure.timing == PERIOD and (query.start is None or query.end is None):
        problems.setdefault("start", []).append(_("Enter the first and last day."))
    dates = date_problems(
        as_of=query.as_of, start=query.start, end=query.end, today=timezone.localdate()
    )
    for name, messages in dates.items():
        problems.setdefault(name, []).extend(messages)
    unknown = [d for d in [*query.by, *query.cell] if d not in figure.dimensions]
    if unknown:
        problems.setdefault("by", []).append(
            _("%(figure)s cannot be broken down by %(dimensions)s.")
            % {"figure": figure.name, "dimensions": "、".join(unknown)}
        )
    if problems:
        raise ValidationError(problems)


def compute(figure: Figure, query: Query) -> Result:
    check_query(figure, query)
    rows = rows_of(figure, query)
    return Result(figure, query, sorted(rows, key=lambda row: _order(row, query.by)))


def marginals(figure: Figure, query: Query, dimensions: Sequence[str]) -> dict[str, Result]:
    """The figure by each of `dimensions` alone (the dashboard's tables): on PostgreSQL, for
    a figure that can, counted in one reading of its records (GROUPING SETS) and kept as one
    result; otherwise one computation per dimension."""
    each = {dimension: query.with_by((dimension,)) for dimension in dimensions}
    if figure.rows_by_each is None or connection.vendor != "postgresql":
        return {dimension: compute(figure, asked) for dimension, asked in each.items()}
    together = query.with_by(tuple(dimensions))
    check_query(figure, together)
    counted = dataclasses.replace(figure, id=f"{figure.id}/each", rows=figure.rows_by_each)
    rows = rows_of(counted, together)
    found = {}
    for dimension, asked in each.items():
        mine = [
            {dimension: row[dimension], figure.key: row[figure.key]}
            for row in rows
            if row["by"] == dimension
        ]
        found[dimension] = Result(figure, asked, sorted(mine, key=lambda r: _order(r, asked.by)))
    return found


def rows_of(figure: Figure, query: Query) -> list[Row]:
    """The figure's rows for `query`, kept from an earlier computation while its sources are
    unchanged (stats.kept)."""
    from canlian.stats import kept

    return kept.rows(figure, query)


def _order(row: Row, by: Sequence[str]) -> tuple[Any, ...]:
    return tuple(_DIMENSIONS[d].order(row[d]) for d in by)
