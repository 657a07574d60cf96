"""The rules of a place in a month: the dated parameter values in force for a region on the
month's first day (the county's override, then the city's, the province's, the default).

Every amount and every local extension is a dated parameter in ``canlian/benefits/parameters/``
(docs/benefits.md).
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from canlian.benefits.eligibility.facts import FEN_PER_YUAN, NO_AMOUNT
from canlian.benefits.eligibility.months import Month
from canlian.benefits.models import Programme
from canlian.lib.parameters import Parameters, Value, load_directory

__all__ = [
    "GRADES",
    "PARAMETERS_DIRECTORY",
    "RULES_VERSION",
    "Rules",
    "count",
    "described",
    "first_in_force",
    "flag",
    "load_parameters",
    "parameters_or_shipped",
    "rule_values",
    "rules_for",
    "value_fen",
]

PARAMETERS_DIRECTORY = Path(__file__).resolve().parent.parent / "parameters"
# The version of the conditions and amount functions (conditions.py). Payment lines keep it with
# the parameter values that decided them (payroll.models.RuleSet): change it with the code.
RULES_VERSION = "2026.12"

AMOUNT = "benefits.{programme}.amount.grade_{grade}"
CARE_REGISTERED_POOR_AMOUNT = "benefits.care.amount_registered_poor"
LIVING_DIBAO_EDGE = "benefits.living.extends_to_dibao_edge"
LIVING_REGISTERED_POOR = "benefits.living.extends_to_registered_poor"
CARE_GRADES_3_4 = "benefits.care.extends_to_grades_3_4_intellectual_mental"
CARE_REGISTERED_POOR = "benefits.care.extends_to_registered_poor"
LONG_TERM_CARE_MONTHS = "benefits.care.long_term_care_months"
EXTENSIONS_NEED_LONG_TERM_CARE = "benefits.care.extensions_need_long_term_care"
POOR_COUNTS_ALLEVIATED = "benefits.poor.counts_alleviated"
POOR_COUNTS_MONITORED = "benefits.poor.counts_monitored"
EXCLUDED_TEKUN = "benefits.excluded.tekun.{programme}"
EXCLUDED_WORK_INJURY_CARE = "benefits.excluded.work_injury_care"
GRADES = (1, 2, 3, 4)


@dataclasses.dataclass(frozen=True)
class Rules:
    """The parameter values in force for one region on the first day of a month."""

    living: tuple[Value | None, ...]  # the amount by grade 1–4
    care: tuple[Value | None, ...]
    care_registered_poor_amount: Value | None
    living_dibao_edge: Value | None
    living_registered_poor: Value | None
    care_grades_3_4: Value | None
    care_registered_poor: Value | None
    # Per subsidy: whether persons in tekun the whole month are excluded from it.
    excluded_tekun_living: Value | None
    excluded_tekun_care: Value | None
    excluded_work_injury_care: Value | None  # both subsidies: work-injury care recipients
    long_term_care_months: Value | None  # the care subsidy: months a care need must last
    # The first day that rule is in force here: a care enrolment approved before it passes
    # without the months recorded (not a parameter value of its own: not in values()).
    long_term_care_from: datetime.date | None
    extensions_need_long_term_care: Value | None
    # From 2021: whether 脱贫人口 / 监测对象 count as registered poor for the local rules.
    poor_counts_alleviated: Value | None
    poor_counts_monitored: Value | None

    def excluded_tekun(self, programme: str) -> Value | None:
        """Whether tekun excludes ``programme`` (benefits.excluded.tekun.<programme>)."""
        if programme == Programme.LIVING:
            return self.excluded_tekun_living
        return self.excluded_tekun_care

    def values(self) -> list[Value | None]:
        """Every value, in a fixed order."""
        return [
            *self.living,
            *self.care,
            self.care_registered_poor_amount,
            self.living_dibao_edge,
            self.living_registered_poor,
            self.care_grades_3_4,
            self.care_registered_poor,
            self.excluded_tekun_living,
            self.excluded_tekun_care,
            self.excluded_work_injury_care,
            self.long_term_care_months,
            self.extensions_need_long_term_care,
            self.poor_counts_alleviated,
            self.poor_counts_monitored,
        ]


def rules_for(parameters: Parameters, region: str, month: Month) -> Rules:
    def value(name: str) -> Value | None:
        return parameters.value(name, on=month.first, region=region)

    def amounts(programme: str) -> tuple[Value | None, ...]:
        return tuple(value(AMOUNT.format(programme=programme, grade=g)) for g in GRADES)

    return Rules(
        living=amounts(Programme.LIVING),
        care=amounts(Programme.CARE),
        care_registered_poor_amount=value(CARE_REGISTERED_POOR_AMOUNT),
        living_dibao_edge=value(LIVING_DIBAO_EDGE),
        living_registered_poor=value(LIVING_REGISTERED_POOR),
        care_grades_3_4=value(CARE_GRADES_3_4),
        care_registered_poor=value(CARE_REGISTERED_POOR),
        excluded_tekun_living=value(EXCLUDED_TEKUN.format(programme=Programme.LIVING.value)),
        excluded_tekun_care=value(EXCLUDED_TEKUN.format(programme=Programme.CARE.value)),
        excluded_work_injury_care=value(EXCLUDED_WORK_INJURY_CARE),
        long_term_care_months=value(LONG_TERM_CARE_MONTHS),
        long_term_care_from=first_in_force(parameters, LONG_TERM_CARE_MONTHS, region),
        extensions_need_long_term_care=value(EXTENSIONS_NEED_LONG_TERM_CARE),
        poor_counts_alleviated=value(POOR_COUNTS_ALLEVIATED),
        poor_counts_monitored=value(POOR_COUNTS_MONITORED),
    )


def first_in_force(parameters: Parameters, name: str, region: str) -> datetime.date | None:
    """The first day a value of ``name`` is in force for ``region``; None when never."""
    dates = sorted({entry.since for _prefix, entries in parameters[name].lists(region)
                    for entry in entries})  # fmt: skip
    return next((d for d in dates if parameters.value(name, on=d, region=region)), None)


def value_fen(value: Value | None) -> int:
    return NO_AMOUNT if value is None else int(value.decimal * FEN_PER_YUAN)


def count(value: Value | None) -> int:
    """A count in force, -1 when none is."""
    return -1 if value is None else int(value.value)


def flag(value: Value | None) -> bool:
    return value is not None and value.value is True


def parameters_or_shipped(parameters: Parameters | None) -> Parameters:
    return parameters if parameters is not None else load_directory(PARAMETERS_DIRECTORY)


def load_parameters() -> Parameters:
    """The shipped parameter files (every error in them reported at once)."""
    return load_directory(PARAMETERS_DIRECTORY)


def rule_values(parameters: Parameters, region: str, month: Month) -> dict[str, dict[str, str]]:
    """Every parameter value in force for ``region`` (a county code) on the month's first day,
    described (value, since, reference, region, sample): what a payment line refers to."""
    values = rules_for(parameters, region, month).values()
    return {value.name: described(value) for value in values if value is not None}


def described(value: Value) -> dict[str, str]:
    shown = value.value
    text = ("true" if shown else "false") if isinstance(shown, bool) else f"{shown}"
    return {
        "value": text,
        "since": value.since.isoformat(),
        "reference": value.reference,
        "region": value.region,
        "sample": "true" if value.sample else "false",
    }
