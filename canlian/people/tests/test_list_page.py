"""The registry list and the person page: what a row shows, the area filter's options, and
the exact number of queries each takes (a query added per page, or per row, fails here).

The list builds its rows' words in the view (views.list_rows) and its selects in Python
(lib.forms.render_select) for speed: these tests hold what the page shows to the
vocabularies, the places and the jurisdiction, whoever renders it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from canlian.accounts.choices import indented, jurisdiction_choices
from canlian.accounts.models import User
from canlian.conftest import client_for, opened
from canlian.people.forms import area_choices
from canlian.people.terms import CATEGORY, GRADE, LIFE_STATUS, SEX
from canlian.places.models import Level, Place

pytestmark = pytest.mark.django_db


def _row_of(page: str, person_id: int) -> list[str]:
    """The cells of the table row that links to the person, as text."""
    link = f'href="{reverse("people:detail", args=[person_id])}"'
    row = next(r for r in page.split('<tr class="govuk-table__row">') if link in r)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.split("</tr>")[0], re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_row_shows_the_persons_words_in_the_page_language(
    make_person: Any, county_clerk: Any, language: str
) -> None:
    person = make_person(name="赵<小>明", category=1, grade=3, place_code="410825001001")
    client = client_for(county_clerk)
    client.cookies["django_language"] = language
    page = client.get(reverse("people:list")).content.decode()
    village = Place.objects.select_related("parent").get(code="410825001001")
    with translation.override(language):
        expected = [
            "赵<小>明", person.id_number_masked, SEX[person.sex].name,
            person.birth_date.strftime("%Y-%m-%d"), CATEGORY[1].name, GRADE[3].name,
            f"{village.parent.name} {village.name}", LIFE_STATUS[person.life_status].name,
        ]  # fmt: skip
    assert _row_of(page, person.pk) == expected
    # The name is escaped, never markup; the status tag carries the status code as its class.
    assert "赵&lt;小&gt;明" in page
    assert f"cl-status-tag--{person.life_status}" in page
    assert opened(person) not in page


@pytest.mark.parametrize("who", ["city_staff", "county_clerk", "auditor"])
def test_the_area_filter_offers_the_places_below_the_users_own(
    who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    expected = jurisdiction_choices(
        user, levels={Level.COUNTY, Level.TOWNSHIP}, value=lambda place: place.prefix,
        label=indented(Level.COUNTY), below_own=True,
    )  # fmt: skip
    assert area_choices(user) == expected
    page = client_for(user).get(reverse("people:list")).content.decode()
    select = page.split('<select name="place"')[1].split("</select>")[0]
    offered = re.findall(r'<option value="([^"]*)"', select)
    assert offered == ["", *(value for value, _label in expected)]


def test_the_area_filter_offers_a_township_officer_the_townships_villages(
    township_officer: User, make_person: Any
) -> None:
    """Not an area list of "全部地区" alone: the villages of the officer's township."""
    person = make_person(name="钱小红", place_code="410825001001")
    villages = list(
        Place.objects.filter(code__startswith="410825001", level=Level.VILLAGE)
        .order_by("code")
        .values_list("prefix", "name")
    )
    assert villages
    client = client_for(township_officer)
    page = client.get(reverse("people:list")).content.decode()
    select = page.split('<select name="place"')[1].split("</select>")[0]
    offered = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert offered[1:] == villages
    chosen = client.get(reverse("people:list"), {"place": "410825001001"}).content.decode()
    assert "钱小红" in chosen and "请从给出的选项中选择" not in chosen
    assert _row_of(chosen, person.pk)[0] == "钱小红"


# An audit entry's transaction takes one query more on PostgreSQL: the advisory lock that
# orders the chain (audit.records), which SQLite's single writer does not need.
CHAIN_LOCK = 1 if connection.vendor == "postgresql" else 0


def _queries(django_assert_num_queries: Any, client: Client, url: str, count: int) -> str:
    client.get(url)  # the first request fills the caches (calendar, session)
    with django_assert_num_queries(count):
        response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


# Session, user, second-factor device, the user's place, the area filter's places, the count
# and the page: the list takes the same 7 queries for 1 row or 50, with or without a filter.
LIST_QUERIES = 7


def test_the_list_with_a_filter_takes_a_fixed_number_of_queries(
    make_person: Any, county_clerk: Any, django_assert_num_queries: Any
) -> None:
    shown = [make_person(category=4) for _ in range(3)]
    hidden = make_person(category=1)
    url = reverse("people:list") + "?category=4&grade=2"
    page = _queries(django_assert_num_queries, client_for(county_clerk), url, LIST_QUERIES)
    assert all(_row_of(page, person.pk) for person in shown)
    assert reverse("people:detail", args=[hidden.pk]) not in page


def test_a_name_search_takes_a_fixed_number_of_queries(
    make_person: Any, city_staff: Any, django_assert_num_queries: Any
) -> None:
    found = make_person(name="欧阳明")
    other = make_person(name="李明")
    page = _queries(
        django_assert_num_queries, client_for(city_staff), reverse("people:list") + "?q=欧阳",
        LIST_QUERIES,
    )  # fmt: skip
    assert _row_of(page, found.pk)[0] == "欧阳明"
    assert reverse("people:detail", args=[other.pk]) not in page


def test_an_exact_id_search_takes_a_fixed_number_of_queries(
    make_person: Any, city_staff: Any, django_assert_num_queries: Any
) -> None:
    person = make_person()
    make_person()
    # The look-up by number is written to the audit log and counted against the hourly limit,
    # in its own transaction (begin, savepoint, the chain's last hash, the entry, release, the
    # count, commit): 7 queries more than the list, and the chain's lock on PostgreSQL.
    url = reverse("people:list") + f"?q={opened(person)}"
    count = LIST_QUERIES + 7 + CHAIN_LOCK
    page = _queries(django_assert_num_queries, client_for(city_staff), url, count)
    assert page.count('<tr class="govuk-table__row">') == 2  # the heading and the person
    assert _row_of(page, person.pk)[1] == person.id_number_masked


def test_the_person_page_takes_a_fixed_number_of_queries(
    make_person: Any, county_clerk: Any, django_assert_num_queries: Any
) -> None:
    person = make_person(name="钱多多")
    url = reverse("people:detail", args=[person.pk])
    page = _queries(django_assert_num_queries, client_for(county_clerk), url, 18 + CHAIN_LOCK)
    assert "钱多多" in page
    assert person.id_number_masked in page
