"""One person's month explained: both programmes, each condition with its reason in words, and
the parameter values used."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from canlian.benefits.eligibility.conditions import evaluate
from canlian.benefits.eligibility.facts import Facts, facts_of, population_of, yuan
from canlian.benefits.eligibility.months import Month
from canlian.benefits.eligibility.reasons import NAMES, REASONS
from canlian.benefits.eligibility.rules import Rules, described, parameters_or_shipped
from canlian.benefits.models import Programme
from canlian.lib.parameters import Parameters, Value
from canlian.people.models import Person

__all__ = [
    "ConditionResult",
    "Explanation",
    "ProgrammeExplanation",
    "explain",
    "explain_json",
]


@dataclasses.dataclass(frozen=True)
class ConditionResult:
    key: str
    name: str
    passed: bool
    reason: str


@dataclasses.dataclass(frozen=True)
class ProgrammeExplanation:
    programme: str
    eligible: bool
    amount: Decimal  # yuan paid for the month, 0.00 when not eligible
    standard: Decimal | None  # the amount that applies to the person, None when none in force
    conditions: tuple[ConditionResult, ...]
    parameters: dict[str, dict[str, str]]  # name → {value, since, reference, region, sample}


@dataclasses.dataclass(frozen=True)
class Explanation:
    month: Month
    region: str
    programmes: dict[str, ProgrammeExplanation]
    person: dict[str, Any] | None = None  # id, name and masked ID when explained from the registry


def explain(
    person: Person | Facts, month: Month, *, parameters: Parameters | None = None
) -> Explanation:
    """Both programmes for one person in one month, each condition with its reason."""
    facts = facts_of(person) if isinstance(person, Person) else person
    results, rules_list, _where = evaluate(
        population_of([facts]), month, parameters_or_shipped(parameters)
    )
    rules = rules_list[0]
    programmes: dict[str, ProgrammeExplanation] = {}
    for programme, result in results.items():
        standard = int(result.standard[0])
        conditions = tuple(
            ConditionResult(
                key=key,
                name=str(NAMES[key]()),
                passed=bool(passed[0]),
                reason=REASONS[key](facts, month, rules, programme, bool(passed[0]), standard),
            )
            for key, passed in result.passed.items()
        )
        programmes[programme] = ProgrammeExplanation(
            programme=programme,
            eligible=bool(result.eligible[0]),
            amount=yuan(int(result.amount[0])),
            standard=yuan(standard) if standard >= 0 else None,
            conditions=conditions,
            parameters=_used(programme, facts, rules),
        )
    described = None
    if isinstance(person, Person):
        described = {"id": person.pk, "name": person.name, "id_number": person.id_number_masked}
    return Explanation(month=month, region=facts.region, programmes=programmes, person=described)


def explain_json(explanation: Explanation) -> dict[str, Any]:
    """The explanation as JSON-ready data: amounts as strings ("100.00")."""
    data: dict[str, Any] = {"month": str(explanation.month), "region": explanation.region}
    if explanation.person is not None:
        data["person"] = explanation.person
    data["programmes"] = {
        programme: {
            "name": str(Programme(programme).label),
            "eligible": result.eligible,
            "amount": f"{result.amount:f}",
            "standard": None if result.standard is None else f"{result.standard:f}",
            "conditions": [dataclasses.asdict(c) for c in result.conditions],
            "parameters": result.parameters,
        }
        for programme, result in explanation.programmes.items()
    }
    return data


def _used(programme: str, facts: Facts, rules: Rules) -> dict[str, dict[str, str]]:
    grade = facts.grade
    values: list[Value | None]
    if programme == Programme.LIVING:
        values = [rules.living[grade - 1], rules.living_dibao_edge, rules.living_registered_poor]
    else:
        values = [
            rules.care[grade - 1],
            rules.care_registered_poor_amount,
            rules.care_grades_3_4,
            rules.care_registered_poor,
            rules.long_term_care_months,
            rules.extensions_need_long_term_care,
        ]
    values += [
        rules.poor_counts_alleviated,
        rules.poor_counts_monitored,
        rules.excluded_tekun(programme),
        rules.excluded_work_injury_care,
    ]
    return {value.name: described(value) for value in values if value is not None}
