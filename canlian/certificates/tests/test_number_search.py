"""The certificate applications list searched by a whole ID or certificate number, alone or
beside a name (王建国 41082519…), as the registry is (people.selectors.number_index): an exact
match on the number, in the user's jurisdiction; past the hourly limit of searches by number
the list answers with its page and the reason on its search field, listing no one."""

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
from canlian.certificates.models import Application
from canlian.conftest import client_for
from canlian.lib import idcard

pytestmark = pytest.mark.django_db


def number(sequence: int, *, region: str = "410825") -> str:
    return idcard.build(region_code=region, birth_date=datetime.date(1980, 4, 2), sequence=sequence)


@pytest.fixture
def wangs(apply_first: Any, other_county_clerk: User) -> dict[str, Application]:
    """Two first applications of a 王建国 of 温县, and one of a 王建国 of 孟州市."""
    return {
        "first": apply_first(name="王建国", id_number=number(101)),
        "namesake": apply_first(name="王建国", id_number=number(102)),
        "meng": apply_first(
            name="王建国",
            id_number=number(103, region="410883"),
            place_code="410883001001",
            acting_user=other_county_clerk,
        ),
    }


def found(user: User, q: str) -> set[int]:
    """The applications the list shows for the search `q`."""
    response = client_for(user).get(reverse("certificates:application_list"), {"q": q})
    assert response.status_code == 200
    assert not response.context["form"].errors
    return {row.pk for row in response.context["page"].object_list}


@pytest.mark.parametrize(
    "template",
    ["王建国 {n}", "{n} 王建国", "王建国\u3000{n}", "王建国\t{n}", "王建 {lower}", "{n}"],
)
def test_a_name_with_the_whole_id_number_finds_only_the_application_of_that_number(
    wangs: dict[str, Application], county_clerk: User, template: str
) -> None:
    assert found(county_clerk, "王建国") == {wangs["first"].pk, wangs["namesake"].pk}
    full = number(101)
    q = template.format(n=full, lower=full.lower())
    assert found(county_clerk, q) == {wangs["first"].pk}  # not the namesake
    [entry] = Entry.objects.filter(action="search.by_number")
    assert full not in str(entry.detail)  # a look-up by number, recorded masked


def test_a_name_with_the_certificate_number_finds_the_application_of_its_id_number(
    wangs: dict[str, Application], county_clerk: User
) -> None:
    assert found(county_clerk, f"王建国 {number(102)}42") == {wangs["namesake"].pk}


def test_a_name_with_a_number_no_one_has_finds_no_namesake(
    wangs: dict[str, Application], county_clerk: User
) -> None:
    assert found(county_clerk, f"王建国 {number(999)}") == set()


def test_a_name_with_a_number_of_another_jurisdiction_finds_no_one(
    wangs: dict[str, Application], county_clerk: User, other_county_clerk: User
) -> None:
    q = f"王建国 {number(103, region='410883')}"
    assert found(county_clerk, q) == set()
    assert found(other_county_clerk, q) == {wangs["meng"].pk}


@pytest.mark.parametrize("q", ["{full}", "王建国 {full}"])
def test_past_the_hourly_limit_the_list_says_why_on_its_search_field(
    wangs: dict[str, Application], county_clerk: User, settings: Any, q: str
) -> None:
    settings.NUMBER_SEARCHES_PER_HOUR = 1
    q = q.format(full=number(101))
    assert found(county_clerk, q) == {wangs["first"].pk}

    response = client_for(county_clerk).get(reverse("certificates:application_list"), {"q": q})

    assert response.status_code == 200  # the page, not a refusal
    with translation.override("zh-hans"):
        reason = lookups.too_many()
    assert response.context["form"].errors["q"] == [reason]
    page = html.unescape(response.content.decode())
    assert reason in page and 'class="govuk-error-summary' in page
    assert list(response.context["page"].object_list) == []  # no one listed
