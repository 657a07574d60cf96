"""The days a figure may be counted on or over, on every way in: the dashboard, a figure's
page, a drill-down and the command line. A day before 1900, a day more than ten years
ahead or a period longer than ten years is named as the problem, and nothing is counted."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from canlian.conftest import client_for
from canlian.stats import catalogue
from canlian.stats.catalogue import Query
from canlian.stats.tests.test_views import links, text

pytestmark = pytest.mark.django_db

EARLY = "0050-01-01"
FAR = "9999-12-31"


def test_the_dashboard_names_a_day_out_of_range_and_counts_today(
    make_person: Any, city_staff: Any
) -> None:
    make_person()
    client = client_for(city_staff)
    for day, words in ((EARLY, "日期不能早于1900-01-01"), (FAR, "日期不能晚于")):
        page = client.get(reverse("stats:dashboard"), {"as_of": day})
        assert page.status_code == 200
        assert "govuk-error-summary" in page.content.decode() and words in text(page)
        # Today's figures instead: the person is counted.
        assert timezone.localdate().isoformat() in text(page)
        assert any(n == "1" for _h, n in links(page, "persons.certified"))


@pytest.mark.parametrize("day", [EARLY, FAR])
def test_a_figure_by_age_is_not_counted_on_a_day_out_of_range(day: str, city_staff: Any) -> None:
    client = client_for(city_staff)
    url = reverse("stats:figure", args=["persons.certified"])
    page = client.get(url, {"as_of": day, "by": ["age_band"]})
    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()
    assert 'id="result"' not in page.content.decode()
    records = client.get(reverse("stats:records", args=["persons.certified"]), {"as_of": day})
    assert records.status_code == 400 and "日期不能" in text(records)


def test_a_period_longer_than_ten_years_is_refused_on_the_page(city_staff: Any) -> None:
    page = client_for(city_staff).get(
        reverse("stats:figure", args=["subsidies.persons_paid"]),
        {"start": "1990-01-01", "end": "2025-12-31"},
    )
    assert "统计期间不能超过10年" in text(page)
    assert 'id="result"' not in page.content.decode()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("persons", "--as-of", EARLY), "日期不能早于1900-01-01"),
        (("persons", "--as-of", FAR), "日期不能晚于"),
        (("figure", "subsidies.eligible", "--from", "0001-01-01", "--to", FAR), "不能超过10年"),
        (("figure", "certificates.issued_first", "--from", "1800-01-01", "--to", "1801-01-01"),
         "日期不能早于1900-01-01"),
    ],
)  # fmt: skip
def test_the_command_line_names_the_day_or_period(
    args: tuple[str, ...], words: str, city_staff: Any, capsys: Any
) -> None:
    with pytest.raises(SystemExit) as stopped:
        call_command("stats", *args)
    assert stopped.value.code == 2
    assert words in capsys.readouterr().err


def test_the_limits_are_the_catalogues_on_every_query() -> None:
    """Ten years ahead is still a day to count on (who will hold a certificate); the day
    after is not; ten years less a day is a period, ten years is not."""
    today = timezone.localdate()
    ahead = catalogue.years_later(today, 10)
    figure = catalogue.figure("persons.certified")
    catalogue.check_query(figure, Query(region="4108", as_of=ahead))
    with pytest.raises(catalogue.ValidationError):
        catalogue.check_query(figure, Query(region="4108", as_of=ahead + datetime.timedelta(1)))
    paid = catalogue.figure("subsidies.persons_paid")
    start = datetime.date(2015, 1, 1)
    longest = Query(region="4108", start=start, end=datetime.date(2024, 12, 31))
    catalogue.check_query(paid, longest)
    with pytest.raises(catalogue.ValidationError):
        catalogue.check_query(paid, dataclasses.replace(longest, end=datetime.date(2025, 1, 1)))
