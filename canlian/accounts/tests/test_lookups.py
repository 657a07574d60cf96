"""Searches by a full number are recorded and limited per person and hour."""

from __future__ import annotations

import pytest

from canlian.audit.models import Entry
from canlian.conftest import client_for, opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(make_person):
    return make_person(name="王建国")


# Every list answers with its page, no one listed, and the reason on its search field.
@pytest.mark.parametrize(
    "page", ["/people/", "/subsidies/", "/subsidies/enrolments/", "/certificates/applications/"]
)
def test_searches_by_number_are_recorded_masked_and_refused_past_the_hourly_limit(
    person, county_clerk, settings, page
):
    settings.NUMBER_SEARCHES_PER_HOUR = 3
    client = client_for(county_clerk)
    number = opened(person)
    for _ in range(3):
        assert client.get(page, {"q": number}).status_code == 200
    refused = client.get(page, {"q": number})
    assert refused.status_code == 200  # the page, not a refusal
    assert "最近一小时" in refused.context["form"].errors["q"][0]
    assert "最近一小时" in refused.content.decode()
    assert person.name not in refused.content.decode()
    entries = Entry.objects.filter(action="search.by_number", actor=county_clerk)
    assert entries.count() == 4
    assert {e.detail["number"] for e in entries} == {person.id_number_masked}
    assert not any(number in str(e.detail) for e in entries)


def test_searches_by_name_are_neither_recorded_nor_limited(person, county_clerk, settings):
    settings.NUMBER_SEARCHES_PER_HOUR = 1
    client = client_for(county_clerk)
    for _ in range(3):
        assert "王建国" in client.get("/people/", {"q": "王"}).content.decode()
    assert not Entry.objects.filter(action="search.by_number").exists()


def test_each_person_has_their_own_limit(person, county_clerk, city_staff, settings):
    settings.NUMBER_SEARCHES_PER_HOUR = 1
    client_for(county_clerk).get("/people/", {"q": opened(person)})
    refused = client_for(county_clerk).get("/people/", {"q": opened(person)}).content.decode()
    assert "最近一小时" in refused and "王建国" not in refused
    other = client_for(city_staff).get("/people/", {"q": opened(person)})
    assert "王建国" in other.content.decode()


def test_numbers_typed_on_the_new_person_form_count_as_look_ups(person, township_officer, settings):
    """The form's "already on the registry" tells whether a typed number is someone's: each
    typed number is recorded and counts against the same hourly limit."""
    settings.NUMBER_SEARCHES_PER_HOUR = 2
    client = client_for(township_officer)
    form = {"id_number": opened(person), "name": "试探", "ethnicity": "01",
            "place_code": "410825001001", "category": 4, "grade": 2,
            "certificate_issued_on": "2019-03-01", "life_status": "active"}  # fmt: skip
    for _ in range(2):
        assert "已登记在册" in client.post("/people/new/", form).content.decode()
    refused = client.post("/people/new/", form).content.decode()
    assert "最近一小时" in refused and "已登记在册" not in refused
    assert Entry.objects.filter(action="search.by_number", actor=township_officer).count() == 3
