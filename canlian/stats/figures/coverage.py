"""Subsidy coverage: the persons paid divided by the persons eligible, for each county,
subsidy and month.

The persons eligible in a month are read from that month's eligibility snapshot
(``benefits.snapshots``: the subsidies' conditions decided once for the whole registry, kept
with the place of each household at the time). A month without a snapshot is decided when
asked, in the one columnar pass that `canlian subsidy compute` runs
(``benefits.eligibility.compute_month``), by the county of the household today."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, F, Model, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.benefits import snapshots
from canlian.benefits.eligibility import Month, compute_month
from canlian.benefits.models import EligibilitySnapshot, EligibleMonth
from canlian.people.models import Person, StatusPeriod
from canlian.stats.catalogue import (
    PERIOD,
    VALUE,
    Figure,
    Query,
    Row,
    ratio_rows,
    register,
)
from canlian.stats.dimensions import _month
from canlian.stats.figures.subsidies import DIMENSIONS

# The tables the rows read (stats.kept keeps the rows until one of them changes).
SOURCES: tuple[type[Model], ...] = (EligibilitySnapshot, EligibleMonth, Person, StatusPeriod)

# One eligible person in one month: (person, county, programme, month "YYYY-MM").
Eligible = tuple[int, str, str, str]
_INDEX = {"county": 1, "programme": 2, "month": 3}


def _months(query: Query) -> list[Month]:
    start, end = query.period
    return Month.span(Month.of(start), Month.of(end))


def _snapshot(query: Query, months: list[Month] | None = None) -> QuerySet[EligibleMonth]:
    """The snapshots' eligible persons of the query's period (or of `months`), region and cell."""
    start, end = query.period
    # The region (a county's or a township's) as the household's place when the month was
    # decided: a township's figures add up to its county's.
    found = EligibleMonth.objects.filter(place__startswith=query.region)
    if months is None:
        found = found.filter(month__gte=start.replace(day=1), month__lte=end)
    else:
        found = found.filter(month__in=[m.first for m in months])
    for dimension, key in query.cell.items():
        if dimension == "county":
            found = found.filter(place__startswith=key)
        else:
            found = found.filter(**{dimension: _month(key) if dimension == "month" else key})
    return found


_READS: dict[str, Callable[[], Any]] = {
    "county": lambda: Substr("place", 1, 6),
    "programme": lambda: F("programme"),
    "month": lambda: F("month"),
}


def _all_taken(query: Query) -> bool:
    return snapshots.all_kept(*query.period)


# Every month of the period kept: only the snapshots are read, and a change to the registry
# leaves the result kept (stats.kept).
SNAPSHOT_SOURCES: tuple[type[Model], ...] = (EligibilitySnapshot, EligibleMonth)


def _sources_for(query: Query) -> tuple[type[Model], ...]:
    return SNAPSHOT_SOURCES if _all_taken(query) else SOURCES


def eligible(query: Query) -> list[Eligible]:
    """Each person eligible for a subsidy in a month of the query's period, in its region and
    cell: from the month's snapshot, or decided now for a month without one."""
    months = _months(query)
    have = snapshots.taken(months)
    found: list[Eligible] = [
        (pk, place[:6], programme, f"{month:%Y-%m}")
        for pk, place, programme, month in _snapshot(query, sorted(have)).values_list(
            "person_id", "place", "programme", "month"
        )
    ]
    missing = [m for m in months if m not in have]
    if missing:
        places = Person.objects.filter(place__code__startswith=query.region)
        county = {pk: str(place)[:6] for pk, place in places.values_list("pk", "place_id")}
        for month in missing:
            result = compute_month(month, region_prefix=query.region)
            for programme, decided in result.programmes.items():
                for pk in decided.person_ids[decided.eligible].tolist():
                    found.append((pk, county[pk], str(programme), str(month)))
    return [
        one
        for one in found
        if all(one[_INDEX[dimension]] == key for dimension, key in query.cell.items())
    ]


def eligible_rows(query: Query) -> list[Row]:
    if _all_taken(query):
        # Counted by the database: no person read into Python.
        records = _snapshot(query)
        if not query.by:
            return [records.aggregate(persons=Count("person_id", distinct=True))]
        groups = (
            records.annotate(**{f"_{d}": _READS[d]() for d in query.by})
            .values(*(f"_{d}" for d in query.by))
            .annotate(persons=Count("person_id", distinct=True))
            .order_by()
        )
        return [
            {
                **{
                    d: f"{group[f'_{d}']:%Y-%m}" if d == "month" else group[f"_{d}"]
                    for d in query.by
                },
                "persons": group["persons"],
            }
            for group in groups
        ]
    persons: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    for one in eligible(query):
        persons[tuple(one[_INDEX[d]] for d in query.by)].add(one[0])
    if not query.by:
        return [{"persons": len(persons.get((), set()))}]
    return [
        {**dict(zip(query.by, cell, strict=True)), "persons": len(ids)}
        for cell, ids in persons.items()
    ]


def eligible_persons(query: Query) -> QuerySet[Person]:
    if _all_taken(query):
        return Person.objects.filter(pk__in=_snapshot(query).values("person_id"))
    return Person.objects.filter(pk__in=sorted({one[0] for one in eligible(query)}))


ELIGIBLE = register(
    Figure(
        id="subsidies.eligible",
        area="subsidies",
        name=_("Persons eligible for a subsidy"),
        definition=_(
            "Persons on the registry whom a subsidy's conditions find eligible in a month of the "
            "period, as the month's eligibility snapshot decided it (taken every night for the "
            "current month; a month without one is decided when asked, the same way): an "
            "amount in force for their "
            "place, the certificate valid on a day of the month, alive and living in the "
            "jurisdiction on its first day, and the subsidy's own conditions (dibao or an "
            "extension in force for the living subsidy; grade and category for the care "
            "subsidy; not in extreme-poverty support where that excludes it). The registry is "
            "read as it stands now; what it does not hold (equivalent allowances, orphans' "
            "support, work-injury care, the length of a care need) is taken as none, so this "
            "counts who may be eligible, whether or not they applied. Each person counted once "
            "over the period; by the county of their household in the month's snapshot (today "
            "for a month without one), the subsidy and the month."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=eligible_rows,
        sources=SOURCES,
        sources_for=_sources_for,
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
            "eligible in the county of their household in the month's snapshot. A person paid "
            "whom the registry does not show eligible (a fact it does not hold, or back pay for "
            "earlier months) counts above the line only, so the ratio can exceed 1; a cell with "
            "nobody eligible has no ratio."
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
