"""The certificate worklist shows each user what they can act on: objections only to whoever
may decide them, the renewals due within the county's window (named in days) apart from the
certificates already expired, which are paginated and sorted as asked."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from canlian.certificates import dated, selectors, services
from canlian.certificates.tests.test_dated_parameters import override  # noqa: F401
from canlian.conftest import client_for
from canlian.lib import idcard

D = datetime.date
pytestmark = pytest.mark.django_db
URL = reverse("certificates:worklist")


@pytest.fixture
def objected(in_publicity: Any, county_clerk: Any) -> Any:
    application = in_publicity()  # in 410825001, the township officer's township
    services.file_objection(
        application=application,
        filed_on=D(2025, 10, 10),
        recorded_on=D(2025, 10, 10),
        grounds="不服评定等级",
        acting_user=county_clerk,
    )
    return application


def test_a_township_officer_sees_no_objection_section(
    objected: Any, township_officer: Any, city_staff: Any
) -> None:
    text = client_for(township_officer).get(URL).content.decode()
    assert 'id="list-objections"' not in text
    assert "objections" not in {w.key for w in selectors.worklists(township_officer, D.today())}
    # Whoever decides objections still has them.
    text = client_for(city_staff).get(URL).content.decode()
    assert 'id="list-objections"' in text and objected.name in text


def test_the_heading_names_the_countys_renewal_window(
    override: Any,  # noqa: F811
    make_person: Any,
    township_officer: Any,
) -> None:
    override(dated.RENEWAL_WINDOW_DAYS, "410825", 60)
    today = timezone.localdate()
    due = make_person(name="钱将到期", certificate_expires_on=today + datetime.timedelta(days=60))
    later = make_person(name="孙未到期", certificate_expires_on=today + datetime.timedelta(days=61))
    lapsed = make_person(name="李已过期", certificate_expires_on=today - datetime.timedelta(days=1))
    text = client_for(township_officer).get(URL).content.decode()
    heading = text[text.index('id="list-due"') : text.index('id="list-expired"')]
    assert "60" in heading and "90" not in heading
    assert due.name in heading and later.name not in text and lapsed.name not in heading
    assert lapsed.name in text[text.index('id="list-expired"') :]
    assert selectors.renewal_window(township_officer, today) == 60


def test_a_city_of_counties_with_different_windows_names_no_single_number(
    override: Any,  # noqa: F811
    city_staff: Any,
    county_clerk: Any,
    other_county_clerk: Any,
) -> None:
    override(dated.RENEWAL_WINDOW_DAYS, "410825", 60)
    today = timezone.localdate()
    assert selectors.renewal_window(city_staff, today) is None
    assert selectors.renewal_window(county_clerk, today) == 60
    assert selectors.renewal_window(other_county_clerk, today) == 90  # the default
    text = client_for(city_staff).get(URL).content.decode()
    heading = text[text.index('id="list-due"') : text.index('id="list-expired"')]
    assert "60" not in heading and "90" not in heading


@override_settings(PAGE_SIZE=2)
def test_the_expired_list_is_paginated_and_sorted(make_person: Any, county_clerk: Any) -> None:
    today = timezone.localdate()
    names = ["甲", "乙", "丙"]
    for days, name in zip((10, 400, 2000), names, strict=True):
        make_person(name=f"王{name}", certificate_expires_on=today - datetime.timedelta(days=days))
    client = client_for(county_clerk)

    def expired_part(query: str) -> str:
        text = client.get(f"{URL}?{query}").content.decode()
        return text[text.index('id="list-expired"') :]

    first = expired_part("")  # the most recently expired first
    assert "王甲" in first and "王乙" in first and "王丙" not in first
    assert "page=2" in first and "order=recent" in first
    second = expired_part("order=recent&page=2")
    assert "王丙" in second and "王甲" not in second
    oldest = expired_part("order=oldest")
    assert "王丙" in oldest and "王乙" in oldest and "王甲" not in oldest
    # An unknown order falls back to the default rather than failing.
    assert "王甲" in expired_part("order=password")


def test_a_booked_assessment_past_its_day_is_marked_overdue_alike_on_both_pages(
    apply_first: Any, institution: Any, county_clerk: Any
) -> None:
    # The worklist counts a booking past its day as overdue: its row prints that day with the
    # mark, and the home page has the same group with the same count and mark.
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    late, on_time = (
        apply_first(
            name=name,
            id_number=idcard.build(region_code="410825", birth_date=D(1980, 4, 2), sequence=seq),
        )
        for name, seq in (("迟到", 701), ("准时", 703))
    )
    for application, day in ((late, yesterday), (on_time, today)):
        services.book_assessment(
            application=application,
            institution=institution,
            booked_for=day,
            at_home=False,
            acting_user=county_clerk,
        )
    listed = {w.key: w for w in selectors.worklists(county_clerk, today)}["to_assess"]
    assert (listed.total, listed.overdue) == (2, 1)
    group = {g.key: g for g in selectors.todo_groups(county_clerk, today)}["to_assess"]
    assert (group.total, group.overdue) == (2, 1)
    assert [(i.label, i.due, i.overdue) for i in group.items] == [
        ("迟到", yesterday, True),
        ("准时", today, False),
    ]
    text = client_for(county_clerk).get(URL).content.decode()
    section = text.split('id="list-to_assess"')[1].split("<h2")[0]
    assert f"{yesterday:%Y-%m-%d}" in section and f"{today:%Y-%m-%d}" in section
    assert section.count("cl-overdue") == 1
