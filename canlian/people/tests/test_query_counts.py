"""The registry's pages take as many queries with many rows as with few: no query per row.

Each test renders a page with N rows, then 3N, built through the services, as a role that sees
them (canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.urls import reverse

from canlian.benefits import services as benefits
from canlian.conftest import assert_flat_queries, client_for, person_data
from canlian.lib import idcard
from canlian.people import services
from canlian.people.models import StatusKind

# The URL names these tests render (kept together: namespaces are being renamed).
LIST = "people:list"
DETAIL = "people:detail"
HISTORY = "people:history"

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_registry_list_takes_no_query_per_person(make_person: Any, county_clerk: Any) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            make_person()

    assert_flat_queries(client_for(county_clerk), reverse(LIST), add, ceiling=10)


def test_the_person_page_takes_no_query_per_status_period_or_application(
    make_person: Any, county_clerk: Any, township_officer: Any
) -> None:
    person = make_person(grade=2)
    years = itertools.count(1990)

    def add(n: int) -> None:
        for _ in range(n):
            year = next(years)
            services.add_status_period(
                person=person, kind=StatusKind.DIBAO_EDGE, start=D(year, 1, 1),
                end=D(year, 12, 31), acting_user=county_clerk,
            )  # fmt: skip
            # A rejected application leaves the way open for the next one.
            application = benefits.apply(
                person_id=person.pk, programme="care", applied_on=D(2025, 1, 2),
                channel="in_person", bank_name="农业银行", account="6228480012345678901",
                long_term_care_months=12, acting_user=township_officer,
            )  # fmt: skip
            benefits.decide(
                application_id=application.pk, passed=False, reason="材料不全",
                acted_on=D(2025, 1, 3), acting_user=township_officer,
            )  # fmt: skip

    url = reverse(DETAIL, args=[person.pk])
    # One table row per status period and one per application.
    assert_flat_queries(client_for(county_clerk), url, add, ceiling=24, per_row=2)


def test_a_persons_history_takes_no_query_per_change(make_person: Any, county_clerk: Any) -> None:
    number = idcard.build(region_code="410825", birth_date=D(1970, 5, 17), sequence=77)
    person = make_person(id_number=number)
    addresses = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            data = person_data(id_number=number, address=f"示例路{next(addresses)}号")
            services.update_person(person=person, data=data, acting_user=county_clerk)

    url = reverse(HISTORY, args=[person.pk])
    assert_flat_queries(client_for(county_clerk), url, add, ceiling=10)
