"""Back pay (补发): an enrolment not yet settled, whose start month lies before the roll's month
(approval came later), is paid each month from its start month to the month before, in which
the rules find it eligible and no line exists yet; each month decided by its own rules."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from django.db import connection

from canlian.benefits import eligibility
from canlian.benefits.eligibility import NOT_RECORDED, Facts, Month, Population
from canlian.benefits.models import Programme
from canlian.lib.parameters import Parameters
from canlian.payroll.models import Line, LineKind, Roll, RuleSet
from canlian.payroll.rolls.lines import rule_set
from canlian.payroll.rolls.reading import PROGRAMME_CODES, Enrolled
from canlian.people.models import Person

__all__ = ["already_paid", "back_pay", "months_between"]


def months_between(start: Month, stop: Month) -> list[Month]:
    """The months from ``start`` up to, not including, ``stop``."""
    return Month.span(start, stop.shift(-1))


def already_paid(month: Month) -> set[tuple[int, str]]:
    """(person, programme) of the back pay lines for ``month`` (paid by a later month's roll)."""
    return set(
        Line.objects.filter(month=month.first, kind=LineKind.BACK_PAY).values_list(
            "person_id", "programme"
        )
    )


def back_pay(
    month: Month,
    enrolled: Enrolled,
    rolls: dict[tuple[str, str], Roll],
    params: Parameters,
    amount_db: Callable[[int], Any],
    totals: dict[int, list[int]],
) -> list[tuple[Any, ...]]:
    """Lines for the months between each unsettled enrolment's start and ``month``."""
    wanted = _owing(month, enrolled, rolls)
    if not wanted:
        return []
    person_ids = sorted({int(enrolled.person[r]) for r in wanted})
    population = _population(person_ids, wanted, enrolled)
    position = {r: i for i, r in enumerate(wanted)}
    earliest = Month.of(datetime.date.fromordinal(min(int(enrolled.start[r]) for r in wanted)))
    existing = _paid_months(person_ids, earliest, month)
    out: list[tuple[Any, ...]] = []
    rule_sets: dict[tuple[str, Month], RuleSet] = {}
    for past in months_between(earliest, month):
        decided = eligibility.decide(population, past, params)
        past_db = connection.ops.adapt_datefield_value(past.first)
        for r, person, programme, fen in _owed(past, wanted, enrolled, decided, position, existing):
            county = str(enrolled.county[r])
            roll = rolls[county, programme]
            if (county, past) not in rule_sets:
                rule_sets[county, past] = rule_set(params, county, past)
            out.append(
                (
                    roll.pk, person, programme, past_db, LineKind.BACK_PAY.value, amount_db(fen),
                    rule_sets[county, past].pk, int(enrolled.account[r]), "",
                )
            )  # fmt: skip
            totals[roll.pk][0] += 1
            totals[roll.pk][1] += fen
    return out


def _owing(month: Month, enrolled: Enrolled, rolls: dict[tuple[str, str], Roll]) -> list[int]:
    """The rows of the unsettled enrolments that start before ``month``, in a roll of the run."""
    first = month.first.toordinal()
    rows = np.flatnonzero(~enrolled.settled & (enrolled.start < first))
    return [
        r
        for r in rows.tolist()
        if (str(enrolled.county[r]), PROGRAMME_CODES[int(enrolled.programme[r])]) in rolls
    ]


def _population(person_ids: list[int], wanted: list[int], enrolled: Enrolled) -> Population:
    """One row per enrolment owed (``wanted``): its person's facts as the registry holds them
    now, with the long-term care of the care enrolment being paid (its months and approval),
    not of whichever enrolment the person's declarations come from."""
    persons = {
        p.pk: eligibility.facts_of(p)
        for p in Person.objects.filter(pk__in=person_ids)
        .select_related("place__parent__parent")  # the place's name in the facts
        .prefetch_related("status_periods")
    }
    return eligibility.population_of(
        [_as_paid(persons[int(enrolled.person[r])], enrolled, r) for r in wanted]
    )


def _as_paid(facts: Facts, enrolled: Enrolled, r: int) -> Facts:
    if PROGRAMME_CODES[int(enrolled.programme[r])] != Programme.CARE.value:
        return facts
    months = int(enrolled.care_months[r])
    return dataclasses.replace(
        facts,
        long_term_care_months=None if months == NOT_RECORDED else months,
        care_approved_on=datetime.date.fromordinal(int(enrolled.approved[r])),
    )


def _paid_months(
    person_ids: list[int], earliest: Month, month: Month
) -> set[tuple[int, str, datetime.date]]:
    """(person, programme, month) of the lines already paid from ``earliest`` to ``month``."""
    return set(
        Line.objects.filter(
            person_id__in=person_ids, month__gte=earliest.first, month__lt=month.first
        )
        .exclude(kind=LineKind.ADJUSTMENT)
        .values_list("person_id", "programme", "month")
    )


def _owed(
    past: Month,
    wanted: list[int],
    enrolled: Enrolled,
    decided: dict[str, eligibility.Decided],
    position: dict[int, int],  # wanted row → population row
    existing: set[tuple[int, str, datetime.date]],
) -> Iterator[tuple[int, int, str, int]]:
    """(row, person, programme, fen) of the enrolments owed ``past``: covering it, eligible in
    it with an amount, not paid for it yet (and then counted as paid)."""
    day = past.first.toordinal()
    for r in wanted:
        if not int(enrolled.start[r]) <= day <= int(enrolled.end[r]):
            continue
        programme = PROGRAMME_CODES[int(enrolled.programme[r])]
        person = int(enrolled.person[r])
        if (person, programme, past.first) in existing:
            continue
        i = position[r]
        fen = int(decided[programme].amount[i])
        if not decided[programme].eligible[i] or fen <= 0:
            continue
        existing.add((person, programme, past.first))
        yield r, person, programme, fen
