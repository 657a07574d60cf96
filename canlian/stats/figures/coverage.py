"""Subsidy coverage: the persons paid divided by the persons eligible, for each county,
subsidy and month.

The persons eligible are those the subsidies' own conditions find eligible in a month, in the
one columnar pass over the registry that `canlian subsidy compute` runs
(``benefits.eligibility.compute_month``), month by month over the period."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.benefits.eligibility import Month, compute_month
from canlian.people.models import Person
from canlian.stats.catalogue import (
    PERIOD,
    VALUE,
    Figure,
    Query,
    Row,
    ratio_rows,
    register,
)
from canlian.stats.figures.subsidies import DIMENSIONS

# One eligible person in one month: (person, county, programme, month "YYYY-MM").
Eligible = tuple[int, str, str, str]


def eligible(query: Query) -> list[Eligible]:
    """Each person eligible for a subsidy in a month of the query's period, in its region and
    cell, with the county of their household (today's, as the pass reads the registry)."""
    start, end = query.period
    places = Person.objects.filter(place__code__startswith=query.region)
    county = {pk: str(place)[:6] for pk, place in places.values_list("pk", "place_id")}
    found: list[Eligible] = []
    month, last = Month.of(start), Month.of(end)
    while month <= last:
        result = compute_month(month, region_prefix=query.region)
        for programme, decided in result.programmes.items():
            for pk in decided.person_ids[decided.eligible].tolist():
                found.append((pk, county[pk], str(programme), str(month)))
        month = month.shift(1)
    index = {"county": 1, "programme": 2, "month": 3}
    return [
        one
        for one in found
        if all(one[index[dimension]] == key for dimension, key in query.cell.items())
    ]


def eligible_rows(query: Query) -> list[Row]:
    index = {"county": 1, "programme": 2, "month": 3}
    persons: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    for one in eligible(query):
        persons[tuple(one[index[d]] for d in query.by)].add(one[0])
    if not query.by:
        return [{"persons": len(persons.get((), set()))}]
    return [
        {**dict(zip(query.by, cell, strict=True)), "persons": len(ids)}
        for cell, ids in persons.items()
    ]


def eligible_persons(query: Query) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=sorted({one[0] for one in eligible(query)}))


ELIGIBLE = register(
    Figure(
        id="subsidies.eligible",
        area="subsidies",
        name=_("Persons eligible for a subsidy"),
        definition=_(
            "Persons on the registry whom a subsidy's conditions find eligible in a month of the "
            "period, as `canlian subsidy compute` decides it: an amount in force for their "
            "place, the certificate valid on a day of the month, alive and living in the "
            "jurisdiction on its first day, and the subsidy's own conditions (dibao or an "
            "extension in force for the living subsidy; grade and category for the care "
            "subsidy; not in extreme-poverty support where that excludes it). The registry is "
            "read as it stands now; what it does not hold (equivalent allowances, orphans' "
            "support, work-injury care, the length of a care need) is taken as none, so this "
            "counts who may be eligible, whether or not they applied. Each person counted once "
            "over the period; by the county of their household today, the subsidy and the month."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=eligible_rows,
        additive=False,
        records=eligible_persons,
        unit=_("persons"),
    )
)

COVERAGE = register(
    Figure(
        id="subsidies.coverage",
        area="subsidies",
        name=_("Subsidy coverage"),
        definition=_(
            "The persons paid (“Persons paid a subsidy”: a payment on an approved roll of a "
            "month of the period) divided by the persons eligible (“Persons eligible for a "
            "subsidy”), for the same county, subsidy and month, each counted once over the "
            "period; 0.85 is 85%. The persons paid count in the county of the roll, the "
            "eligible in the county of their household today. A person paid whom the registry "
            "does not show eligible (a fact it does not hold, or back pay for earlier months) "
            "counts above the line only, so the ratio can exceed 1; a cell with nobody eligible "
            "has no ratio."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=ratio_rows("subsidies.persons_paid", "subsidies.eligible"),
        additive=False,
        key=VALUE,
        unit=_("ratio"),
        count_of="subsidies.eligible",
        ratio_of=("subsidies.persons_paid", "subsidies.eligible"),
    )
)
