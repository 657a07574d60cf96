"""Searches by a full number are recorded and limited per person and hour."""

from __future__ import annotations

import pytest

from canlian.audit.models import Entry
from canlian.conftest import client_for, opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(make_person):
    return make_person(name="王建国")


@pytest.mark.parametrize("page", ["/people/", "/subsidies/", "/certificates/applications/"])
def test_searches_by_number_are_recorded_masked_and_refused_past_the_hourly_limit(
    person, county_clerk, settings, page
):
    settings.NUMBER_SEARCHES_PER_HOUR = 3
    client = client_for(county_clerk)
    number = opened(person)
    for _ in range(3):
        assert client.get(page, {"q": number}).status_code == 200
    refused = client.get(page, {"q": number})
    assert refused.status_code == 403
    assert "最近一小时" in refused.content.decode()
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
    assert client_for(county_clerk).get("/people/", {"q": opened(person)}).status_code == 403
    assert client_for(city_staff).get("/people/", {"q": opened(person)}).status_code == 200
