"""Entering a year's holiday schedule: the checks, the replacement, the audit, the calendar.

The 2027 schedule here is invented for the tests (the State Council had not published it)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from canlian.audit.models import Entry
from canlian.holidays.models import Schedule, ScheduleDay
from canlian.holidays.services import DayEntry, enter_schedule
from canlian.lib import workdays

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def _2027_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the package stopped at 2026, whatever release is installed."""
    from canlian.lib import workdays as module

    monkeypatch.setattr(module, "PACKAGE_YEARS", range(module.PACKAGE_YEARS.start, 2027))


needs_2027_unknown = pytest.mark.usefixtures("_2027_unknown")

INVENTED_2027 = [
    DayEntry(D(2027, 1, 1), False, "元旦"),  # Friday
    *(DayEntry(D(2027, 2, day), False, "春节") for day in range(8, 13)),  # Monday–Friday
    DayEntry(D(2027, 2, 20), True, "春节调休"),  # Saturday
]


def enter_2027(user, days=INVENTED_2027, reference="国办发明电〔2026〕99号"):
    return enter_schedule(year=2027, reference=reference, days=days, acting_user=user)


def refusal(user, days, *, year=2027, reference="国办发明电〔2026〕99号"):
    with pytest.raises(ValidationError) as caught:
        enter_schedule(year=year, reference=reference, days=days, acting_user=user)
    return caught.value.message_dict


def test_a_schedule_is_stored_with_its_reference_and_who_entered_it(system_admin):
    schedule = enter_2027(system_admin)
    assert schedule.year == 2027 and schedule.reference == "国办发明电〔2026〕99号"
    assert schedule.entered_by == system_admin and schedule.entered_at is not None
    assert [(d.day, d.is_working_day, d.name) for d in schedule.days.all()][:2] == [
        (D(2027, 1, 1), False, "元旦"),
        (D(2027, 2, 8), False, "春节"),
    ]
    assert schedule.days.count() == 7


@needs_2027_unknown
def test_an_entered_schedule_replaces_the_weekends_estimate_at_once(system_admin):
    assert workdays.schedule_source(2027) == "weekends"
    assert workdays.is_working_day(D(2027, 2, 8))  # read and cached before the entry
    before = workdays.add_working_days(D(2026, 12, 31), 10)
    assert before.estimated_years == (2027,)

    enter_2027(system_admin)

    assert workdays.schedule_source(2027) == "entered"
    assert not workdays.is_working_day(D(2027, 2, 8))
    assert workdays.is_working_day(D(2027, 2, 20))
    after = workdays.add_working_days(D(2026, 12, 31), 10)
    # 1 January is now a holiday: 4–8, 11–15 January.
    assert after == workdays.Deadline(D(2027, 1, 15))


def test_the_calendar_is_refreshed_again_when_the_entry_commits(
    system_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enter_2027(system_admin)
    assert workdays.invalidate in callbacks


def test_a_deadline_reads_the_entered_schedules_once_not_per_day(
    system_admin, django_assert_num_queries
):
    enter_2027(system_admin)
    workdays.invalidate()
    with django_assert_num_queries(1):
        workdays.add_working_days(D(2026, 12, 1), 300)
    with django_assert_num_queries(0):
        workdays.add_working_days(D(2027, 1, 1), 300)
        workdays.count_working_days(D(2027, 1, 1), D(2027, 12, 31))


def test_entering_a_year_again_replaces_its_days_and_keeps_the_old_in_the_audit_log(
    system_admin,
):
    enter_2027(system_admin)
    corrected = [*INVENTED_2027[1:], DayEntry(D(2027, 2, 21), True, "春节调休")]
    enter_2027(system_admin, days=corrected, reference="国办发明电〔2026〕100号")
    schedule = Schedule.objects.get(year=2027)
    assert schedule.reference == "国办发明电〔2026〕100号"
    assert not ScheduleDay.objects.filter(day=D(2027, 1, 1)).exists()
    assert ScheduleDay.objects.filter(day=D(2027, 2, 21), is_working_day=True).exists()
    assert workdays.is_working_day(D(2027, 1, 1)) == (2027 not in workdays.PACKAGE_YEARS)

    entries = list(Entry.objects.filter(action__startswith="holidays.").order_by("id"))
    assert [e.action for e in entries] == [
        "holidays.schedule.enter",
        "holidays.schedule.replace",
    ]
    replaced = entries[1].detail
    assert replaced["reference"] == "国办发明电〔2026〕100号"
    assert replaced["before"]["reference"] == "国办发明电〔2026〕99号"
    assert "2027-01-01 休 元旦" in replaced["before"]["days"]
    assert "2027-02-21 班 春节调休" in replaced["days"]
    assert entries[1].actor == system_admin


def test_a_holiday_on_a_weekend_is_refused_naming_its_line(system_admin):
    errors = refusal(system_admin, [*INVENTED_2027, DayEntry(D(2027, 2, 6), False, "春节")])
    assert errors == {
        "days": [
            "Line 8: 2027-02-06 is a Saturday or Sunday, a day off anyway. List only the "
            "holidays that fall on Monday to Friday."
        ]
    }


def test_a_working_day_on_a_weekday_is_refused_naming_its_line(system_admin):
    days = [DayEntry(D(2027, 2, 19), True, "春节调休", line=4)]
    assert refusal(system_admin, days)["days"] == [
        "Line 4: 2027-02-19 is a Monday to Friday, a working day anyway. List only the "
        "Saturdays and Sundays that are worked."
    ]


def test_a_day_of_another_year_is_refused(system_admin):
    days = [DayEntry(D(2026, 12, 31), False, "元旦", line=2)]
    assert refusal(system_admin, days)["days"] == ["Line 2: 2026-12-31 is not in 2027."]


def test_a_day_listed_twice_is_refused(system_admin):
    days = [
        DayEntry(D(2027, 2, 8), False, "春节", line=3),
        DayEntry(D(2027, 2, 8), False, "春节", line=9),
    ]
    assert refusal(system_admin, days)["days"] == ["Line 9: 2027-02-08 is already on line 3."]


def test_every_problem_is_reported_at_once_in_line_order(system_admin):
    days = [
        DayEntry(D(2027, 2, 20), True, "", line=5),  # no name
        DayEntry(D(2027, 2, 6), False, "春节", line=2),  # Saturday holiday
        DayEntry(D(2027, 2, 8), False, "春" * 51, line=7),  # name too long
    ]
    errors = refusal(system_admin, days, reference="  ")
    assert errors["reference"] == ["Enter the notice reference, for example 国办发明电〔2026〕7号."]
    assert [m.split(":")[0] for m in errors["days"]] == ["Line 2", "Line 5", "Line 7"]
    assert "enter the name of the holiday" in errors["days"][1]
    assert "longer than 50 characters" in errors["days"][2]


def test_an_empty_schedule_and_an_unlikely_year_are_refused(system_admin):
    errors = refusal(system_admin, [], year=1999)
    assert errors == {
        "year": ["Enter a year from 2000 to 2100."],
        "days": ["Enter at least one holiday or working weekend."],
    }


def test_a_refused_schedule_writes_nothing_and_keeps_the_one_before(system_admin):
    enter_2027(system_admin)
    audit_entries = Entry.objects.count()
    refusal(system_admin, [DayEntry(D(2027, 2, 6), False, "春节")])
    assert Schedule.objects.get(year=2027).days.count() == 7
    assert Entry.objects.count() == audit_entries


@pytest.mark.parametrize("user_fixture", ["county_clerk", "city_staff", "audit_admin"])
def test_only_the_system_administrator_may_enter_a_schedule(request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    with pytest.raises(PermissionDenied):
        enter_2027(user)
    with pytest.raises(PermissionDenied):
        enter_2027(None)
    assert not Schedule.objects.exists()
