"""The statuses held today, kept on the person by the database (people/held.py): always what
the periods say, whatever wrote them, and brought to a new day at its first request."""

from __future__ import annotations

import datetime
import random
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from canlian.people import held
from canlian.people import services as people
from canlian.people.models import Person, StatusDay, StatusKind, StatusPeriod

pytestmark = pytest.mark.django_db

DIBAO, TEKUN = StatusKind.DIBAO.value, StatusKind.TEKUN.value


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def by_periods(kind: str, day: datetime.date) -> set[int]:
    """Who holds `kind` on `day`, read from the periods: the definition."""
    found = StatusPeriod.objects.filter(kind=kind, start__lte=day).exclude(end__lt=day)
    return set(found.values_list("person_id", flat=True))


def by_columns(kind: str) -> set[int]:
    return set(Person.objects.filter(**{held.column(kind): True}).values_list("pk", flat=True))


def agree(day: datetime.date | None = None) -> None:
    day = day or StatusDay.objects.get().day
    for kind in held.KINDS:
        assert by_columns(kind) == by_periods(kind, day), kind


def test_the_migration_set_a_day_that_today_reaches() -> None:
    assert StatusDay.objects.get().day <= timezone.localdate()
    assert held.current(timezone.localdate())
    assert StatusDay.objects.get().day == timezone.localdate()


def test_every_way_of_writing_the_periods_is_followed(make_person: Any, county_clerk: Any) -> None:
    a, b, c = make_person(), make_person(), make_person()
    # The service (a form).
    people.add_status_period(person=a, kind=DIBAO, start=days(-30), end=None,
                             acting_user=county_clerk)  # fmt: skip
    assert by_columns(DIBAO) == {a.pk}
    # Ended yesterday: no longer held today.
    period = a.status_periods.get()
    people.end_status_period(period=period, end=days(-1), acting_user=county_clerk)
    assert by_columns(DIBAO) == set()
    # A bulk insert, a queryset update, a delete.
    StatusPeriod.objects.bulk_create(
        [StatusPeriod(person=p, kind=TEKUN, start=days(-3)) for p in (a, b, c)]
    )
    assert by_columns(TEKUN) == {a.pk, b.pk, c.pk}
    StatusPeriod.objects.filter(person=b, kind=TEKUN).update(start=days(2))
    assert by_columns(TEKUN) == {a.pk, c.pk}
    StatusPeriod.objects.filter(person=c).delete()
    assert by_columns(TEKUN) == {a.pk}
    # Moved to another person by an update: both persons recomputed.
    StatusPeriod.objects.filter(person=a, kind=TEKUN).update(person=b)
    assert by_columns(TEKUN) == {b.pk}
    # Raw SQL, as a restore or a script would write.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_statusperiod (person_id, kind, start) VALUES (%s, %s, %s)",
            [c.pk, DIBAO, days(0)],
        )
    assert by_columns(DIBAO) == {c.pk}
    agree()
    # The person deleted with their periods.
    c.delete()
    agree()


def test_emptying_the_periods_clears_every_column(make_person: Any) -> None:
    a = make_person()
    StatusPeriod.objects.create(person=a, kind=DIBAO, start=days(-5))
    StatusPeriod.objects.create(person=a, kind=TEKUN, start=days(-5))
    assert by_columns(DIBAO) == by_columns(TEKUN) == {a.pk}
    emptied = (
        "TRUNCATE people_statusperiod"
        if connection.vendor == "postgresql"
        else ("DELETE FROM people_statusperiod")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's transaction holds the inserts' deferred key checks: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(emptied)
    assert all(not by_columns(kind) for kind in held.KINDS)


def test_a_new_day_brings_the_columns_to_it(make_person: Any) -> None:
    a, b, c = make_person(), make_person(), make_person()
    StatusDay.objects.update(day=days(-10))
    StatusPeriod.objects.create(person=a, kind=DIBAO, start=days(-5))  # begun since
    StatusPeriod.objects.create(person=b, kind=DIBAO, start=days(-20), end=days(-3))  # ended
    StatusPeriod.objects.create(person=c, kind=DIBAO, start=days(-20))  # held throughout
    assert by_columns(DIBAO) == {b.pk, c.pk}  # as they were ten days ago
    found = set(Person.objects.with_status(DIBAO, days(0)).values_list("pk", flat=True))
    assert found == {a.pk, c.pk} == by_periods(DIBAO, days(0))
    assert StatusDay.objects.get().day == days(0)
    agree()


def test_another_day_or_no_day_reads_the_periods(make_person: Any) -> None:
    a = make_person()
    StatusPeriod.objects.create(person=a, kind=DIBAO, start=days(-20), end=days(-3))
    with CaptureQueriesContext(connection) as today:
        assert not Person.objects.with_status(DIBAO, days(0)).exists()
    assert "people_statusperiod" not in today.captured_queries[-1]["sql"]
    with CaptureQueriesContext(connection) as earlier:
        assert Person.objects.with_status(DIBAO, days(-5)).get() == a
    assert "people_statusperiod" in earlier.captured_queries[-1]["sql"]
    # Emptied (a test's flush): never the columns, always right.
    StatusDay.objects.all().delete()
    StatusPeriod.objects.create(person=a, kind=TEKUN, start=days(-1))
    with CaptureQueriesContext(connection) as emptied:
        assert Person.objects.with_status(TEKUN, days(0)).get() == a
    assert "people_statusperiod" in emptied.captured_queries[-1]["sql"]


def test_the_registry_lists_filter_reads_the_columns(make_person: Any, city_staff: Any) -> None:
    from canlian.conftest import client_for

    holders = [make_person() for _ in range(3)]
    make_person()
    for person in holders:
        StatusPeriod.objects.create(person=person, kind=DIBAO, start=days(-40))
    client = client_for(city_staff)
    client.get("/people/", {"status": DIBAO})
    with CaptureQueriesContext(connection) as read:
        page = client.get("/people/", {"status": DIBAO})
    sql = " ".join(q["sql"] for q in read.captured_queries)
    assert "held_dibao" in sql and "people_statusperiod" not in sql
    heading = re.search(r'id="results-heading"[^>]*>([^<]+)<', page.content.decode())
    assert heading is not None and re.search(r"(?<!\d)3(?!\d)", heading[1]), heading


def test_random_histories_keep_the_columns_right(make_person: Any) -> None:
    """Periods written, changed and removed in random order, the day moved forward now and
    then: the columns always say what the periods say of their day."""
    rng = random.Random(11)
    persons = [make_person() for _ in range(6)]
    StatusDay.objects.update(day=days(-40))
    for _step in range(60):
        action = rng.random()
        periods = list(StatusPeriod.objects.all())
        if action < 0.45 or not periods:
            start = days(rng.randint(-60, 0))
            end = None if rng.random() < 0.4 else start + datetime.timedelta(rng.randint(0, 30))
            StatusPeriod.objects.create(person=rng.choice(persons), kind=rng.choice(held.KINDS),
                                        start=start, end=end)  # fmt: skip
        elif action < 0.7:
            period = rng.choice(periods)
            period.end = period.start + datetime.timedelta(rng.randint(0, 20))
            period.save(update_fields=["end"])
        elif action < 0.85:
            rng.choice(periods).delete()
        else:
            day = StatusDay.objects.get().day
            moved = min(day + datetime.timedelta(rng.randint(1, 10)), days(0))
            held._move(day, moved)
        agree()
    assert held.current(days(0))
    agree(days(0))


def test_saving_a_person_read_earlier_keeps_what_the_database_set(
    make_person: Any, county_clerk: Any
) -> None:
    """A person loaded, then given a status, then saved from the copy loaded first (an edit
    form's): the columns stay as the periods say."""
    person = make_person()
    stale = Person.objects.get(pk=person.pk)
    StatusPeriod.objects.create(person=person, kind=DIBAO, start=days(-2))
    assert stale.held_dibao is False
    stale.name = "改名"
    stale.save()
    assert by_columns(DIBAO) == {person.pk}
    assert Person.objects.get(pk=person.pk).name == "改名"


def test_saving_follows_djangos_own_rules_otherwise(make_person: Any) -> None:
    """A deferred instance saves only what it loaded; a copy saved as new is inserted."""
    person = make_person()
    StatusPeriod.objects.create(person=person, kind=DIBAO, start=days(-2))
    partial = Person.objects.only("id", "name").get(pk=person.pk)
    partial.name = "只改姓名"
    with CaptureQueriesContext(connection) as saved:
        partial.save()
    assert len(saved.captured_queries) <= 3  # no field loaded one by one
    copy = Person.objects.get(pk=person.pk)
    copy.pk = None
    copy.id_number_index = "another-index"
    copy.save()
    assert Person.objects.filter(name="只改姓名").count() == 2
    assert by_columns(DIBAO) == {person.pk}
