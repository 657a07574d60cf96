"""Counting records by dimensions: each dimension read from a record by an SQL expression, a
query's rows grouped by them, a drill-down's cell a filter on them.

The figures of records (certificates, applications, stops, declarations, imports…) share
this; the persons counted on a day read people.Version instead (figures/persons.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Substr

from canlian.stats.catalogue import Query, Row


@dataclasses.dataclass(frozen=True)
class Read:
    """How a dimension reads a record: an SQL expression, its value as a key (as printed)
    and a key back as the value to compare the expression with (a drill-down's cell)."""

    expression: Callable[[], Any]
    key: Callable[[Any], Any] = lambda value: value
    value: Callable[[Any], Any] = lambda key: key


def field(name: str) -> Read:
    return Read(lambda: F(name))


def county_of(code_field: str) -> Read:
    """The county (its six digits) of a region code."""
    return Read(lambda: Substr(code_field, 1, 6))


Reads = Mapping[str, Read]
Records = Callable[[Query], QuerySet[Any]]
Rows = Callable[[Query], list[Row]]


def in_cell(records: QuerySet[Any], query: Query, reads: Reads) -> QuerySet[Any]:
    """`records` narrowed to the query's cell (dimension → key)."""
    for dimension, key in query.cell.items():
        read = reads[dimension]
        records = records.alias(**{f"_{dimension}": read.expression()}).filter(
            **{f"_{dimension}": read.value(key)}
        )
    return records


def grouped(records: QuerySet[Any], query: Query, reads: Reads, **aggregates: Any) -> list[Row]:
    """The aggregates of `records` (already in the query's cell) by the query's dimensions:
    one row per group met, with the dimensions' keys and the aggregates' values."""
    if not query.by:
        return [records.aggregate(**aggregates)]
    groups = (
        records.annotate(**{f"_{d}": reads[d].expression() for d in query.by})
        .values(*(f"_{d}" for d in query.by))
        .annotate(**aggregates)
        .order_by()
    )
    return [
        {
            **{d: reads[d].key(group[f"_{d}"]) for d in query.by},
            **{name: group[name] for name in aggregates},
        }
        for group in groups
    ]


def records_of(found: Records, reads: Reads) -> Records:
    """A figure's records over the records `found(query)` (in the query's region, any cell):
    those in the query's cell."""

    def records(query: Query) -> QuerySet[Any]:
        return in_cell(found(query), query, reads)

    return records


def rows_of(found: Records, reads: Reads, **aggregates: Any) -> Rows:
    """A figure's rows over the records `found(query)`: the aggregates of those in the
    query's cell (their count, key "value", unless given) by the query's dimensions; a group
    whose sum is None (nothing to add up) is no row."""
    counted = aggregates or {"value": Count("pk")}

    def rows(query: Query) -> list[Row]:
        found_rows = grouped(in_cell(found(query), query, reads), query, reads, **counted)
        return [row for row in found_rows if all(row[k] is not None for k in counted)]

    return rows


def counter(found: Records, reads: Reads) -> tuple[Rows, Records]:
    """The rows (a count, key "value") and records of a figure counting `found(query)`."""
    return rows_of(found, reads), records_of(found, reads)
