"""The calendar pages: every year's source, the schedule form, its errors and confirmation.

The 2027 schedule here is invented for the tests."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from canlian.conftest import client_for
from canlian.holidays.models import Schedule
from canlian.holidays.services import DayEntry, enter_schedule
from canlian.lib import workdays

pytestmark = pytest.mark.django_db

D = datetime.date
GOOD_LINES = "2027-01-01 休 元旦\n2027-02-08 休 春节\n2027-02-20 班 春节调休\n"


def english(user) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_anyone_signed_in_sees_where_each_years_working_days_come_from(county_clerk):
    this_year = timezone.localdate().year
    response = english(county_clerk).get("/holidays/")
    assert response.status_code == 200
    html = response.content.decode()
    for year in range(2016, this_year + 2):
        assert f'href="/holidays/{year}/"' in html
    rows = text_of(html)
    assert "2025 Built-in data (chinese-calendar package)" in rows
    # A clerk reads the calendar but may not enter schedules.
    assert "/holidays/enter/" not in html


def test_a_year_without_schedule_is_flagged_in_words_not_colour_alone(county_clerk, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: D(workdays.PACKAGE_YEARS[-1], 11, 28))
    unknown = workdays.PACKAGE_YEARS.stop
    html = english(county_clerk).get("/holidays/").content.decode()
    assert f"{unknown} Weekends only: estimated" in text_of(html)
    warning = html[html.index('class="govuk-warning-text"') :]
    assert f"No official holiday schedule is known for {unknown}" in warning
    assert '<span class="govuk-visually-hidden">Warning</span>' in warning


def test_an_entered_year_shows_its_reference_and_who_entered_it(system_admin, monkeypatch):
    enter_schedule(
        year=2027,
        reference="国办发明电〔2026〕99号",
        days=[DayEntry(D(2027, 2, 8), False, "春节")],
        acting_user=system_admin,
    )
    monkeypatch.setattr(timezone, "localdate", lambda: D(2026, 11, 28))
    html = english(system_admin).get("/holidays/").content.decode()
    # who entered it by role (no full name on file), not by login
    page = text_of(html)
    assert "2027 Entered by staff 国办发明电〔2026〕99号 System administrator" in page
    assert "sysadmin," not in page
    assert "No official holiday schedule is known for 2027" not in html
    assert 'href="/holidays/enter/?year=2027">Replace' in html


def test_a_year_page_lists_the_package_days_with_their_chinese_names(county_clerk):
    html = english(county_clerk).get("/holidays/2025/").content.decode()
    rows = text_of(html)
    assert "2025-09-28 Sunday Working day (weekend worked) 国庆节调休" in rows
    assert "2025-10-08 Wednesday Official holiday 国庆节" in rows
    assert "2025-10-04" not in rows  # a Saturday holiday changes nothing
    assert english(county_clerk).get("/holidays/1999/").status_code == 404


def test_only_the_system_administrator_opens_the_schedule_form(county_clerk, system_admin):
    assert english(county_clerk).get("/holidays/enter/").status_code == 403
    assert english(county_clerk).post("/holidays/enter/", {}).status_code == 403
    assert english(system_admin).get("/holidays/enter/").status_code == 200


def test_the_old_calendar_addresses_lead_to_the_holidays_pages(county_clerk):
    response = english(county_clerk).get("/calendar/2025/?year=2025")
    assert response.status_code == 301
    assert response["Location"] == "/holidays/2025/?year=2025"


def test_the_calendar_needs_a_signed_in_user(db):
    response = Client().get("/holidays/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_form_starts_from_the_package_data_of_a_known_year(system_admin):
    html = english(system_admin).get("/holidays/enter/?year=2026").content.decode()
    assert "2026-02-14 班 春节调休\n2026-02-16 休 春节" in html


def test_a_valid_schedule_is_saved_and_counts_at_once(system_admin):
    client = english(system_admin)
    response = client.post(
        "/holidays/enter/",
        {"year": "2027", "reference": "国办发明电〔2026〕99号", "days": GOOD_LINES},
    )
    assert response.status_code == 302 and response["Location"] == "/holidays/2027/"
    assert Schedule.objects.get(year=2027).days.count() == 3
    assert not workdays.is_working_day(D(2027, 2, 8))
    page = client.get("/holidays/2027/").content.decode()
    assert "The holiday schedule for 2027 was saved." in page
    assert "2027-02-20 Saturday Working day (weekend worked) 春节调休" in text_of(page)


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_saved(system_admin):
    lines = (
        "2027-01-01 休 元旦\n"  # 1: fine
        "\n"  # 2: blank, skipped
        "2027-02-30 休 春节\n"  # 3: no such date
        "2027-02-06 休 春节\n"  # 4: a Saturday
        "2027-02-08 放 春节\n"  # 5: neither 休 nor 班
        "春节 2027-02-09\n"  # 6: unreadable
        "２０２７-０２-１９　班　春节调休\n"  # 7: full-width, read; a Friday worked
        "2027-01-01 休 元旦\n"  # 8: twice
    )
    response = english(system_admin).post(
        "/holidays/enter/",
        {"year": "2027", "reference": "国办发明电〔2026〕99号", "days": lines},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: " in html
    start = html.index('class="govuk-error-summary"')
    summary = html[start : html.index("</ul>", start)]
    links = re.findall(r'<a href="#id_days">Holidays and working weekends: Line (\d+):', summary)
    assert links == ["3", "4", "5", "6", "7", "8"]
    assert "Line 3: 2027-02-30 is not a real date." in summary
    assert "Line 8: 2027-01-01 is already on line 1." in summary
    assert 'aria-describedby="id_days-hint id_days-error"' in html
    assert 'id="id_days-error"' in html
    assert not Schedule.objects.exists()


def test_an_unreadable_line_is_explained_with_an_example_not_a_pattern(system_admin):
    response = client_for(system_admin).post(
        "/holidays/enter/",
        {"year": "2027", "reference": "国办发明电〔2026〕99号", "days": "春节 2027-02-09\n"},
    )
    html = response.content.decode()
    assert "第1行：请依次填写日期、休（放假）或 班（上班）、节日名称，以空格分隔，" in html
    assert "例如“2026-10-01 休 国庆节”。" in html and "YYYY" not in html
    assert not Schedule.objects.exists()


def test_a_missing_year_and_reference_are_reported_on_their_fields(system_admin):
    response = english(system_admin).post(
        "/holidays/enter/", {"year": "twenty", "reference": "", "days": GOOD_LINES}
    )
    summary = text_of(response.content.decode())
    assert "Year: Enter the year as four digits, for example 2027." in summary
    assert (
        "Notice reference: Enter the notice reference, for example 国办发明电〔2026〕7号."
        in summary
    )
    assert "is not in" not in summary  # the days are not blamed for the year's mistake
    response = english(system_admin).post(
        "/holidays/enter/", {"year": "1999", "reference": "x", "days": "1999-01-01 休 元旦"}
    )
    assert "Year: Enter a year from 2000 to 2100." in text_of(response.content.decode())


def test_replacing_an_entered_schedule_asks_for_confirmation_first(system_admin):
    enter_schedule(
        year=2027,
        reference="国办发明电〔2026〕99号",
        days=[DayEntry(D(2027, 2, 8), False, "春节")],
        acting_user=system_admin,
    )
    client = english(system_admin)
    data = {"year": "2027", "reference": "国办发明电〔2026〕100号", "days": GOOD_LINES}
    response = client.post("/holidays/enter/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "Replace the holiday schedule for 2027?" in html
    assert Schedule.objects.get(year=2027).reference == "国办发明电〔2026〕99号"
    token = re.search(r'name="replaces" value="([^"]+)"', html)
    assert token is not None

    back = client.post("/holidays/enter/", {**data, "replaces": token.group(1), "back": "1"})
    assert "2027-02-20 班 春节调休" in back.content.decode()
    assert Schedule.objects.get(year=2027).reference == "国办发明电〔2026〕99号"

    done = client.post("/holidays/enter/", {**data, "replaces": token.group(1)})
    assert done.status_code == 302
    schedule = Schedule.objects.get(year=2027)
    assert schedule.reference == "国办发明电〔2026〕100号" and schedule.days.count() == 3


def test_a_confirmation_for_an_older_entry_asks_again(system_admin):
    enter_schedule(
        year=2027,
        reference="国办发明电〔2026〕99号",
        days=[DayEntry(D(2027, 2, 8), False, "春节")],
        acting_user=system_admin,
    )
    data = {
        "year": "2027",
        "reference": "国办发明电〔2026〕100号",
        "days": GOOD_LINES,
        "replaces": "2026-01-01T00:00:00+00:00",
    }
    html = english(system_admin).post("/holidays/enter/", data).content.decode()
    assert "Replace the holiday schedule for 2027?" in html
    assert Schedule.objects.get(year=2027).reference == "国办发明电〔2026〕99号"
