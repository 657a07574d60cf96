"""Deadlines in a year without an official holiday schedule: marked estimated, and counted
again once the schedule is entered."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from canlian.audit.models import Entry
from canlian.certificates import selectors, services
from canlian.conftest import client_for
from canlian.holidays.services import DayEntry, enter_schedule
from canlian.lib import workdays

D = datetime.date
pytestmark = pytest.mark.django_db


def test_deadlines_in_a_year_without_an_official_schedule_are_marked_estimated(
    assessed: Any, county_clerk: Any, monkeypatch: Any
) -> None:
    application = assessed()
    # As if the package had no schedule for 2025 and nobody had entered one.
    monkeypatch.setattr(workdays, "PACKAGE_YEARS", range(2004, 2025))
    services.start_publicity(
        application=application,
        starts_on=D(2025, 9, 30),
        location="村委会公示栏",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    # Weekends only: 30 Sep, 1, 2, 3, 6 Oct: the National Day holiday is not known.
    assert application.publicity_ends_on == D(2025, 10, 6)
    assert application.estimated_years == [2025]


def test_entering_the_official_schedule_counts_estimated_deadlines_again(
    assessed: Any, county_clerk: Any, system_admin: Any, monkeypatch: Any
) -> None:
    application = assessed()
    monkeypatch.setattr(workdays, "PACKAGE_YEARS", range(2004, 2025))
    services.start_publicity(
        application=application,
        starts_on=D(2025, 9, 30),
        location="村委会公示栏",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    assert application.review_due == D(2025, 10, 20)  # weekends only
    enter_schedule(
        year=2025,
        reference="国办发明电〔2024〕12号",
        days=[DayEntry(day, working, name) for day, working, name in workdays.package_days(2025)],
        acting_user=system_admin,
    )
    application.refresh_from_db()
    assert application.publicity_ends_on == D(2025, 10, 13)
    assert application.review_due == D(2025, 10, 27)
    assert application.estimated_years == []
    entry = Entry.objects.get(action="certificate.deadlines")
    assert entry.detail["before"]["review_due"] == "2025-10-20"
    assert entry.detail["after"]["review_due"] == "2025-10-27"


def test_the_home_page_marks_an_estimated_last_day_as_the_step_map_does(
    assessed: Any, county_clerk: Any, monkeypatch: Any
) -> None:
    application = assessed()
    monkeypatch.setattr(workdays, "PACKAGE_YEARS", range(2004, 2025))
    workdays.invalidate()  # no schedule entered by an earlier test remembered
    services.start_publicity(
        application=application,
        starts_on=D(2025, 9, 30),
        location="村委会公示栏",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    assert application.estimated_years == [2025]
    today = D(2025, 12, 1)  # the publicity is over: the county's review is due
    group = {g.key: g for g in selectors.todo_groups(county_clerk, today)}["to_review"]
    assert [(i.due, i.estimated) for i in group.items] == [(application.review_due, True)]
    text = client_for(county_clerk).get(reverse("home")).content.decode()
    item = text.split('id="todo-to_review"')[1].split("</section>")[0]
    assert f"{application.review_due:%Y-%m-%d}" in item
    assert "（估算：该年法定节假日安排尚未录入）" in item
