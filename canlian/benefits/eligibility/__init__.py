"""Who receives the two subsidies in a month, and how much: named conditions over dated rules.

The living subsidy for disabled persons in difficulty (困难残疾人生活补贴) and the care subsidy
for severely disabled persons (重度残疾人护理补贴), 国发〔2015〕52号. Every amount and every local
extension is a dated parameter in ``canlian/benefits/parameters/`` (docs/benefits.md), looked
up on the first day of the month for the person's region (the county's override, then the
city's, the province's, the default).

**One definition.** Each condition is a small pure function over :class:`Columns`, the facts of
the persons being decided written as columns, using only operators that mean the same on numpy
arrays and on arrays of one element (``&``, ``|``, comparisons, ``np.where``). The whole registry
(:func:`compute_month`), the payment rolls (:func:`decide`) and one person (:func:`explain`) go
through the same :func:`evaluate`: one person is a population of one. The explanation then
adds a reason in words to each result.

**The month.** A condition holds for a month when it holds on at least one day of it: a
certificate valid on any day of the month, alive on its first day, dibao held on any day; so
the month of an event that ends eligibility (death, moving out, cancellation, dibao ending,
tekun beginning) is still paid, and payment stops from the month after, as the domain says;
an event that brings eligibility counts from its month. Tekun therefore excludes a month only
when it covers every day of the month.

Amounts are integer fen inside the computation and :class:`Decimal` yuan outside.

The modules: ``months`` (Month), ``facts`` (one person's facts, many as columns, the registry's
and the declared), ``rules`` (the parameter values in force), ``conditions`` (the columns, the
named conditions and amounts, :func:`evaluate`), ``reasons`` (names and reasons in words),
``explanation`` (one person) and ``registry`` (the whole registry).
"""

from canlian.benefits.eligibility.conditions import (
    AMOUNTS,
    CONDITIONS,
    Columns,
    Condition,
    Decided,
    columns,
    decide,
    evaluate,
    overlap_days,
)
from canlian.benefits.eligibility.explanation import (
    ConditionResult,
    Explanation,
    ProgrammeExplanation,
    explain,
    explain_json,
)
from canlian.benefits.eligibility.facts import (
    FAR,
    NO_AMOUNT,
    NOT_RECORDED,
    Facts,
    Period,
    Population,
    declared_of,
    facts_of,
    population_of,
)
from canlian.benefits.eligibility.months import Month
from canlian.benefits.eligibility.reasons import NAMES, REASONS
from canlian.benefits.eligibility.registry import (
    MonthResult,
    ProgrammeResult,
    compute_month,
    evaluate_facts,
)
from canlian.benefits.eligibility.rules import (
    PARAMETERS_DIRECTORY,
    RULES_VERSION,
    Rules,
    load_parameters,
    rule_values,
    rules_for,
)

__all__ = [
    "AMOUNTS",
    "CONDITIONS",
    "FAR",
    "NAMES",
    "NOT_RECORDED",
    "NO_AMOUNT",
    "PARAMETERS_DIRECTORY",
    "REASONS",
    "RULES_VERSION",
    "Columns",
    "Condition",
    "ConditionResult",
    "Decided",
    "Explanation",
    "Facts",
    "Month",
    "MonthResult",
    "Period",
    "Population",
    "ProgrammeExplanation",
    "ProgrammeResult",
    "Rules",
    "columns",
    "compute_month",
    "decide",
    "declared_of",
    "evaluate",
    "evaluate_facts",
    "explain",
    "explain_json",
    "facts_of",
    "load_parameters",
    "overlap_days",
    "population_of",
    "rule_values",
    "rules_for",
]
