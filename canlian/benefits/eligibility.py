"""Who receives the two subsidies in a month, and how much: named conditions over dated rules.

The living subsidy for disabled persons in difficulty (困难残疾人生活补贴) and the care subsidy
for severely disabled persons (重度残疾人护理补贴), 国发〔2015〕52号. Every amount and every local
extension is a dated parameter in ``canlian/benefits/parameters/`` (docs/benefits.md), looked
up on the first day of the month for the person's region (the county's override, then the
city's, the province's, the default).

**One definition.** Each condition is a small pure function over :class:`Columns`, the facts of
the persons being decided written as columns, using only operators that mean the same on numpy
arrays and on arrays of one element (``&``, ``|``, comparisons, ``np.where``). The whole registry
(:func:`compute_month`) and one person (:func:`explain`) go through the same :func:`_evaluate`:
one person is a population of one. The explanation then adds a reason in words to each result.

**The month.** A condition holds for a month when it holds on at least one day of it: a
certificate valid on any day of the month, alive on its first day, dibao held on any day; so
the month of an event that ends eligibility (death, moving out, cancellation, dibao ending,
tekun beginning) is still paid, and payment stops from the month after, as the domain says;
an event that brings eligibility counts from its month. Tekun therefore excludes a month only
when it covers every day of the month.

Amounts are integer fen inside the computation and :class:`Decimal` yuan outside.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from canlian.benefits.models import (
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    Programme,
    SubsidyApplication,
)
from canlian.lib.parameters import Parameters, Value, load_directory
from canlian.people.models import Category, LifeStatus, Person, StatusKind, StatusPeriod

__all__ = [
    "CONDITIONS",
    "PARAMETERS_DIRECTORY",
    "RULES_VERSION",
    "Explanation",
    "Facts",
    "Month",
    "MonthResult",
    "Period",
    "ProgrammeResult",
    "compute_month",
    "decide",
    "declared_of",
    "evaluate_facts",
    "explain",
    "explain_json",
    "facts_of",
    "load_parameters",
    "rule_values",
]

PARAMETERS_DIRECTORY = Path(__file__).resolve().parent / "parameters"
# The version of the conditions and amount functions below. Payment lines keep it with the
# parameter values that decided them (benefits.models.RuleSet): change it with the code.
RULES_VERSION = "2026.11"

AMOUNT = "benefits.{programme}.amount.grade_{grade}"
CARE_REGISTERED_POOR_AMOUNT = "benefits.care.amount_registered_poor"
LIVING_DIBAO_EDGE = "benefits.living.extends_to_dibao_edge"
LIVING_REGISTERED_POOR = "benefits.living.extends_to_registered_poor"
CARE_GRADES_3_4 = "benefits.care.extends_to_grades_3_4_intellectual_mental"
CARE_REGISTERED_POOR = "benefits.care.extends_to_registered_poor"
GRADES = (1, 2, 3, 4)

FEN_PER_YUAN = 100
NO_AMOUNT = -1  # fen: no amount in force, or no equivalent allowance
FAR = datetime.date.max.toordinal()  # the ordinal of an event that has not happened
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")

Array = npt.NDArray[Any]


@dataclasses.dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """A month written YYYY-MM; ValueError (translated) otherwise."""
        match = MONTH_PATTERN.fullmatch(text.strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
            raise ValueError(_("%(value)s is not a month written YYYY-MM.") % {"value": text})
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    def shift(self, months: int) -> Month:
        """The month ``months`` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclasses.dataclass(frozen=True)
class Period:
    """A socio-economic status (a StatusKind value) from ``start`` to ``end`` inclusive."""

    kind: str
    start: datetime.date
    end: datetime.date | None = None


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the rules know of one person.

    The registry gives all but the last three, which the person declares in their subsidy
    application (declared_of); "none" when they declared nothing.
    """

    region: str  # the household's place code ("410883001001"); its first 6 digits choose the rules
    category: int  # Category, 1–7
    grade: int  # Grade, 1–4
    certificate_issued_on: datetime.date
    certificate_expires_on: datetime.date
    life_status: str = LifeStatus.ACTIVE
    life_status_date: datetime.date | None = None
    periods: tuple[Period, ...] = ()
    # An equivalent allowance (old-age care, work-injury care, retired cadres' nursing), yuan a
    # month, per programme it stands in for; None: none.
    equivalent_living: Decimal | None = None
    equivalent_care: Decimal | None = None
    # Receives orphans' basic living support (孤儿基本生活保障): the care subsidy only.
    orphan: bool = False


# --- The facts of many persons as columns ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Population:
    """Facts of n persons as arrays of length n; their status periods as arrays of length p."""

    region: Array  # str, the county code (6 digits, or fewer for a province-level place)
    category: Array
    grade: Array
    issued: Array  # date ordinals
    expires: Array
    life_status: Array  # str
    life_status_date: Array  # ordinal, FAR when none
    period_person: Array  # index into the n persons
    period_kind: Array  # str
    period_start: Array  # ordinals
    period_end: Array  # ordinal, FAR when open
    equivalent_living: Array  # fen, NO_AMOUNT when none
    equivalent_care: Array
    orphan: Array  # bool

    def __len__(self) -> int:
        return len(self.grade)


def _ordinal(day: datetime.date | None) -> int:
    return FAR if day is None else day.toordinal()


def _fen(amount: Decimal | None) -> int:
    return NO_AMOUNT if amount is None else int(amount * FEN_PER_YUAN)


def population_of(facts: Sequence[Facts]) -> Population:
    """The columns of a list of facts (one person: a population of one)."""
    periods = [(index, p) for index, one in enumerate(facts) for p in one.periods]
    return Population(
        region=np.array([one.region[:6] for one in facts], dtype=str),
        category=np.array([one.category for one in facts], dtype=np.int64),
        grade=np.array([one.grade for one in facts], dtype=np.int64),
        issued=np.array([_ordinal(one.certificate_issued_on) for one in facts], dtype=np.int64),
        expires=np.array([_ordinal(one.certificate_expires_on) for one in facts], dtype=np.int64),
        life_status=np.array([str(one.life_status) for one in facts], dtype=str),
        life_status_date=np.array([_ordinal(one.life_status_date) for one in facts], np.int64),
        period_person=np.array([index for index, _p in periods], dtype=np.int64),
        period_kind=np.array([str(p.kind) for _i, p in periods], dtype=str),
        period_start=np.array([_ordinal(p.start) for _i, p in periods], dtype=np.int64),
        period_end=np.array([_ordinal(p.end) for _i, p in periods], dtype=np.int64),
        equivalent_living=np.array([_fen(one.equivalent_living) for one in facts], np.int64),
        equivalent_care=np.array([_fen(one.equivalent_care) for one in facts], np.int64),
        orphan=np.array([one.orphan for one in facts], dtype=bool),
    )


# --- The rules of a place in a month -----------------------------------------------------------


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
    )


def _value_fen(value: Value | None) -> int:
    return NO_AMOUNT if value is None else int(value.decimal * FEN_PER_YUAN)


def _flag(value: Value | None) -> bool:
    return value is not None and value.value is True


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
    registered_poor: Array
    tekun_days: Array  # days of the month in extreme-poverty support
    equivalent_living: Array
    equivalent_care: Array
    orphan: Array
    living_amount: Array  # fen by the person's grade, NO_AMOUNT when none in force
    care_grade_amount: Array
    care_registered_poor_amount: Array
    living_dibao_edge: Array  # bool: the extension is in force for the person's place
    living_registered_poor: Array
    care_grades_3_4: Array
    care_registered_poor: Array


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
        table = np.array([[_value_fen(v) for v in pick(one)] for one in rules], dtype=np.int64)
        return np.asarray(table.reshape(len(rules), len(GRADES))[where, population.grade - 1])

    def per_person(pick: Callable[[Rules], Value | None], convert: Callable[..., Any]) -> Array:
        dtype = bool if convert is _flag else np.int64
        return np.array([convert(pick(one)) for one in rules], dtype=dtype)[where]

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
        registered_poor=days_of(StatusKind.REGISTERED_POOR) > 0,
        tekun_days=days_of(StatusKind.TEKUN),
        equivalent_living=population.equivalent_living,
        equivalent_care=population.equivalent_care,
        orphan=population.orphan,
        living_amount=by_grade(lambda r: r.living),
        care_grade_amount=by_grade(lambda r: r.care),
        care_registered_poor_amount=per_person(lambda r: r.care_registered_poor_amount, _value_fen),
        living_dibao_edge=per_person(lambda r: r.living_dibao_edge, _flag),
        living_registered_poor=per_person(lambda r: r.living_registered_poor, _flag),
        care_grades_3_4=per_person(lambda r: r.care_grades_3_4, _flag),
        care_registered_poor=per_person(lambda r: r.care_registered_poor, _flag),
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


def not_tekun(c: Columns, month: Month) -> Array:
    return c.tekun_days < month.days


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
        Condition("not_tekun", not_tekun),
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
        Condition("not_tekun", not_tekun),
        Condition(
            "no_higher_equivalent",
            lambda c, m: no_higher_equivalent(c.equivalent_care, care_amount(c)),
        ),
    ),
}


@dataclasses.dataclass(frozen=True)
class _Evaluated:
    passed: dict[str, Array]  # condition key → bool per person
    eligible: Array
    standard: Array  # fen that applies to the person, NO_AMOUNT when none
    amount: Array  # fen paid: the standard when eligible, else 0


def _evaluate(
    population: Population, month: Month, parameters: Parameters
) -> tuple[dict[str, _Evaluated], list[Rules], Array]:
    regions, where = np.unique(population.region, return_inverse=True)
    rules = [rules_for(parameters, str(region), month) for region in regions]
    c = columns(population, month, rules, where.reshape(-1))
    results: dict[str, _Evaluated] = {}
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
        results[programme] = _Evaluated(passed, eligible, standard, amount)
    return results, rules, where.reshape(-1)


def _parameters(parameters: Parameters | None) -> Parameters:
    return parameters if parameters is not None else load_directory(PARAMETERS_DIRECTORY)


def load_parameters() -> Parameters:
    """The shipped parameter files (every error in them reported at once)."""
    return load_directory(PARAMETERS_DIRECTORY)


@dataclasses.dataclass(frozen=True)
class Decided:
    """Per programme: eligible and amount (fen) per person, and the failing conditions."""

    eligible: Array
    amount: Array
    failed: list[tuple[str, Array]]  # (condition key, bool mask of persons failing it)


def decide(population: Population, month: Month, parameters: Parameters) -> dict[str, Decided]:
    """Both programmes for a population in a month: the columnar pass of compute_month."""
    results, _rules, _where = _evaluate(population, month, parameters)
    return {
        programme: Decided(
            eligible=result.eligible,
            amount=result.amount,
            failed=[(key, ~mask) for key, mask in result.passed.items()],
        )
        for programme, result in results.items()
    }


def rule_values(parameters: Parameters, region: str, month: Month) -> dict[str, dict[str, str]]:
    """Every parameter value in force for ``region`` (a county code) on the month's first day,
    described (value, since, reference, region, sample): what a payment line refers to."""
    rules = rules_for(parameters, region, month)
    values: list[Value | None] = [
        *rules.living,
        *rules.care,
        rules.care_registered_poor_amount,
        rules.living_dibao_edge,
        rules.living_registered_poor,
        rules.care_grades_3_4,
        rules.care_registered_poor,
    ]
    return {value.name: _described(value) for value in values if value is not None}


def evaluate_facts(
    facts: Sequence[Facts], month: Month, *, parameters: Parameters | None = None
) -> dict[str, list[tuple[bool, Decimal]]]:
    """Programme → (eligible, amount) per person, through the columnar pass."""
    results, _rules, _where = _evaluate(population_of(facts), month, _parameters(parameters))
    return {
        programme: [
            (bool(e), _yuan(int(a))) for e, a in zip(result.eligible, result.amount, strict=True)
        ]
        for programme, result in results.items()
    }


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


# --- One person, explained -----------------------------------------------------------------


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


def declared_of(person: Person) -> dict[str, Any]:
    """What the person declared for the rules, per programme: the equivalent allowance and
    orphans' support of their active enrolment, else of their latest application not
    rejected (the same the payment rolls use); none when neither exists."""
    found: dict[str, tuple[Decimal | None, bool]] = {}
    enrolments = Enrolment.objects.filter(person=person).order_by(
        "programme", models.Case(
            models.When(status=EnrolmentStatus.ACTIVE, then=0), default=1
        ), "-id"
    ).values_list("programme", "equivalent_allowance", "orphan")  # fmt: skip
    for programme, allowance, orphan in enrolments:
        found.setdefault(programme, (allowance, orphan))
    applications = (
        SubsidyApplication.objects.filter(person=person)
        .exclude(status=ApplicationStatus.REJECTED)
        .order_by("programme", "-applied_on", "-id")
        .values_list("programme", "equivalent_allowance", "orphan")
    )
    for programme, allowance, orphan in applications:
        found.setdefault(programme, (allowance, orphan))
    living = found.get(Programme.LIVING, (None, False))
    care = found.get(Programme.CARE, (None, False))
    return {
        "equivalent_living": living[0],
        "equivalent_care": care[0],
        "orphan": living[1] or care[1],
    }


def facts_of(person: Person) -> Facts:
    """The facts the registry holds of ``person``, with what they declared in their
    subsidy applications (declared_of)."""
    periods = tuple(
        Period(kind=p.kind, start=p.start, end=p.end) for p in person.status_periods.all()
    )
    return Facts(
        **declared_of(person),
        region=str(person.place_id),
        category=person.category,
        grade=person.grade,
        certificate_issued_on=person.certificate_issued_on,
        certificate_expires_on=person.certificate_expires_on,
        life_status=person.life_status,
        life_status_date=person.life_status_date,
        periods=periods,
    )


def explain(
    person: Person | Facts, month: Month, *, parameters: Parameters | None = None
) -> Explanation:
    """Both programmes for one person in one month, each condition with its reason."""
    facts = facts_of(person) if isinstance(person, Person) else person
    results, rules_list, _where = _evaluate(population_of([facts]), month, _parameters(parameters))
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
            amount=_yuan(int(result.amount[0])),
            standard=_yuan(standard) if standard >= 0 else None,
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
    if programme == Programme.LIVING:
        values = [rules.living[grade - 1], rules.living_dibao_edge, rules.living_registered_poor]
    else:
        values = [
            rules.care[grade - 1],
            rules.care_registered_poor_amount,
            rules.care_grades_3_4,
            rules.care_registered_poor,
        ]
    return {value.name: _described(value) for value in values if value is not None}


def _described(value: Value) -> dict[str, str]:
    shown = value.value
    text = ("true" if shown else "false") if isinstance(shown, bool) else f"{shown}"
    return {
        "value": text,
        "since": value.since.isoformat(),
        "reference": value.reference,
        "region": value.region,
        "sample": "true" if value.sample else "false",
    }


# --- The names and reasons, in words ---------------------------------------------------------

NAMES: dict[str, Callable[[], str]] = {
    "in_force": lambda: _("An amount is in force for the place"),
    "certified": lambda: _("Certified, the certificate valid in the month"),
    "alive": lambda: _("Alive in the month"),
    "resident": lambda: _("Household registered in the jurisdiction"),
    "low_income": lambda: _("Dibao in the month, or an extension in force here"),
    "severe": lambda: _("Grade and category"),
    "not_tekun": lambda: _("Not in extreme-poverty support (tekun)"),
    "not_orphan": lambda: _("Not receiving orphans' basic living support"),
    "no_higher_equivalent": lambda: _("No equivalent allowance as high as this subsidy"),
}

Reason = Callable[[Facts, Month, Rules, str, bool, int], str]


def _held(facts: Facts, kind: str, month: Month) -> bool:
    return any(
        p.kind == kind and p.start <= month.last and (p.end is None or p.end >= month.first)
        for p in facts.periods
    )


def _status_date(facts: Facts) -> str:
    return facts.life_status_date.isoformat() if facts.life_status_date else ""


def _reason_in_force(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if ok:
        return _("%(amount)s yuan a month applies here.") % {"amount": f"{_yuan(fen):f}"}
    return _("No amount of this subsidy is in force for this place in the month.")


def _reason_certified(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    dates = {
        "issued": f.certificate_issued_on.isoformat(),
        "expires": f.certificate_expires_on.isoformat(),
        "date": _status_date(f),
    }
    cancelled = f.life_status == LifeStatus.CANCELLED
    if f.certificate_issued_on > m.last:
        return _("The certificate was issued on %(issued)s, after the month.") % dates
    if f.certificate_expires_on < m.first:
        return _("The certificate expired on %(expires)s, before the month.") % dates
    if cancelled and not ok:
        return _("The certificate was cancelled on %(date)s, before the month.") % dates
    if cancelled:
        return (
            _(
                "The certificate was cancelled on %(date)s, in the month: "
                "paid for this month, stopped from the next."
            )
            % dates
        )
    return _("The certificate was issued on %(issued)s and is valid until %(expires)s.") % dates


def _reason_alive(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if f.life_status != LifeStatus.DECEASED:
        return _("Alive.")
    if ok:
        return _("Died on %(date)s, in the month: paid for this month, stopped from the next.") % {
            "date": _status_date(f)
        }
    return _("Died on %(date)s, before the month.") % {"date": _status_date(f)}


def _reason_resident(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if f.life_status != LifeStatus.MOVED_OUT:
        return _("Household registered in region %(region)s.") % {"region": f.region}
    if ok:
        return _(
            "Moved out on %(date)s, in the month: paid for this month, stopped from the next."
        ) % {"date": _status_date(f)}
    return _("Moved out of the jurisdiction on %(date)s, before the month.") % {
        "date": _status_date(f)
    }


def _reason_low_income(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    edge, poor = _held(f, StatusKind.DIBAO_EDGE, m), _held(f, StatusKind.REGISTERED_POOR, m)
    if _held(f, StatusKind.DIBAO, m):
        return _("Receives dibao in the month.")
    if edge and _flag(r.living_dibao_edge):
        return _("Near dibao in the month, and the living subsidy is extended to it here.")
    if poor and _flag(r.living_registered_poor):
        return _(
            "Registered poor in the month, and the living subsidy is extended here "
            "to every registered-poor disabled person."
        )
    if edge:
        return _(
            "No dibao in the month: near dibao, but the living subsidy is not extended to it here."
        )
    if poor:
        return _(
            "No dibao in the month: registered poor, but the living subsidy "
            "is not extended to it here."
        )
    return _(
        "No dibao in the month: the living subsidy is for disabled persons in dibao households."
    )


def _reason_severe(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    words = {"grade": f.grade, "category": str(Category(f.category).label)}
    if f.grade <= 2:
        return _("Grade %(grade)s: the care subsidy covers grades 1–2.") % words
    intellectual_or_mental = f.category in (Category.INTELLECTUAL, Category.MENTAL)
    if intellectual_or_mental and _flag(r.care_grades_3_4):
        return (
            _(
                "Grade %(grade)s, %(category)s: the care subsidy is extended here "
                "to grades 3–4 intellectual and mental disability."
            )
            % words
        )
    if _held(f, StatusKind.REGISTERED_POOR, m) and _flag(r.care_registered_poor):
        return (
            _(
                "Grade %(grade)s, registered poor in the month: the care subsidy is extended "
                "here to every registered-poor disabled person, whatever the grade."
            )
            % words
        )
    return _("Grade %(grade)s, %(category)s: the care subsidy here needs grade 1–2.") % words


def _reason_not_tekun(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if not ok:
        return _(
            "In extreme-poverty support (tekun) for the whole month: "
            "tekun recipients receive neither subsidy."
        )
    if _held(f, StatusKind.TEKUN, m):
        return _(
            "In extreme-poverty support (tekun) for part of the month only: paid for this month."
        )
    return _("Not in extreme-poverty support (tekun).")


def _reason_not_orphan(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if ok:
        return _("Not receiving orphans' basic living support.")
    return _("Receives orphans' basic living support: the care subsidy only, not this one.")


def _reason_equivalent(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    equivalent = f.equivalent_living if programme == Programme.LIVING else f.equivalent_care
    if equivalent is None:
        return _("No equivalent allowance recorded.")
    words = {"equivalent": f"{equivalent:.2f}", "amount": f"{_yuan(max(fen, 0)):f}"}
    if ok:
        return (
            _(
                "The equivalent allowance of %(equivalent)s yuan is lower than this subsidy "
                "(%(amount)s yuan): the higher one, this subsidy, applies."
            )
            % words
        )
    return (
        _(
            "Receives an equivalent allowance of %(equivalent)s yuan, at least this subsidy "
            "(%(amount)s yuan): the higher one is kept, not both."
        )
        % words
    )


REASONS: dict[str, Reason] = {
    "in_force": _reason_in_force,
    "certified": _reason_certified,
    "alive": _reason_alive,
    "resident": _reason_resident,
    "low_income": _reason_low_income,
    "severe": _reason_severe,
    "not_tekun": _reason_not_tekun,
    "not_orphan": _reason_not_orphan,
    "no_higher_equivalent": _reason_equivalent,
}


# --- The whole registry, one month -----------------------------------------------------------


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
        return _yuan(int(self.amount.sum()))


@dataclasses.dataclass(frozen=True)
class MonthResult:
    month: Month
    persons: int
    programmes: dict[str, ProgrammeResult]

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
    The facts the registry does not hold (equivalent allowances, orphans' support) are none.
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
        life_status_date=np.array([_ordinal(row[7]) for row in rows], dtype=np.int64),
        period_person=np.searchsorted(ids, np.array([p[0] for p in periods], dtype=np.int64)),
        period_kind=np.array([p[1] for p in periods], dtype=str),
        period_start=np.array([p[2].toordinal() for p in periods], dtype=np.int64),
        period_end=np.array([_ordinal(p[3]) for p in periods], dtype=np.int64),
        equivalent_living=np.full(n, NO_AMOUNT, dtype=np.int64),
        equivalent_care=np.full(n, NO_AMOUNT, dtype=np.int64),
        orphan=np.zeros(n, dtype=bool),
    )
    results, _rules, _where = _evaluate(population, month, _parameters(parameters))
    return MonthResult(
        month=month,
        persons=n,
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
