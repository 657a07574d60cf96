"""The statistics pages: the dashboard of the user's jurisdiction, the catalogue, one figure
broken down as asked, and the records behind any number (the drill-down).

Every figure is computed for the user's jurisdiction (catalogue.region_of) and shown only to
a user holding its area's permission; the drill-down lists the records through the area's
own scoped queryset as well, masked as everywhere, and its count is the number clicked."""

from __future__ import annotations

import dataclasses
import datetime
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

from canlian.accounts.actors import Actor, signed_in
from canlian.lib.charts import Chart, Series
from canlian.payroll.models import Line
from canlian.people.models import Person
from canlian.stats import catalogue, forms, listings, suppression
from canlian.stats import dimensions as dims
from canlian.stats.catalogue import AS_OF, Figure, Query, Result


@dataclasses.dataclass
class Cell:
    text: str
    url: str = ""
    hidden: bool = False


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
    """The result laid out for a page: the first dimension down, the second across."""
    figure, query = result.figure, result.query
    by = query.by
    link = not publish and figure.records is not None

    def url(cell: dict[str, Any]) -> str:
        if not link:
            return ""
        base = reverse("stats:records", args=[figure.id])
        return f"{base}?{_query_string(query, cell)}"

    words = {d: catalogue.dimension(d).words for d in by}
    value_of = {tuple(row[d] for d in by): row[figure.key] for row in result.rows}
    down = _keys(result, 0) if by else []  # no breakdown: the total alone
    across = _keys(result, 1) if len(by) > 1 else [None]
    empty = None if figure.is_ratio else 0
    grid: list[list[Any]] = [
        [value_of.get((k,) if len(by) == 1 else (k, a), empty) if by else empty for a in across]
        for k in down
    ]

    def total(dimension: str, key: Any) -> Any:
        return catalogue.subtotal(result, {dimension: key})

    hidden: set[tuple[int, int]] = set()
    if publish and figure.is_count and by:
        hidden = suppression.suppress(grid)
    rows = []
    for r, key in enumerate(down):
        cells = []
        for c, other in enumerate(across):
            cell = {by[0]: key} if other is None else {by[0]: key, by[1]: other}
            value = grid[r][c]
            if (r, c) in hidden:
                cells.append(Cell(suppression.shown(value), hidden=True))
            else:
                cells.append(Cell(_number(figure, value), url(cell) if value else ""))
        # One dimension: the row's one cell is its total.
        row_total = total(by[0], key) if len(by) > 1 else grid[r][0]
        rows.append((words[by[0]](key), cells, Cell(_number(figure, row_total), url({by[0]: key}))))
    column_totals = []
    if len(by) > 1:
        for other in across:
            column_total = total(by[1], other)
            column_totals.append(Cell(_number(figure, column_total), url({by[1]: other})))
    headers = [str(catalogue.dimension(by[0]).label)] if by else []
    if len(by) > 1:
        headers += [words[by[1]](a) for a in across]
    return Table(
        result=result,
        caption=str(figure.name),
        headers=headers,
        rows=rows,
        total=Cell(_number(figure, result.total), url({})),
        column_totals=column_totals,
    )


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
        {"form": form, "day": day, "charts": charts, "region_name": dims.region_name(region)},
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
        try:
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
