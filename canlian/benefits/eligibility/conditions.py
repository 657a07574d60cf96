"""The named conditions and the amounts of the two subsidies, over columns.

Each condition is a small pure function over :class:`Columns`, the facts of the persons being
decided written as columns, using only operators that mean the same on numpy arrays and on
arrays of one element (``&``, ``|``, comparisons, ``np.where``). :func:`evaluate` runs them:
the whole registry, the payment rolls and one person's explanation all go through it.

A condition holds for a month when it holds on at least one day of it (see the package's
description).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from canlian.benefits.eligibility.facts import FAR, Array, Population, ordinal
from canlian.benefits.eligibility.months import Month
from canlian.benefits.eligibility.rules import GRADES, Rules, count, flag, rules_for, value_fen
from canlian.benefits.models import Programme
from canlian.lib.parameters import Parameters, Value
from canlian.people.models import Category, LifeStatus, StatusKind

__all__ = [
    "AMOUNTS",
    "CONDITIONS",
    "Columns",
    "Condition",
    "Decided",
    "Evaluated",
    "columns",
    "decide",
    "evaluate",
    "overlap_days",
]


# --- The columns the conditions read ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Columns:
    """Per person, for one month: the facts the conditions read and the rules of their place."""

    category: Array
    grade: Array
    issued: Array
    expires: Array
    cancelled: Array  # ordinal of the certificate's cancellation, FAR when none
    died: Array  # ordinal of death, FAR when alive
    moved_out: Array  # ordinal of moving out of the jurisdiction, FAR when none
    dibao: Array  # bool: held on at least one day of the month
    dibao_edge: Array
    registered_poor: Array  # 建档立卡; from 2021 脱贫人口 / 监测对象 where the place counts them
    tekun_days: Array  # days of the month in extreme-poverty support
    equivalent_living: Array
    equivalent_care: Array
    orphan: Array
    work_injury_care: Array
    long_term_care_months: Array  # NOT_RECORDED when never recorded
    care_approved: Array  # ordinal of the care enrolment's approval (facts.Population)
    living_amount: Array  # fen by the person's grade, NO_AMOUNT when none in force
    care_grade_amount: Array
    care_registered_poor_amount: Array
    living_dibao_edge: Array  # bool: the extension is in force for the person's place
    living_registered_poor: Array
    care_grades_3_4: Array
    care_registered_poor: Array
    excluded_tekun_living: Array  # bool: tekun excludes the living subsidy here
    excluded_tekun_care: Array
    excluded_work_injury_care: Array
    long_term_care_needed: Array  # months a care need must last, -1 when no rule in force
    long_term_care_from: Array  # ordinal of the rule's first day here, FAR when never
    extensions_need_long_term_care: Array


def overlap_days(start: Array, end: Array, month: Month) -> Array:
    """Days of ``month`` within [start, end] (ordinals), 0 when apart."""
    first, last = month.first.toordinal(), month.last.toordinal()
    return np.asarray(np.maximum(0, np.minimum(end, last) - np.maximum(start, first) + 1))


def _event(population: Population, status: str) -> Array:
    return np.where(population.life_status == status, population.life_status_date, FAR)


def columns(population: Population, month: Month, rules: Sequence[Rules], where: Array) -> Columns:
    """The columns of ``population`` in ``month``; ``rules[where[i]]`` are person i's rules."""
    n = len(population)
    days = overlap_days(population.period_start, population.period_end, month)

    def days_of(kind: str) -> Array:
        total = np.zeros(n, dtype=np.int64)
        mask = population.period_kind == kind
        np.add.at(total, population.period_person[mask], days[mask])
        return total

    def by_grade(pick: Callable[[Rules], tuple[Value | None, ...]]) -> Array:
        table = np.array([[value_fen(v) for v in pick(one)] for one in rules], dtype=np.int64)
        return np.asarray(table.reshape(len(rules), len(GRADES))[where, population.grade - 1])

    def per_person(pick: Callable[[Rules], Value | None], convert: Callable[..., Any]) -> Array:
        dtype = bool if convert is flag else np.int64
        return np.array([convert(pick(one)) for one in rules], dtype=dtype)[where]

    alleviated_counts = per_person(lambda r: r.poor_counts_alleviated, flag)
    monitored_counts = per_person(lambda r: r.poor_counts_monitored, flag)
    return Columns(
        category=population.category,
        grade=population.grade,
        issued=population.issued,
        expires=population.expires,
        cancelled=_event(population, LifeStatus.CANCELLED),
        died=_event(population, LifeStatus.DECEASED),
        moved_out=_event(population, LifeStatus.MOVED_OUT),
        dibao=days_of(StatusKind.DIBAO) > 0,
        dibao_edge=days_of(StatusKind.DIBAO_EDGE) > 0,
        registered_poor=(days_of(StatusKind.REGISTERED_POOR) > 0)
        | ((days_of(StatusKind.POVERTY_ALLEVIATED) > 0) & alleviated_counts)
        | ((days_of(StatusKind.MONITORED) > 0) & monitored_counts),
        tekun_days=days_of(StatusKind.TEKUN),
        equivalent_living=population.equivalent_living,
        equivalent_care=population.equivalent_care,
        orphan=population.orphan,
        work_injury_care=population.work_injury_care,
        long_term_care_months=population.long_term_care_months,
        care_approved=population.care_approved,
        living_amount=by_grade(lambda r: r.living),
        care_grade_amount=by_grade(lambda r: r.care),
        care_registered_poor_amount=per_person(lambda r: r.care_registered_poor_amount, value_fen),
        living_dibao_edge=per_person(lambda r: r.living_dibao_edge, flag),
        living_registered_poor=per_person(lambda r: r.living_registered_poor, flag),
        care_grades_3_4=per_person(lambda r: r.care_grades_3_4, flag),
        care_registered_poor=per_person(lambda r: r.care_registered_poor, flag),
        excluded_tekun_living=per_person(lambda r: r.excluded_tekun_living, flag),
        excluded_tekun_care=per_person(lambda r: r.excluded_tekun_care, flag),
        excluded_work_injury_care=per_person(lambda r: r.excluded_work_injury_care, flag),
        long_term_care_needed=per_person(lambda r: r.long_term_care_months, count),
        long_term_care_from=np.array(
            [ordinal(one.long_term_care_from) for one in rules], dtype=np.int64
        )[where],
        extensions_need_long_term_care=per_person(lambda r: r.extensions_need_long_term_care, flag),
    )


# --- The amounts and the named conditions ----------------------------------------------------


def living_amount(c: Columns) -> Array:
    return c.living_amount


def care_amount(c: Columns) -> Array:
    """The amount by grade, or the registered-poor amount where the place sets one (孟州)."""
    poor = c.registered_poor & (c.care_registered_poor_amount >= 0)
    return np.where(poor, c.care_registered_poor_amount, c.care_grade_amount)


AMOUNTS: dict[str, Callable[[Columns], Array]] = {
    Programme.LIVING: living_amount,
    Programme.CARE: care_amount,
}


def in_force(amount: Array) -> Array:
    return amount >= 0


def certified(c: Columns, month: Month) -> Array:
    first, last = month.first.toordinal(), month.last.toordinal()
    return (c.issued <= last) & (c.expires >= first) & (c.cancelled >= first)


def alive(c: Columns, month: Month) -> Array:
    return c.died >= month.first.toordinal()


def resident(c: Columns, month: Month) -> Array:
    return c.moved_out >= month.first.toordinal()


def low_income(c: Columns, month: Month) -> Array:
    edge = c.dibao_edge & c.living_dibao_edge
    poor = c.registered_poor & c.living_registered_poor
    return c.dibao | edge | poor


def severe(c: Columns, month: Month) -> Array:
    intellectual_or_mental = (c.category == Category.INTELLECTUAL) | (c.category == Category.MENTAL)
    extended = c.care_grades_3_4 & (c.grade >= 3) & intellectual_or_mental
    return np.asarray((c.grade <= 2) | extended | (c.registered_poor & c.care_registered_poor))


def long_term_care(c: Columns, month: Month) -> Array:
    """Grades 1–2 need long-term care (国发〔2015〕52号: a care need of 6 months or more);
    persons brought in by a local extension (grades 3–4) only where the place says so. A need
    never recorded passes only on an enrolment approved before the rule's first day here, or
    for a person with no care enrolment or application (nothing declared yet: the registry's
    pass, a preview); an application pending or an enrolment approved since needs it."""
    concerned = (c.grade <= 2) | c.extensions_need_long_term_care
    no_rule = c.long_term_care_needed < 0
    from_before = (c.long_term_care_months < 0) & (c.care_approved < c.long_term_care_from)
    lasting = c.long_term_care_months >= c.long_term_care_needed  # NOT_RECORDED is -1
    return np.asarray(~concerned | no_rule | from_before | lasting)


def not_tekun(excluded: Array, c: Columns, month: Month) -> Array:
    """Tekun for every day of the month excludes the subsidy where ``excluded`` (its
    programme's benefits.excluded.tekun.*) is in force."""
    return np.asarray((c.tekun_days < month.days) | ~excluded)


def not_work_injury_care(c: Columns, month: Month) -> Array:
    """Work-injury care excludes both subsidies where the rule is in force (Henan); elsewhere
    its amount is an equivalent allowance (no_higher_equivalent)."""
    return np.asarray(~(c.work_injury_care & c.excluded_work_injury_care))


def not_orphan(c: Columns, month: Month) -> Array:
    return np.logical_not(c.orphan)


def no_higher_equivalent(equivalent: Array, amount: Array) -> Array:
    """The higher one wins: an equivalent allowance at least this amount excludes it."""
    return (equivalent < 0) | (equivalent < amount)


@dataclasses.dataclass(frozen=True)
class Condition:
    key: str
    test: Callable[[Columns, Month], Array]


CONDITIONS: dict[str, tuple[Condition, ...]] = {
    Programme.LIVING: (
        Condition("in_force", lambda c, m: in_force(living_amount(c))),
        Condition("certified", certified),
        Condition("alive", alive),
        Condition("resident", resident),
        Condition("low_income", low_income),
        Condition("not_tekun", lambda c, m: not_tekun(c.excluded_tekun_living, c, m)),
        Condition("not_work_injury_care", not_work_injury_care),
        Condition("not_orphan", not_orphan),
        Condition(
            "no_higher_equivalent",
            lambda c, m: no_higher_equivalent(c.equivalent_living, living_amount(c)),
        ),
    ),
    Programme.CARE: (
        Condition("in_force", lambda c, m: in_force(care_amount(c))),
        Condition("certified", certified),
        Condition("alive", alive),
        Condition("resident", resident),
        Condition("severe", severe),
        Condition("long_term_care", long_term_care),
        Condition("not_tekun", lambda c, m: not_tekun(c.excluded_tekun_care, c, m)),
        Condition("not_work_injury_care", not_work_injury_care),
        Condition(
            "no_higher_equivalent",
            lambda c, m: no_higher_equivalent(c.equivalent_care, care_amount(c)),
        ),
    ),
}


@dataclasses.dataclass(frozen=True)
class Evaluated:
    passed: dict[str, Array]  # condition key → bool per person
    eligible: Array
    standard: Array  # fen that applies to the person, NO_AMOUNT when none
    amount: Array  # fen paid: the standard when eligible, else 0


def evaluate(
    population: Population, month: Month, parameters: Parameters
) -> tuple[dict[str, Evaluated], list[Rules], Array]:
    regions, where = np.unique(population.region, return_inverse=True)
    rules = [rules_for(parameters, str(region), month) for region in regions]
    c = columns(population, month, rules, where.reshape(-1))
    results: dict[str, Evaluated] = {}
    for programme, conditions in CONDITIONS.items():
        passed = {
            condition.key: np.broadcast_to(condition.test(c, month), (len(population),))
            for condition in conditions
        }
        eligible = np.ones(len(population), dtype=bool)
        for mask in passed.values():
            eligible = eligible & mask
        standard = AMOUNTS[programme](c)
        amount = np.where(eligible, standard, 0).astype(np.int64)
        results[programme] = Evaluated(passed, eligible, standard, amount)
    return results, rules, where.reshape(-1)


@dataclasses.dataclass(frozen=True)
class Decided:
    """Per programme: eligible and amount (fen) per person, and the failing conditions."""

    eligible: Array
    amount: Array
    failed: list[tuple[str, Array]]  # (condition key, bool mask of persons failing it)


def decide(population: Population, month: Month, parameters: Parameters) -> dict[str, Decided]:
    """Both programmes for a population in a month: the columnar pass of compute_month."""
    results, _rules, _where = evaluate(population, month, parameters)
    return {
        programme: Decided(
            eligible=result.eligible,
            amount=result.amount,
            failed=[(key, ~mask) for key, mask in result.passed.items()],
        )
        for programme, result in results.items()
    }
