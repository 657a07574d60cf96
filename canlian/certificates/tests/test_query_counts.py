"""The certificate pages take as many queries with many rows as with few: no query per row.

Each test renders a page with N rows, then 3N, built through the services, as a role that sees
them (canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from canlian.certificates import institutions, services, supervision, tours
from canlian.certificates.models import AppliedBy, Document, Institution, Kind, Tour
from canlian.certificates.tests.conftest import BASIC, applicant
from canlian.conftest import assert_flat_queries, client_for
from canlian.lib import idcard
from canlian.places.models import Place

# The URL names these tests render (kept together: namespaces are being renamed).
WORKLIST = "certificates:worklist"
APPLICATIONS = "certificates:application_list"
HOLDER = "certificates:person"
TOURS = "certificates:tour_list"
TOUR = "certificates:tour_detail"
CHECKS = "certificates:supervision_list"
CHECK = "certificates:supervision_detail"
INSTITUTIONS = "certificates:institution_list"

pytestmark = pytest.mark.django_db
D = datetime.date
COUNTY = "410825000000"


def place(code: str) -> Place:
    return Place.objects.get(code=code)


@pytest.fixture
def sequence() -> Any:
    """A fresh ID-number sequence for each applicant or holder made."""
    return itertools.count(1)


def an_applicant(number: int) -> dict[str, Any]:
    return {
        "id_number": idcard.build(region_code="410825", birth_date=D(1981, 3, 4), sequence=number),
        "name": f"申请人{number}",
    }


def test_the_worklist_takes_no_query_per_application_objection_or_renewal(
    apply_first: Any,
    in_publicity: Any,
    make_person: Any,
    county_clerk: Any,
    city_staff: Any,
    sequence: Any,
) -> None:
    expiring = timezone.localdate() + datetime.timedelta(days=30)

    def add(n: int) -> None:
        for _ in range(n):
            apply_first(**an_applicant(next(sequence)))  # to book
            in_publicity(**an_applicant(next(sequence)))  # to review: publicity is over
            objected = in_publicity(**an_applicant(next(sequence)))
            services.file_objection(
                application=objected, filed_on=D(2025, 10, 21),
                recorded_on=D(2025, 10, 21), grounds="不服评定等级",
                acting_user=county_clerk,
            )  # fmt: skip
            make_person(certificate_expires_on=expiring)  # to renew

    # Four rows a round: to book, to review, objections, certificates to renew; the city's
    # staff see the objections, which they decide.
    url = reverse(WORKLIST)
    assert_flat_queries(client_for(city_staff), url, add, ceiling=28, per_row=4)


def test_the_application_list_takes_no_query_per_application(
    apply_first: Any, county_clerk: Any, sequence: Any
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            apply_first(**an_applicant(next(sequence)))

    assert_flat_queries(client_for(county_clerk), reverse(APPLICATIONS), add, ceiling=10)


def test_a_holders_page_takes_no_query_per_certificate_or_application(
    make_person: Any, county_clerk: Any
) -> None:
    holder = make_person(certificate_issued_on=D(2019, 3, 1))
    days = itertools.count(5)

    def add(n: int) -> None:
        for _ in range(n):
            on = D(2026, 1, next(days))
            replacement = services.submit_application(
                kind=Kind.REPLACEMENT, acting_user=county_clerk, received_on=on,
                applied_by=AppliedBy.SELF, person=holder, reason="遗失",
                replacement_reason="lost",
                documents=[Document.ID_CARD, Document.PHOTOS, Document.LOSS_STATEMENT],
            )  # fmt: skip
            services.issue_without_assessment(
                application=replacement, on=on, acting_user=county_clerk
            )

    # A certificate row (the table) and an application (a list item) each round.
    url = reverse(HOLDER, args=[holder.pk])
    assert_flat_queries(client_for(county_clerk), url, add, ceiling=10)
    assert holder.certificate_applications.count() == 6


@pytest.fixture
def hospital(system_admin: Any) -> Institution:
    return institutions.save_institution(
        name="焦作市第二人民医院（示例）", place=place("410800000000"), categories=[1, 2, 4],
        home_visits=False, address="", active=True, acting_user=system_admin,
    )  # fmt: skip


def plan(clerk: Any, institution: Institution, name: str) -> Tour:
    return tours.create_tour(
        county=place(COUNTY), name=name, starts_on=D(2026, 3, 2), ends_on=D(2026, 3, 13),
        institution=institution, team="李医生\n张干事",
        villages=[place("410825001001"), place("410825002000")], acting_user=clerk,
    )  # fmt: skip


def test_the_tour_list_takes_no_query_per_tour(hospital: Institution, county_clerk: Any) -> None:
    names = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            plan(county_clerk, hospital, f"巡回办证第{next(names)}期")

    assert_flat_queries(client_for(county_clerk), reverse(TOURS), add, ceiling=10)


def test_a_tours_page_takes_no_query_per_application(
    hospital: Institution, county_clerk: Any, sequence: Any
) -> None:
    tour = plan(county_clerk, hospital, "2026年春季巡回办证（示例）")

    def add(n: int) -> None:
        for _ in range(n):
            tours.register_applicant(
                tour=tour, applicant=applicant(**an_applicant(next(sequence))), category=4,
                applied_by=AppliedBy.SELF, documents=BASIC, received_on=D(2026, 3, 3),
                acting_user=county_clerk,
            )  # fmt: skip

    url = reverse(TOUR, args=[tour.pk])
    assert_flat_queries(client_for(county_clerk), url, add, ceiling=10)


@pytest.fixture
def holders_of_2020(make_person: Any) -> None:
    """Six 温县 holders whose certificates were issued in 2020: the population checked."""
    for month in range(1, 7):
        make_person(name=f"登记{month}", certificate_issued_on=D(2020, month, 1))


def draw(user: Any, size: int, seed: str) -> Any:
    return supervision.draw_sample(
        county=place(COUNTY), period_start=D(2020, 1, 1), period_end=D(2020, 12, 31),
        sample_size=size, seed=seed, acting_user=user,
    )  # fmt: skip


def test_the_supervision_list_takes_no_query_per_check(
    holders_of_2020: None, city_staff: Any
) -> None:
    seeds = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            draw(city_staff, 2, f"2026{next(seeds):04d}")

    assert_flat_queries(client_for(city_staff), reverse(CHECKS), add, ceiling=10)


def test_a_supervision_check_takes_no_query_per_certificate(
    holders_of_2020: None, city_staff: Any
) -> None:
    checks: list[Any] = []

    def add(n: int) -> None:
        # A check cannot grow: draw a new one, as large as every row asked so far.
        drawn = len(checks[-1].items.all()) if checks else 0
        checks.append(draw(city_staff, drawn + n, f"seed{len(checks)}"))

    def url() -> str:
        return reverse(CHECK, args=[checks[-1].pk])

    assert_flat_queries(client_for(city_staff), url, add, ceiling=10)


def test_the_institution_list_takes_no_query_per_institution(system_admin: Any) -> None:
    names = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            institutions.save_institution(
                name=f"第{next(names)}评定机构（示例）", place=place(COUNTY), categories=[4, 5],
                home_visits=True, address="温县示例路", active=True, acting_user=system_admin,
            )  # fmt: skip

    assert_flat_queries(client_for(system_admin), reverse(INSTITUTIONS), add, ceiling=10)
