"""The statistics pages: in scope, every number a link whose list counts the same."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from canlian.conftest import client_for
from canlian.people.models import Person

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2025, 6, 30)
PERSON_LINK = re.compile(r'href="/people/\d+/"')


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def links(response: Any, figure: str) -> list[tuple[str, str]]:
    """(href, number) of every link to the records of `figure` on the page."""
    html = response.content.decode().replace("&amp;", "&")
    records = f"/stats/figures/{re.escape(figure)}/records/"
    pattern = rf'<a class="govuk-link" href="({records}\?[^"]+)">([\d,]+)</a>'
    return re.findall(pattern, html)


@pytest.fixture
def persons(make_person: Any) -> list[Person]:
    made = [make_person(certificate_issued_on=D(2019, 3, 1), grade=g) for g in (1, 2, 2)]
    made.append(make_person(certificate_issued_on=D(2019, 3, 1), place_code="410883001001"))
    return made


def test_every_number_leads_to_as_many_records(persons: list[Person], city_staff: Any) -> None:
    client = client_for(city_staff)
    url = reverse("stats:figure", args=["persons.certified"])
    page = client.get(url, {"as_of": DAY.isoformat(), "by": ["county", "grade"]})
    found = links(page, "persons.certified")
    assert len(found) >= 6  # cells, row totals, column totals and the total
    for href, number in found:
        listed = client.get(href)
        heading = re.search(r'id="results-heading">([^<]+)<', listed.content.decode())
        assert heading is not None
        assert number.replace(",", "") in heading.group(1).replace(",", ""), (href, number)
        assert len(PERSON_LINK.findall(listed.content.decode())) == int(number.replace(",", ""))


def test_a_county_clerk_sees_and_lists_only_their_county(
    persons: list[Person], county_clerk: Any
) -> None:
    client = client_for(county_clerk)
    page = client.get(reverse("stats:figure", args=["persons.certified"]),
                      {"as_of": DAY.isoformat(), "by": ["county"]})  # fmt: skip
    assert "孟州" not in text(page)
    total = [n for h, n in links(page, "persons.certified") if "county=" not in h]
    assert total == ["3"]
    # A cell of another county asked for directly lists nobody.
    other = client.get(
        reverse("stats:records", args=["persons.certified"]),
        {"as_of": DAY.isoformat(), "county": "410883"},
    )
    assert not PERSON_LINK.findall(other.content.decode())


def test_a_bad_date_is_named_and_nothing_is_counted(city_staff: Any) -> None:
    page = client_for(city_staff).get(
        reverse("stats:figure", args=["persons.certified"]), {"as_of": "2025-02-30"}
    )
    assert "govuk-error-summary" in page.content.decode()
    assert 'id="result"' not in page.content.decode()


def test_the_dashboard_shows_the_city_by_county(persons: list[Person], city_staff: Any) -> None:
    page = client_for(city_staff).get(reverse("stats:dashboard"), {"as_of": DAY.isoformat()})
    body = text(page)
    assert "温县" in body and "孟州市" in body
    county_links = [n for h, n in links(page, "persons.certified") if "county=410825" in h]
    assert county_links == ["3"]


def test_a_role_without_the_registry_has_no_figures(system_admin: Any) -> None:
    response = client_for(system_admin).get(reverse("stats:dashboard"))
    assert response.status_code == 403
    assert "温县" not in text(response)


def test_the_dashboards_tables_have_distinct_ids_and_names(
    persons: list[Person], city_staff: Any
) -> None:
    html = client_for(city_staff).get(reverse("stats:dashboard")).content.decode()
    ids = re.findall(r'id="([^"]*)"', html)
    assert "" not in ids and len(ids) == len(set(ids))
    captions = re.findall(r"<caption[^>]*>([^<]+)</caption>", html)
    assert len(captions) >= 5 and len(captions) == len(set(captions))
