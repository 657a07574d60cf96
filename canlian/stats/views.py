"""The statistics pages: the dashboard of the user's jurisdiction, the catalogue, one figure
broken down as asked, and the records behind any number (the drill-down).

Every figure is computed for the user's jurisdiction (catalogue.region_of) and shown only to
a user holding its area's permission; the drill-down lists the records through the area's
own scoped queryset as well, masked as everywhere, and its count is the number clicked."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from canlian.accounts.actors import Actor, signed_in
from canlian.benefits import snapshots
from canlian.benefits.eligibility import Month
from canlian.lib.charts import Chart, Series
from canlian.payroll.models import Line
from canlian.people.models import Person
from canlian.stats import catalogue, forms, listings, report, suppression
from canlian.stats import dimensions as dims
from canlian.stats.catalogue import AS_OF, Figure, Query, Result


@dataclasses.dataclass
class Cell:
    text: str
    url: str = ""
    hidden: bool = False
    small: bool = False  # hidden as a small count ("<5"), not withheld to keep one hidden


@dataclasses.dataclass
class Table:
    """A figure's result as a page shows it: one row per key of the first dimension, one
    column per key of the second (when there is one), totals, every number a link."""

    result: Result
    caption: str
    headers: list[str]
    rows: list[tuple[str, list[Cell], Cell]]
    total: Cell
    column_totals: list[Cell]
    id: str = "result"  # unique on its page: the table's and its caption's ids


def _visible_figure(user: Actor, figure_id: str) -> Figure:
    try:
        figure = catalogue.figure(figure_id)
    except ValidationError:
        raise Http404 from None
    if not user.can(figure.permission):
        raise PermissionDenied
    return figure


# A figure that decides the subsidies' eligibility for every month without a snapshot
# (`report.SLOW`: some 12 s a month at 1,000,000 persons) is counted on a page only while
# that means at most this many passes over the registry; more would hold a web worker for
# minutes. Each month is decided once for the table's cells and once more for each kind of
# total counted again (persons once over months: each dimension's totals, the grand total).
UNKEPT_PASSES = 2


def _too_slow(figure: Figure, query: Query) -> str:
    """Why a page will not count `query` (its months without an eligibility snapshot), or ""."""
    if figure.id not in report.SLOW:
        return ""
    months = Month.span(*(Month.of(day) for day in query.period))
    if "month" in query.cell:
        months = [m for m in months if str(m) == query.cell["month"]]
    unkept = sorted(set(months) - snapshots.taken(months))
    if figure.additive or not query.by:
        counted_again = 0
    else:  # one breakdown: the grand total; two: each one's totals and the grand total
        counted_again = 1 if len(query.by) == 1 else len(query.by) + 1
    if len(unkept) * (1 + counted_again) <= UNKEPT_PASSES:
        return ""
    shown = "、".join(str(m) for m in unkept[:6]) + ("……" if len(unkept) > 6 else "")
    return ngettext(
        "%(count)s month of the period has no eligibility snapshot (%(months)s): deciding it "
        "here would hold the page too long. Choose a shorter period or fewer breakdowns, or "
        "ask the system administrator to take the snapshot of that month.",
        "%(count)s months of the period have no eligibility snapshot (%(months)s): deciding "
        "them here would hold the page too long. Choose a shorter period or fewer "
        "breakdowns, or ask the system administrator to take the snapshots of those months.",
        len(unkept),
    ) % {"count": len(unkept), "months": shown}


def _region(user: Actor) -> str:
    try:
        return catalogue.region_of(user)
    except ValidationError:
        raise PermissionDenied from None


def _number(figure: Figure, value: Any) -> str:
    if value is None:  # a ratio whose denominator is 0
        return "—"
    if figure.is_ratio:
        return f"{value:.2%}"
    if figure.is_count:
        return f"{value:,}"
    return f"{value:,.2f}"


def _query_string(query: Query, cell: dict[str, Any]) -> str:
    params: dict[str, str] = {}
    if query.as_of is not None:
        params["as_of"] = query.as_of.isoformat()
    else:
        params["start"], params["end"] = (d.isoformat() for d in query.period)
    for dimension, key in {**query.cell, **cell}.items():
        params[dimension] = str(key)
    return urlencode(params)


def table_of(result: Result, *, publish: bool = False) -> Table:
    """The result laid out for a page: the first dimension down, the second across. Marked
    for publication: no links, and the cells `_hidden` says written as "<5" or “withheld”."""
    figure, query = result.figure, result.query
    by = query.by
    link = not publish and figure.records is not None

    def url(cell: dict[str, Any]) -> str:
        if not link:
            return ""
        base = reverse("stats:records", args=[figure.id])
        return f"{base}?{_query_string(query, cell)}"

    words = {d: catalogue.dimension(d).words for d in by}
    down = _keys(result, 0) if by else []  # no breakdown: the total alone
    across = _keys(result, 1) if len(by) > 1 else [None]
    values = _laid_out(result, down, across)
    hidden = _hidden(result, down, across, values) if publish else set()
    height, width = len(down), len(across)
    two_way = len(by) > 1

    def cell(position: tuple[int, int], keys: dict[str, Any], *, always: bool = False) -> Cell:
        value = values[position]
        if position in hidden:
            small = figure.is_count and value is not None and value < suppression.threshold()
            text = suppression.shown(value) if small else str(report.WITHHELD)
            return Cell(text, hidden=True, small=small)
        return Cell(_number(figure, value), url(keys) if value or always else "")

    rows = []
    for r, key in enumerate(down):
        cells = [
            cell((r, c), {by[0]: key} if other is None else {by[0]: key, by[1]: other})
            for c, other in enumerate(across)
        ]
        # One dimension: the row's one cell is its total.
        row_total = cell((r, width), {by[0]: key}, always=True) if two_way else cells[0]
        rows.append((words[by[0]](key), cells, row_total))
    column_totals = []
    if two_way:
        column_totals = [
            cell((height, c), {by[1]: other}, always=True) for c, other in enumerate(across)
        ]
    headers = [str(catalogue.dimension(by[0]).label)] if by else []
    if len(by) > 1:
        headers += [words[by[1]](a) for a in across]
    corner = (height, width) if two_way else (height, 0)
    return Table(
        result=result,
        caption=str(figure.name),
        headers=headers,
        rows=rows,
        total=cell(corner, {}, always=True),
        column_totals=column_totals,
    )


def _laid_out(
    result: Result, down: list[Any], across: list[Any], key: str = ""
) -> dict[tuple[int, int], Any]:
    """The result's values (its figure's, or each row's `key`: a ratio's counts) on the keys
    `down` and `across`, with the totals, as `suppression.with_totals` lays a table out."""
    figure, by = result.figure, result.query.by
    key = key or figure.key

    @functools.cache
    def recounted(dimensions: tuple[str, ...]) -> list[catalogue.Row]:
        """A total the page shows counted again (persons once over months), by `dimensions`:
        its own numerator and denominator, as `catalogue.subtotal` counts them; once for
        every total of the kind."""
        return catalogue.rows_of(figure, dataclasses.replace(result.query, by=dimensions))

    def total(cell: dict[str, Any]) -> Any:
        if key == figure.key:
            return catalogue.subtotal(result, cell)
        additive = figure.additive or len(cell) > 1
        rows = result.rows if additive else recounted(tuple(cell))
        return sum(row[key] for row in rows if all(row[d] == k for d, k in cell.items()))

    empty = None if key == figure.key and figure.is_ratio else 0
    value_of = {tuple(row[d] for d in by): row[key] for row in result.rows}
    two_way = len(by) > 1
    values: dict[tuple[int, int], Any] = {}
    for r, down_key in enumerate(down):
        for c, other in enumerate(across):
            keys = (down_key,) if other is None else (down_key, other)
            values[(r, c)] = value_of.get(keys, empty)
        if two_way:
            values[(r, len(across))] = total({by[0]: down_key})
    if two_way:
        for c, other in enumerate(across):
            values[(len(down), c)] = total({by[1]: other})
        values[(len(down), len(across))] = total({})
    else:
        values[(len(down), 0)] = total({})
    return values


def _hidden(
    result: Result, down: list[Any], across: list[Any], values: dict[tuple[int, int], Any]
) -> set[tuple[int, int]]:
    """The cells of a table marked for publication to hide (`suppression.with_totals`): a
    count's small cells and totals and what would give them away; a ratio's wherever either
    of its two counts hides; an amount's where its count (`count_of`) hides, then what would
    give those away."""
    figure = result.figure
    if figure.is_count:
        return suppression.with_totals(values)
    if figure.ratio_of is not None:
        return suppression.with_totals(
            _laid_out(result, down, across, catalogue.NUMERATOR)
        ) | suppression.with_totals(_laid_out(result, down, across, catalogue.DENOMINATOR))
    count = catalogue.compute(catalogue.figure(figure.count_of), result.query)
    hidden = suppression.with_totals(_laid_out(count, down, across))
    return suppression.close(values, hidden) if figure.additive else hidden


def _keys(result: Result, index: int) -> list[Any]:
    dimension = result.query.by[index]
    keys = {row[dimension] for row in result.rows}
    return sorted(keys, key=catalogue.dimension(dimension).order)


def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures that matter to the user's level: the city by county, a county by
    township, a township by category; then by category, grade, age band and sex."""
    user = signed_in(request)
    region = _region(user)
    figures = catalogue.visible(user)
    if not figures:
        raise PermissionDenied
    form = forms.DayForm(request.GET or None)
    today = timezone.localdate()
    day = form.cleaned_data["as_of"] if form.is_valid() and form.cleaned_data["as_of"] else today
    place = "county" if len(region) <= 4 else "township" if len(region) <= 6 else "category"
    tables: list[Table] = []
    ids = {f.id for f in figures}
    if "persons.certified" in ids:
        certified = catalogue.figure("persons.certified")
        shown = list(dict.fromkeys((place, "category", "grade", "age_band", "sex")))
        by_each = catalogue.marginals(certified, Query(region=region, as_of=day), shown)
        for dimension in shown:
            table = table_of(by_each[dimension])
            table.caption = _("%(figure)s by %(dimension)s") % {
                "figure": certified.name,
                "dimension": catalogue.dimension(dimension).label,
            }
            tables.append(table)
    if "subsidies.persons_paid" in ids:
        month_start = day.replace(day=1)
        month_end = _month_end(month_start)
        for figure_id in ("subsidies.persons_paid", "subsidies.amount_paid"):
            figure = catalogue.figure(figure_id)
            query = Query(region=region, start=month_start, end=month_end, by=("programme",))
            table = table_of(catalogue.compute(figure, query))
            table.caption = _("%(figure)s in %(month)s by subsidy") % {
                "figure": figure.name,
                "month": f"{month_start:%Y-%m}",
            }
            tables.append(table)
    charts = []
    for number, table in enumerate(tables, start=1):
        table.id = f"table-{number}"
        # A figure with nothing to count has no chart: its table says 0.
        chart = chart_of(table, f"figure-{number}") if table.rows else None
        charts.append((chart, table))
    return render(
        request,
        "stats/dashboard.html",
        {"form": form, "day": day, "charts": charts, "region_name": dims.place_name(region)},
    )


def chart_of(table: Table, key: str) -> Chart:
    """A one-dimension table as a bar chart, its data table keeping every number's link."""
    result = table.result
    figure = result.figure
    (dimension,) = result.query.by
    keys = _keys(result, 0)
    value_of = {row[dimension]: row[figure.key] for row in result.rows}
    return Chart(
        key=key,
        kind="bar",
        title=table.caption,
        unit=str(figure.unit),
        category_label=str(catalogue.dimension(dimension).label),
        categories=[label for label, _cells, _total in table.rows],
        series=[
            Series(
                str(figure.name),
                [value_of.get(k, 0) for k in keys],
                urls=[cells[0].url for _label, cells, _total in table.rows],
                total_url=table.total.url,
            )
        ],
    )


def _month_end(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def figure_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    figures = catalogue.visible(user)
    if not figures:
        raise PermissionDenied
    return render(request, "stats/figures.html", {"figures": figures})


def figure_detail(request: HttpRequest, figure_id: str) -> HttpResponse:
    user = signed_in(request)
    figure = _visible_figure(user, figure_id)
    region = _region(user)
    form = forms.FigureForm(request.GET or None, figure=figure)
    table = None
    if form.is_valid():
        query = form.query(region)
        slow = _too_slow(figure, query)
        try:
            if slow:
                raise ValidationError(slow)
            result = catalogue.compute(figure, query)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            table = table_of(result, publish=form.cleaned_data["publish"])
    return render(
        request,
        "stats/figure.html",
        {
            "figure": figure,
            "form": form,
            "table": table,
            "dimensions": [catalogue.dimension(d) for d in figure.dimensions],
            "is_as_of": figure.timing == AS_OF,
            "small_count": suppression.threshold(),
            "small_shown": suppression.shown(0),
        },
    )


def records(request: HttpRequest, figure_id: str) -> HttpResponse:
    """The records behind a number: the same query, one cell of it, listed in scope."""
    user = signed_in(request)
    figure = _visible_figure(user, figure_id)
    if figure.records is None:
        raise Http404
    region = _region(user)
    form = forms.CellForm(request.GET, figure=figure)
    if not form.is_valid():
        return render(request, "stats/records.html", {"figure": figure, "form": form}, status=400)
    query = form.query(region)
    try:
        catalogue.check_query(figure, query)
        slow = _too_slow(figure, query)
        if slow:
            raise ValidationError(slow)
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "stats/records.html", {"figure": figure, "form": form}, status=400)
    found = figure.records(query)
    context: dict[str, Any] = {"figure": figure, "form": form, "cell": form.cell_words()}
    listed: QuerySet[Any]
    listing = listings.LISTINGS.get(found.model)
    if found.model is Person:
        listed = (
            Person.objects.visible_to(user)
            .filter(pk__in=found.values("pk"))
            .select_related("place", "place__parent")
            .order_by("place_id", "name", "id")
        )
        template = "stats/records_persons.html"
    elif found.model is Line:
        listed = found.select_related("person", "roll").order_by("roll__month", "person_id", "id")
        context["amount"] = _number(figure, found.aggregate(total=Sum("amount"))["total"] or 0)
        template = "stats/records_lines.html"
    elif listing is not None:
        listed = listing.listed(user, found)
        template = listing.template
        # Records counted but out of the user's sight now (a certificate's holder who moved
        # to another county): said, never listed.
        context["out_of_sight"] = found.count() - listed.count()
        if figure.sum_of:
            summed = found.aggregate(total=Sum(figure.sum_of))["total"] or 0
            context["summed"] = _number(figure, summed)
    else:  # a figure whose records no page lists yet
        raise Http404
    page = Paginator(listed, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    if listing is not None:
        for row in page.object_list:
            listing.prepare(row)
    context |= {
        "page": page,
        "count": page.paginator.count,
        "query": _query_string(query, {}),
        "figure_url": reverse("stats:figure", args=[figure.id]),
    }
    return render(request, template, context)
