"""The two subsidies as paid: persons and amounts from approved payment rolls.

A payment counts in the month of the roll that carries it (a back-pay line for August paid on
November's roll counts in November), in the roll's county, once the roll is approved; drafts
never count. A township's figures take the persons whose household is registered in it today
(rolls are kept per county)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.payroll.models import Line, RollStatus
from canlian.people.models import Person
from canlian.stats.catalogue import PERIOD, VALUE, Figure, Query, Row, register
from canlian.stats.dimensions import _month

DIMENSIONS = ("county", "programme", "month")
_FIELDS = {"county": "roll__county", "programme": "programme", "month": "roll__month"}


def lines(query: Query) -> QuerySet[Line]:
    start, end = query.period
    found = Line.objects.filter(
        roll__status=RollStatus.APPROVED,
        roll__month__gte=start.replace(day=1),
        roll__month__lte=end,
        roll__county__startswith=query.region[:6],
    )
    if len(query.region) > 6:
        found = found.filter(person__place__code__startswith=query.region)
    for dimension, key in query.cell.items():
        value = _month(key) if dimension == "month" else key
        found = found.filter(**{_FIELDS[dimension]: value})
    return found


def _key(dimension: str, value: Any) -> Any:
    return f"{value:%Y-%m}" if dimension == "month" else value


def _grouped(query: Query, **aggregates: Any) -> list[dict[str, Any]]:
    found = lines(query)
    if not query.by:
        return [found.aggregate(**aggregates)]
    grouped = (
        found.annotate(**{f"_{d}": F(_FIELDS[d]) for d in query.by})
        .values(*(f"_{d}" for d in query.by))
        .annotate(**aggregates)
        .order_by()
    )
    return [
        {**{d: _key(d, row[f"_{d}"]) for d in query.by}, **{k: row[k] for k in aggregates}}
        for row in grouped
    ]


def persons_rows(query: Query) -> list[Row]:
    return _grouped(query, persons=Count("person_id", distinct=True))


def amount_rows(query: Query) -> list[Row]:
    rows = _grouped(query, value=Sum("amount"))
    return [{**row, "value": row["value"] or 0} for row in rows if row["value"] is not None]


def paid_persons(query: Query) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=lines(query).values("person_id"))


PERSONS_PAID = register(
    Figure(
        id="subsidies.persons_paid",
        area="subsidies",
        name=_("Persons paid a subsidy"),
        definition=_(
            "Persons with at least one payment on an approved payment roll of a month in the "
            "period (regular, back pay or adjustment), counted once however many payments; by "
            "the roll's county and subsidy and the roll's month."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=persons_rows,
        records=paid_persons,
        unit=_("persons"),
    )
)

AMOUNT_PAID = register(
    Figure(
        id="subsidies.amount_paid",
        area="subsidies",
        name=_("Subsidy amounts paid"),
        definition=_(
            "The sum of the payments on approved payment rolls of the months in the period "
            "(regular, back pay and adjustments, negative adjustments deducted), in yuan; by "
            "the roll's county and subsidy and the roll's month."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=amount_rows,
        records=lines,
        key=VALUE,
        unit=_("yuan"),
        count_of="subsidies.persons_paid",
    )
)
