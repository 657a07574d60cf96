"""The levy's pages take as many queries with many rows as with few: no query per row.

Each test renders a page with N rows, then 3N, built through the services, as a role that sees
them (canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.urls import reverse

from canlian.conftest import assert_flat_queries, client_for
from canlian.levy import services
from canlian.levy.models import Declaration
from canlian.levy.tests.conftest import YEAR, line

# The URL names these tests render (kept together: namespaces are being renamed).
EMPLOYERS = "levy:list"
EMPLOYER = "levy:employer_detail"
DECLARATION = "levy:declaration_detail"
COLLECTION = "levy:collection_list"

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_employer_list_takes_no_query_per_employer(
    make_employer: Any, county_clerk: Any
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            make_employer()

    assert_flat_queries(client_for(county_clerk), reverse(EMPLOYERS), add, ceiling=10)


def test_an_employers_page_takes_no_query_per_declaration(
    make_employer: Any, make_declaration: Any, county_clerk: Any
) -> None:
    employer = make_employer()
    years = itertools.count(YEAR, -1)

    def add(n: int) -> None:
        for _ in range(n):
            year = next(years)
            make_declaration(employer, year=year, declared_on=D(year, 3, 2))

    url = reverse(EMPLOYER, args=[employer.pk])
    assert_flat_queries(client_for(county_clerk), url, add, ceiling=10)


def test_a_verified_declaration_takes_no_query_per_employee(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    employer = make_employer()
    employees: list[services.EmployeeLine] = []

    def add(n: int) -> None:
        # Declared again with every employee so far (a replaced declaration), then verified.
        employees.extend(line(make_person(grade=3)) for _ in range(n))
        declared = make_declaration(employer, list(employees))
        services.verify(declaration=declared, acting_user=county_clerk)

    def url() -> str:
        return reverse(DECLARATION, args=[Declaration.objects.get(employer=employer).pk])

    assert_flat_queries(client_for(county_clerk), url, add, ceiling=10)


def test_the_collection_list_takes_no_query_per_declaration(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            declared = make_declaration(make_employer(), [line(make_person(grade=2))])
            services.verify(declaration=declared, acting_user=county_clerk)

    url = f"{reverse(COLLECTION)}?year={YEAR}"
    assert_flat_queries(client_for(county_clerk), url, add, ceiling=15)
