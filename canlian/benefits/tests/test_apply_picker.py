"""Taking a subsidy application starts from the person picker: /subsidies/apply/ without a
person searches the registry of the user's jurisdiction, offers the persons found as radio
buttons (GET, no script needed) and opens the application form for the person chosen. A person
outside the jurisdiction sent by hand is refused with the reason, as an unknown one, and
nothing is written."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from canlian.benefits.models import SubsidyApplication
from canlian.benefits.tests.test_views_applications import apply_post, english, text_of

pytestmark = pytest.mark.django_db

APPLY = "/subsidies/apply/"
REFUSED = (
    "The person chosen is not among those you may choose here: find the person again and "
    "choose among those found."
)


def radios(page: str) -> set[str]:
    return set(re.findall(r'type="radio" value="(\d+)"', page))


def test_the_page_without_a_person_is_the_search(township_officer: Any) -> None:
    assert reverse("benefits:apply") == APPLY
    page = text_of(english(township_officer).get(APPLY))
    assert 'name="who"' in page and "Find the applicant" in page
    assert 'name="programme"' not in page  # no application form before a person is chosen
    assert "data-focus-on-load" not in page  # nothing searched: the focus stays


def test_choosing_a_person_found_opens_their_application(
    make_person: Any, township_officer: Any
) -> None:
    wang = make_person(name="王建国")
    client = english(township_officer)
    page = text_of(client.get(APPLY, {"who": "王建"}))
    assert radios(page) == {str(wang.pk)}
    assert 'id="person-results" tabindex="-1" data-focus-on-load' in page
    assert "1 person found: choose below." in page
    assert f"王建国, ID number {wang.id_number_masked}, 测试一镇, born 1970" in page
    # The choice sends the search again with it, and the person: the form opens for them.
    form = text_of(client.get(APPLY, {"who": "王建", "picked": "1", "person": wang.pk}))
    assert 'name="programme"' in form and "王建国" in form
    response = client.post(f"{APPLY}?person={wang.pk}", apply_post())
    assert response.status_code == 302
    assert SubsidyApplication.objects.get().person_id == wang.pk


def test_a_choice_sent_without_a_person_asks_for_one(
    make_person: Any, township_officer: Any
) -> None:
    wang = make_person(name="王建国")
    page = text_of(english(township_officer).get(APPLY, {"who": "王建", "picked": "1"}))
    assert "Choose the person among those found." in page
    assert 'href="#id_person"' in page and radios(page) == {str(wang.pk)}


def test_the_search_lists_no_one_outside_the_jurisdiction(
    make_person: Any, township_officer: Any, other_county_clerk: Any
) -> None:
    here = make_person(name="王建国")
    there = make_person(name="王建国", place_code="410883001001")
    page = text_of(english(township_officer).get(APPLY, {"who": "王建国"}))
    assert radios(page) == {str(here.pk)}
    page = text_of(english(other_county_clerk).get(APPLY, {"who": "王建国"}))
    assert radios(page) == {str(there.pk)}


def test_a_person_outside_the_jurisdiction_sent_directly_is_refused_and_nothing_written(
    make_person: Any, township_officer: Any
) -> None:
    there = make_person(name="王建国", place_code="410883001001")
    client = english(township_officer)
    response = client.post(f"{APPLY}?person={there.pk}", apply_post())
    page = text_of(response)
    assert response.status_code == 404
    assert REFUSED in page and "王建国" not in page and 'name="programme"' not in page
    assert not SubsidyApplication.objects.exists()
    # An id that is no one's gets the same page: the refusal says nothing of who exists.
    unknown = client.post(f"{APPLY}?person={there.pk + 1000}", apply_post())
    assert unknown.status_code == 404 and _without_tokens(text_of(unknown)) == _without_tokens(page)


def test_a_tail_search_follows_the_registrys_rules(make_person: Any, county_clerk: Any) -> None:
    make_person(name="王建国")
    tail = "123456"
    page = text_of(english(county_clerk).get(APPLY, {"who": tail}))
    assert "needs the name as well" in page and 'href="#id_who"' in page
    assert not radios(page) and 'id="person-results"' not in page


def test_the_results_take_as_many_queries_for_many_persons_as_for_one(
    make_person: Any, township_officer: Any
) -> None:
    client = english(township_officer)

    def queries() -> tuple[int, int]:
        client.get(APPLY, {"who": "赵"})
        with CaptureQueriesContext(connection) as captured:
            page = text_of(client.get(APPLY, {"who": "赵"}))
        return len(captured), len(radios(page))

    make_person(name="赵一")
    few, shown = queries()
    for index in range(5):
        make_person(name=f"赵{index}{index}")
    many, more = queries()
    assert (shown, more) == (1, 6)
    assert many == few


def test_the_subsidy_list_offers_to_take_an_application(
    township_officer: Any, civil_affairs: Any
) -> None:
    assert f'href="{APPLY}"' in text_of(english(township_officer).get(reverse("benefits:list")))
    # A role that does not take applications is not offered it.
    assert f'href="{APPLY}"' not in text_of(english(civil_affairs).get(reverse("benefits:list")))


def _without_tokens(page: str) -> str:
    """The page without what differs from one request to the next: the CSRF token, and the
    address asked for (the display settings' form returns to it)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return re.sub(r"person=\d+", "person=", page)
