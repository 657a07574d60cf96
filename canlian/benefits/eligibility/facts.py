"""What the rules know of persons: one person's facts, many persons' facts as columns, and
what the registry and the person's own declarations give.

Amounts are integer fen inside the computation and :class:`Decimal` yuan outside.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import models

from canlian.benefits.models import (
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    Programme,
    SubsidyApplication,
)
from canlian.people.models import LifeStatus, Person

__all__ = [
    "FAR",
    "FEN_PER_YUAN",
    "NOTHING_DECLARED",
    "NOT_RECORDED",
    "NO_AMOUNT",
    "PENDING",
    "Array",
    "Facts",
    "Period",
    "Population",
    "declared_of",
    "facts_of",
    "ordinal",
    "population_of",
    "yuan",
]

FEN_PER_YUAN = 100
NO_AMOUNT = -1  # fen: no amount in force, or no equivalent allowance
NOT_RECORDED = -1  # months of long-term care never recorded
FAR = datetime.date.max.toordinal()  # the ordinal of an event that has not happened
PENDING = datetime.date.max  # the approval of an application not approved yet
NOTHING_DECLARED = 0  # the approval ordinal of a person with no care enrolment or application

Array = npt.NDArray[Any]


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
    # The household's place in words, for the explanation staff read; the code when not given.
    place_name: str = ""
    # An equivalent allowance (old-age care, work-injury care, retired cadres' nursing), yuan a
    # month, per programme it stands in for; None: none.
    equivalent_living: Decimal | None = None
    equivalent_care: Decimal | None = None
    # Receives orphans' basic living support (孤儿基本生活保障): the care subsidy only.
    orphan: bool = False
    # Receives work-injury insurance care allowance (工伤保险生活护理费): excludes both subsidies
    # where benefits.excluded.work_injury_care is in force (Henan), else an equivalent allowance.
    work_injury_care: bool = False
    # Months the person's need for care lasts (长期照护, the care subsidy), as recorded at the
    # window or later on the enrolment; None: never recorded.
    long_term_care_months: int | None = None
    # The approval of the care enrolment those months come from; PENDING for an application
    # not approved yet; None when the person has neither (nothing declared: what the rules
    # would say, the need to be recorded at the window). A need never recorded passes only
    # there and on an enrolment approved before the long-term care rule's first day
    # (conditions.long_term_care).
    care_approved_on: datetime.date | None = None


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
    work_injury_care: Array  # bool
    long_term_care_months: Array  # NOT_RECORDED when never recorded
    # Ordinal of the care enrolment's approval; FAR for a pending application, NOTHING_DECLARED
    # for a person with neither.
    care_approved: Array

    def __len__(self) -> int:
        return len(self.grade)


def _months(months: int | None) -> int:
    return NOT_RECORDED if months is None else months


def _approved(day: datetime.date | None) -> int:
    return NOTHING_DECLARED if day is None else day.toordinal()


def ordinal(day: datetime.date | None) -> int:
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
        issued=np.array([ordinal(one.certificate_issued_on) for one in facts], dtype=np.int64),
        expires=np.array([ordinal(one.certificate_expires_on) for one in facts], dtype=np.int64),
        life_status=np.array([str(one.life_status) for one in facts], dtype=str),
        life_status_date=np.array([ordinal(one.life_status_date) for one in facts], np.int64),
        period_person=np.array([index for index, _p in periods], dtype=np.int64),
        period_kind=np.array([str(p.kind) for _i, p in periods], dtype=str),
        period_start=np.array([ordinal(p.start) for _i, p in periods], dtype=np.int64),
        period_end=np.array([ordinal(p.end) for _i, p in periods], dtype=np.int64),
        equivalent_living=np.array([_fen(one.equivalent_living) for one in facts], np.int64),
        equivalent_care=np.array([_fen(one.equivalent_care) for one in facts], np.int64),
        orphan=np.array([one.orphan for one in facts], dtype=bool),
        work_injury_care=np.array([one.work_injury_care for one in facts], dtype=bool),
        long_term_care_months=np.array(
            [_months(one.long_term_care_months) for one in facts], dtype=np.int64
        ),
        care_approved=np.array([_approved(one.care_approved_on) for one in facts], np.int64),
    )


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


DECLARED = ("equivalent_allowance", "orphan", "work_injury_care", "long_term_care_months")


def declared_of(person: Person) -> dict[str, Any]:
    """What the person declared for the rules, per programme: the equivalent allowance,
    orphans' support, work-injury care and long-term care of their active enrolment, else of
    their latest application not rejected (the same the payment rolls use); none when neither
    exists. Orphans' support and work-injury care are the person's: declared in either
    programme; long-term care is the care subsidy's, with the approval of its enrolment."""
    found: dict[str, tuple[Any, ...]] = {}
    enrolments = Enrolment.objects.filter(person=person).order_by(
        "programme", models.Case(
            models.When(status=EnrolmentStatus.ACTIVE, then=0), default=1
        ), "-id"
    ).values_list("programme", *DECLARED, "approved_on")  # fmt: skip
    for programme, *declared in enrolments:
        found.setdefault(programme, tuple(declared))
    applications = (
        SubsidyApplication.objects.filter(person=person)
        .exclude(status=ApplicationStatus.REJECTED)
        .order_by("programme", "-applied_on", "-id")
        .values_list("programme", *DECLARED)
    )
    for programme, *declared in applications:
        found.setdefault(programme, (*declared, PENDING))
    living = found.get(Programme.LIVING, (None, False, False, None, None))
    care = found.get(Programme.CARE, (None, False, False, None, None))
    return {
        "equivalent_living": living[0],
        "equivalent_care": care[0],
        "orphan": living[1] or care[1],
        "work_injury_care": living[2] or care[2],
        "long_term_care_months": care[3],
        "care_approved_on": care[4],
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
        place_name=person.place.full_name() if person.place_id else "",
        category=person.category,
        grade=person.grade,
        certificate_issued_on=person.certificate_issued_on,
        certificate_expires_on=person.certificate_expires_on,
        life_status=person.life_status,
        life_status_date=person.life_status_date,
        periods=periods,
    )
