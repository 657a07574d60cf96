"""The subsidy and payment roll pages take as many queries with many rows as with few: no query
per row.

Each test renders a page with N rows, then 3N, built through the services, as a role that sees
them (canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.urls import reverse

from canlian.benefits import services
from canlian.benefits.eligibility import Month
from canlian.conftest import assert_flat_queries, client_for
from canlian.payroll import rolls
from canlian.payroll.models import Roll
from canlian.payroll.tests.test_rolls import record_life_status
from canlian.people.models import LifeStatus

# The URL names these tests render (kept together: namespaces are being renamed).
APPLICATIONS = "benefits:list"
ENROLMENTS = "benefits:enrolments"
ROLLS = "payroll:list"
ROLL = "payroll:roll"
RECOVERIES = "payroll:recoveries"

pytestmark = pytest.mark.django_db
D = datetime.date
ACCOUNT = "6228480012345678901"
MONTH = Month(2026, 10)  # begun: generation refuses months that have not
# Counties of the jurisdiction tree (places/data/jiaozuo.csv), 温县 first.
COUNTIES = ["410825", "410883", "410802", "410803", "410804", "410811"]


@pytest.fixture
def persons(make_person: Any) -> Any:
    """New grade-2 persons of 温县 (eligible for the care subsidy), `n` at a time."""
    names = itertools.count(1)

    def make(n: int) -> list[Any]:
        return [make_person(grade=2, name=f"护理{next(names)}") for _ in range(n)]

    return make


def enrol(person: Any, user: Any) -> None:
    """Carried over from before the system, paid from MONTH (no back pay)."""
    services.enrol_existing(
        person_id=person.pk, programme="care", start_month=MONTH.first,
        approved_on=D(2026, 9, 20), bank_name="农业银行", account=ACCOUNT,
        long_term_care_months=12, acting_user=user,
    )  # fmt: skip


def test_the_application_list_takes_no_query_per_application(
    persons: Any, township_officer: Any, county_clerk: Any
) -> None:
    def add(n: int) -> None:
        for person in persons(n):
            services.apply(
                person_id=person.pk, programme="care", applied_on=D(2026, 11, 2),
                channel="in_person", bank_name="农业银行", account=ACCOUNT,
                long_term_care_months=12, acting_user=township_officer,
            )  # fmt: skip

    assert_flat_queries(client_for(county_clerk), reverse(APPLICATIONS), add, ceiling=14)


def test_the_enrolment_list_takes_no_query_per_enrolment(
    persons: Any, civil_affairs: Any, county_clerk: Any
) -> None:
    def add(n: int) -> None:
        for person in persons(n):
            enrol(person, civil_affairs)

    assert_flat_queries(client_for(county_clerk), reverse(ENROLMENTS), add, ceiling=10)


def test_the_months_rolls_take_no_query_per_roll(finance: Any) -> None:
    counties = iter(COUNTIES)

    def add(n: int) -> None:
        for _ in range(n):
            rolls.generate(month=MONTH, county=next(counties), acting_user=finance)

    # Each county has a roll of each programme, in the programme's table.
    url = f"{reverse(ROLLS)}?month={MONTH}"
    assert_flat_queries(client_for(finance), url, add, ceiling=12, per_row=2)


def test_a_roll_takes_no_query_per_line(persons: Any, civil_affairs: Any, finance: Any) -> None:
    def add(n: int) -> None:
        for person in persons(n):
            enrol(person, civil_affairs)
        # A roll is written once: discard the draft and generate it again, with everyone.
        for roll in Roll.objects.filter(month=MONTH.first, county="410825"):
            rolls.discard(roll_id=roll.pk, acting_user=finance)
        rolls.generate(month=MONTH, county="410825", acting_user=finance)

    def url() -> str:
        roll = Roll.objects.get(month=MONTH.first, county="410825", programme="care")
        return reverse(ROLL, args=[roll.pk])

    assert_flat_queries(client_for(finance), url, add, ceiling=17)


def test_the_recoveries_take_no_query_per_item(
    persons: Any,
    civil_affairs: Any,
    county_clerk: Any,
    finance: Any,
    finance_reviewer: Any,
) -> None:
    months = iter([MONTH, MONTH.shift(1)])

    def add(n: int) -> None:
        # Paid for a month, then found dead before it: one recovery each.
        month = next(months)
        enrolled = persons(n)
        for person in enrolled:
            enrol(person, civil_affairs)
        rolls.generate(month=month, county="410825", acting_user=finance)
        for roll in Roll.objects.filter(month=month.first, county="410825"):
            rolls.approve(roll_id=roll.pk, acting_user=finance_reviewer)
        died = month.first - datetime.timedelta(days=5)
        for person in enrolled:
            record_life_status(person, LifeStatus.DECEASED, died, county_clerk)
        rolls.find_recoveries(county_list=["410825"], acting_user=finance)

    assert_flat_queries(client_for(finance), reverse(RECOVERIES), add, ceiling=12)
