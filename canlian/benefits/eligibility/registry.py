"""The whole registry in one columnar pass: both programmes for every person in a region, and
the same pass over a list of facts."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Q

from canlian.benefits.eligibility.conditions import evaluate
from canlian.benefits.eligibility.facts import (
    NO_AMOUNT,
    NOT_RECORDED,
    NOTHING_DECLARED,
    Array,
    Facts,
    Population,
    ordinal,
    population_of,
    yuan,
)
from canlian.benefits.eligibility.months import Month
from canlian.benefits.eligibility.rules import parameters_or_shipped
from canlian.lib.parameters import Parameters
from canlian.people.models import Person, StatusPeriod

__all__ = ["MonthResult", "ProgrammeResult", "compute_month", "evaluate_facts"]


@dataclasses.dataclass(frozen=True)
class ProgrammeResult:
    person_ids: Array
    eligible: Array  # bool
    amount: Array  # fen paid, 0 when not eligible
    failed: dict[str, int]  # condition key → persons failing it

    @property
    def count(self) -> int:
        return int(self.eligible.sum())

    @property
    def total(self) -> Decimal:
        return yuan(int(self.amount.sum()))


@dataclasses.dataclass(frozen=True)
class MonthResult:
    month: Month
    persons: int
    programmes: dict[str, ProgrammeResult]
    # The place code of each person's household (to the village), in the order of person_ids.
    places: Array = dataclasses.field(default_factory=lambda: np.array([], dtype=str))

    def summary(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "persons": self.persons,
            "programmes": {
                programme: {
                    "eligible": result.count,
                    "total": f"{result.total:f}",
                    "failed": result.failed,
                }
                for programme, result in self.programmes.items()
            },
        }


def compute_month(
    month: Month, *, region_prefix: str = "", parameters: Parameters | None = None
) -> MonthResult:
    """Both programmes for every registry person under ``region_prefix``, in one columnar pass.

    Not scoped to a user: callers (commands, rolls) choose the prefix from the user's scope.
    The facts the registry does not hold (equivalent allowances, orphans' support, work-injury
    care, long-term care) are none; long-term care not recorded is not held against anyone.
    """
    people = Person.objects.filter(place__code__startswith=region_prefix).order_by("pk")
    rows = list(
        people.values_list(
            "pk", "place_id", "category", "grade", "certificate_issued_on",
            "certificate_expires_on", "life_status", "life_status_date",
        )
    )  # fmt: skip
    periods = list(
        StatusPeriod.objects.filter(
            person__place__code__startswith=region_prefix, start__lte=month.last
        )
        .filter(Q(end__isnull=True) | Q(end__gte=month.first))
        .values_list("person_id", "kind", "start", "end")
    )
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    n = len(rows)
    population = Population(
        region=np.array([str(row[1])[:6] for row in rows], dtype=str),
        category=np.array([row[2] for row in rows], dtype=np.int64),
        grade=np.array([row[3] for row in rows], dtype=np.int64),
        issued=np.array([row[4].toordinal() for row in rows], dtype=np.int64),
        expires=np.array([row[5].toordinal() for row in rows], dtype=np.int64),
        life_status=np.array([row[6] for row in rows], dtype=str),
        life_status_date=np.array([ordinal(row[7]) for row in rows], dtype=np.int64),
        period_person=np.searchsorted(ids, np.array([p[0] for p in periods], dtype=np.int64)),
        period_kind=np.array([p[1] for p in periods], dtype=str),
        period_start=np.array([p[2].toordinal() for p in periods], dtype=np.int64),
        period_end=np.array([ordinal(p[3]) for p in periods], dtype=np.int64),
        equivalent_living=np.full(n, NO_AMOUNT, dtype=np.int64),
        equivalent_care=np.full(n, NO_AMOUNT, dtype=np.int64),
        orphan=np.zeros(n, dtype=bool),
        work_injury_care=np.zeros(n, dtype=bool),
        long_term_care_months=np.full(n, NOT_RECORDED, dtype=np.int64),
        # No enrolment is read here: nothing declared, a need not recorded is not held
        # against anyone, so the pass counts who may be eligible.
        care_approved=np.full(n, NOTHING_DECLARED, dtype=np.int64),
    )
    results, _rules, _where = evaluate(population, month, parameters_or_shipped(parameters))
    return MonthResult(
        month=month,
        persons=n,
        places=np.array([str(row[1]) for row in rows], dtype=str),
        programmes={
            programme: ProgrammeResult(
                person_ids=ids,
                eligible=result.eligible,
                amount=result.amount,
                failed={key: int((~mask).sum()) for key, mask in result.passed.items()},
            )
            for programme, result in results.items()
        },
    )


def evaluate_facts(
    facts: Sequence[Facts], month: Month, *, parameters: Parameters | None = None
) -> dict[str, list[tuple[bool, Decimal]]]:
    """Programme → (eligible, amount) per person, through the columnar pass."""
    results, _rules, _where = evaluate(
        population_of(facts), month, parameters_or_shipped(parameters)
    )
    return {
        programme: [
            (bool(e), yuan(int(a))) for e, a in zip(result.eligible, result.amount, strict=True)
        ]
        for programme, result in results.items()
    }
