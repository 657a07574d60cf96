"""Discarding a draft roll and generating it again gives the same lines, back pay included."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from canlian.benefits import services
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Enrolment
from canlian.payroll import rolls
from canlian.payroll.models import Line, LineKind, Roll

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


def _lines(county: str) -> set[tuple[Any, ...]]:
    return set(
        Line.objects.filter(roll__county=county).values_list(
            "person_id", "programme", "month", "kind", "amount"
        )
    )


def test_a_discarded_draft_is_made_again_with_the_same_back_pay(
    make_person: Any,
    township_officer: Any,
    county_clerk: Any,
    civil_affairs: Any,
    finance: Any,
) -> None:
    person = make_person(grade=1)
    application = services.apply(
        person_id=person.pk, programme="care", applied_on=datetime.date(2026, 9, 3),
        channel="in_person", bank_name="农业银行", account="6228480012345678901",
        long_term_care_months=12, acting_user=township_officer, today=TODAY,
    )  # fmt: skip
    for user, day in ((township_officer, 5), (county_clerk, 10), (civil_affairs, 15)):
        services.decide(
            application_id=application.pk, passed=True, reason="",
            acted_on=datetime.date(2026, 11, day), acting_user=user, today=TODAY,
        )  # fmt: skip
    rolls.generate(month=Month(2026, 11), acting_user=finance, county="410825", today=TODAY)
    first = _lines("410825")
    kinds = sorted(kind for _p, _g, _m, kind, _a in first)
    assert kinds == [LineKind.BACK_PAY, LineKind.BACK_PAY, LineKind.REGULAR]
    roll = Roll.objects.get(county="410825", programme="care", month=datetime.date(2026, 11, 1))
    assert Enrolment.objects.get(person=person).settled_by_id == roll.pk

    rolls.discard(roll_id=roll.pk, acting_user=finance)
    enrolment = Enrolment.objects.get(person=person)
    assert (enrolment.back_pay_settled, enrolment.settled_by_id) == (False, None)
    assert not Line.objects.filter(person=person).exists()

    rolls.generate(month=Month(2026, 11), acting_user=finance, county="410825", today=TODAY)
    assert _lines("410825") == first
    assert Enrolment.objects.get(person=person).back_pay_settled
