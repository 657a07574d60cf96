"""The subsidy lists (applications, enrolments) searched by a whole ID or certificate number,
alone or beside a name (王建国 41082519…), as the registry is (people.selectors.number_index):
an exact match on the number, in the user's jurisdiction; past the hourly limit of searches by
number the list answers with its page and the reason on its search field, listing no one."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from canlian.accounts import lookups
from canlian.accounts.models import User
from canlian.audit.models import Entry
from canlian.benefits.models import SubsidyApplication
from canlian.benefits.tests.test_views_applications import decide, take_application
from canlian.conftest import certificate_number_of, client_for
from canlian.lib import idcard
from canlian.people.models import Person

pytestmark = pytest.mark.django_db

LISTS = ["benefits:list", "benefits:enrolments"]


def number(sequence: int) -> str:
    return idcard.build(
        region_code="410825", birth_date=datetime.date(1970, 5, 17), sequence=sequence
    )


@pytest.fixture
def wangs(
    make_person: Any, township_officer: User, county_clerk: User, civil_affairs: User
) -> dict[str, Person]:
    """Two 王建国 of 温县, each with an application taken through to an enrolment."""
    persons = {
        "first": make_person(name="王建国", id_number=number(101)),
        "namesake": make_person(name="王建国", id_number=number(102)),
    }
    for person in persons.values():
        application = take_application(township_officer, person)
        for user in (township_officer, county_clerk, civil_affairs):
            decide(user, application)
    return persons


def found(user: User, url_name: str, q: str) -> set[int]:
    """The persons whose rows the list shows for the search `q`."""
    response = client_for(user).get(reverse(url_name), {"q": q})
    assert response.status_code == 200
    assert not response.context["form"].errors
    return {row.person_id for row in response.context["page"].object_list}


@pytest.mark.parametrize("url_name", LISTS)
@pytest.mark.parametrize(
    "template", ["王建国 {n}", "{n} 王建国", "王建国\u3000{n}", "王建国\t{n}", "王建 {lower}"]
)
def test_a_name_with_the_whole_id_number_finds_only_the_person_of_that_number(
    wangs: dict[str, Person], county_clerk: User, url_name: str, template: str
) -> None:
    assert found(county_clerk, url_name, "王建国") == {p.pk for p in wangs.values()}
    full = number(101)
    q = template.format(n=full, lower=full.lower())
    assert found(county_clerk, url_name, q) == {wangs["first"].pk}  # not the namesake
    [entry] = Entry.objects.filter(action="search.by_number")
    assert full not in str(entry.detail)  # a look-up by number, recorded masked


@pytest.mark.parametrize("url_name", LISTS)
def test_a_name_with_the_certificate_number_finds_its_holder(
    wangs: dict[str, Person], county_clerk: User, url_name: str
) -> None:
    q = f"王建国 {certificate_number_of(wangs['namesake'])}"
    assert found(county_clerk, url_name, q) == {wangs["namesake"].pk}


@pytest.mark.parametrize("url_name", LISTS)
def test_a_name_with_a_number_no_one_has_finds_no_namesake(
    wangs: dict[str, Person], county_clerk: User, url_name: str
) -> None:
    assert found(county_clerk, url_name, f"王建国 {number(999)}") == set()


@pytest.mark.parametrize("url_name", LISTS)
def test_a_name_with_a_number_of_another_jurisdiction_finds_no_one(
    wangs: dict[str, Person], county_clerk: User, other_county_clerk: User, url_name: str
) -> None:
    q = f"王建国 {number(101)}"
    assert found(county_clerk, url_name, q) == {wangs["first"].pk}
    assert found(other_county_clerk, url_name, q) == set()


@pytest.mark.parametrize("url_name", LISTS)
@pytest.mark.parametrize("q", ["{full}", "王建国 {full}"])
def test_past_the_hourly_limit_the_list_says_why_on_its_search_field(
    wangs: dict[str, Person], county_clerk: User, settings: Any, url_name: str, q: str
) -> None:
    settings.NUMBER_SEARCHES_PER_HOUR = 1
    q = q.format(full=number(101))
    client = client_for(county_clerk)
    assert found(county_clerk, url_name, q) == {wangs["first"].pk}

    response = client.get(reverse(url_name), {"q": q})

    assert response.status_code == 200  # the page, not a refusal
    with translation.override("zh-hans"):
        reason = lookups.too_many()
    assert response.context["form"].errors["q"] == [reason]
    page = html.unescape(response.content.decode())
    assert reason in page and 'class="govuk-error-summary' in page
    assert list(response.context["page"].object_list) == []  # no one listed
    assert SubsidyApplication.objects.filter(person=wangs["first"]).exists()
