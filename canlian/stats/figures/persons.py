"""Certified persons on a date (持证残疾人数), from the registry's dated facts (people.Version).

A person counts on a day when a version of their record covers it, the certificate it records
is valid that day (issued on or before it, expiring on or after it), and they had not died,
moved out of the city or had their certificate cancelled by then (docs/statistics.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.people.models import Person, StatusKind, StatusPeriod, Version
from canlian.people.versions import counted_on
from canlian.stats import dimensions as dims
from canlian.stats.catalogue import AS_OF, Figure, Query, Row, register

# The tables the rows read (stats.kept keeps the rows until one of them changes).
SOURCES: tuple[type[Model], ...] = (Version, StatusPeriod)

DIMENSIONS = ("county", "township", "category", "grade", "sex", "age_band")
POOR = (StatusKind.REGISTERED_POOR, StatusKind.POVERTY_ALLEVIATED, StatusKind.MONITORED)


def _expression(dimension: str, query: Query) -> Any:
    if dimension == "sex":
        return dims.sex_expression("sex")
    if dimension == "age_band":
        return dims.age_band_expression("birth_date", query.day)
    return dims.plain(dimension)


def _cell(dimension: str, key: Any, query: Query) -> Q:
    if dimension == "sex":
        return Q(sex=dims.SEX_CODES[key])
    if dimension == "age_band":
        return dims.age_band_filter("birth_date", query.day, key)
    return Q(**{dimension: key})


# A further condition on the versions counted, given the query (the data-quality figures).
Where = Callable[[Query], Q]


def versions(
    query: Query, statuses: tuple[str, ...] = (), where: Where | None = None
) -> QuerySet[Version]:
    """The versions of the persons counted: on the query's day, in its region and cell,
    holding one of `statuses` that day when given, meeting `where` when given."""
    found = counted_on(query.day).filter(place__startswith=query.region)
    if where is not None:
        found = found.filter(where(query))
    for dimension, key in query.cell.items():
        found = found.filter(_cell(dimension, key, query))
    if statuses:
        held = StatusPeriod.objects.filter(
            person=OuterRef("person_id"), kind__in=statuses, start__lte=query.day
        ).filter(Q(end__isnull=True) | Q(end__gte=query.day))
        found = found.filter(Exists(held))
    return found


def counter(statuses: tuple[str, ...] = (), where: Where | None = None) -> Any:
    def rows(query: Query) -> list[Row]:
        found = versions(query, statuses, where)
        if not query.by:
            return [{"persons": found.count()}]
        grouped = (
            found.annotate(**{f"_{d}": _expression(d, query) for d in query.by})
            .values(*(f"_{d}" for d in query.by))
            .annotate(persons=Count("id"))
            .order_by()
        )
        return [
            {**{d: row[f"_{d}"] for d in query.by}, "persons": row["persons"]} for row in grouped
        ]

    return rows


_GROUPING_SETS = (
    "SELECT {columns}, {flags}, count(*) FROM ({inner}) AS counted GROUP BY GROUPING SETS ({sets})"
)


def by_each(statuses: tuple[str, ...] = (), where: Where | None = None) -> Any:
    """PostgreSQL: the counts by each of the query's dimensions alone, in one reading of the
    versions (GROUPING SETS), each row naming its dimension under "by"."""

    def rows(query: Query) -> list[Row]:
        aliases = [f"_{d}" for d in query.by]
        selected = versions(query, statuses, where).annotate(
            **{f"_{d}": _expression(d, query) for d in query.by}
        )
        inner, params = selected.values(*aliases).query.sql_with_params()
        quoted = [connection.ops.quote_name(alias) for alias in aliases]
        # The names are the figure's own dimensions (checked), quoted; values are parameters.
        sql = _GROUPING_SETS.format(
            columns=", ".join(quoted),
            flags=", ".join(f"GROUPING({q})" for q in quoted),
            inner=inner,
            sets=", ".join(f"({q})" for q in quoted),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        n = len(aliases)
        rows = []
        for record in found:
            index = list(record[n : 2 * n]).index(0)  # the one dimension grouped by
            dimension = query.by[index]
            rows.append({"by": dimension, dimension: record[index], "persons": record[2 * n]})
        return rows

    return rows


def records_of(statuses: tuple[str, ...] = (), where: Where | None = None) -> Any:
    def records(query: Query) -> QuerySet[Person]:
        return Person.objects.filter(pk__in=versions(query, statuses, where).values("person_id"))

    return records


CERTIFIED = register(
    Figure(
        id="persons.certified",
        area="persons",
        name=_("Certified disabled persons"),
        definition=_(
            "Persons who, on the day, were alive, had not moved out of the city and held a "
            "disability certificate valid that day (issued on or before it and expiring on or "
            "after it), counted where their household was registered that day, with the "
            "category and grade of that certificate. Age is the age on the day."
        ),
        timing=AS_OF,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_PERSON,
        rows=counter(),
        rows_by_each=by_each(),
        sources=SOURCES,
        records=records_of(),
        unit=_("persons"),
    )
)

_STATUS_DEFINITION = _(
    "Certified disabled persons (as in “Certified disabled persons”) who held, on the day, "
    "a status period of {status} recorded on the registry."
)

for figure_id, name, kinds, status in (
    (
        "persons.dibao",
        _("Certified persons receiving the minimum living allowance"),
        (StatusKind.DIBAO,),
        _("minimum living allowance (dibao)"),
    ),
    (
        "persons.tekun",
        _("Certified persons receiving extreme-poverty support"),
        (StatusKind.TEKUN,),
        _("extreme-poverty support (tekun)"),
    ),
    (
        "persons.poor",
        _("Certified persons of registered-poor, lifted-out or monitored households"),
        POOR,
        _(
            "registered poor household, lifted out of poverty (from 2021) or monitored "
            "against relapse (from 2021)"
        ),
    ),
):
    register(
        Figure(
            id=figure_id,
            area="persons",
            name=name,
            definition=format_lazy(_STATUS_DEFINITION, status=status),
            timing=AS_OF,
            dimensions=DIMENSIONS,
            permission=Perm.VIEW_PERSON,
            rows=counter(tuple(kinds)),
            sources=SOURCES,
            records=records_of(tuple(kinds)),
            unit=_("persons"),
        )
    )
