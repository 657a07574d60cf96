"""canlian.lib.bulk: prepared rows inserted and updated in batches, defaults filled in, the
primary key sequence and SQLite's page cache left right."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from canlian.certificates.models import SupervisionCheck
from canlian.holidays.models import Schedule
from canlian.lib import bulk
from canlian.people.models import Person, StatusPeriod

pytestmark = pytest.mark.django_db


def day(value: datetime.date) -> Any:
    """A date as the caller hands it over: adapted for the database."""
    return connection.ops.adapt_datefield_value(value)


def schedules() -> list[tuple[int, str]]:
    return list(Schedule.objects.order_by("year").values_list("year", "reference"))


# --- insert_rows ------------------------------------------------------------------------------


def test_insert_rows_fills_each_field_not_given_with_its_default() -> None:
    before = timezone.now()
    bulk.insert_rows(Schedule, ("year", "reference"), [(2031, "国办发明电〔2031〕1号")])
    schedule = Schedule.objects.get()
    assert (schedule.year, schedule.reference) == (2031, "国办发明电〔2031〕1号")
    assert schedule.entered_by is None  # nullable, no default: NULL
    assert before <= schedule.entered_at <= timezone.now()  # a callable default, called


def test_insert_rows_writes_a_none_given_as_null() -> None:
    bulk.insert_rows(Schedule, ("year", "reference", "entered_by_id"), [(2031, "a", None)])
    assert Schedule.objects.get().entered_by_id is None


def test_insert_rows_stamps_auto_now_add_fields(places: Any, county_clerk: Any) -> None:
    before = timezone.now()
    names = ("county_id", "period_start", "period_end", "sample_size", "seed", "population",
             "created_by_id")  # fmt: skip
    start, end = day(datetime.date(2020, 1, 1)), day(datetime.date(2020, 12, 31))
    bulk.insert_rows(
        SupervisionCheck, names, [("410825000000", start, end, 3, "s", 9, county_clerk.pk)]
    )
    check = SupervisionCheck.objects.get()
    assert before <= check.created_at <= timezone.now()
    assert (check.period_start, check.period_end) == (
        datetime.date(2020, 1, 1), datetime.date(2020, 12, 31),
    )  # fmt: skip


def test_a_required_field_not_given_is_refused_before_anything_is_written() -> None:
    with pytest.raises(bulk.MissingValue, match=r"holidays\.Schedule\.reference"):
        bulk.insert_rows(Schedule, ("year",), [(2031,)])
    assert not Schedule.objects.exists()


def test_inserting_no_row_writes_nothing() -> None:
    bulk.insert_rows(Schedule, ("year", "reference"), [])
    assert not Schedule.objects.exists()


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_every_row_is_inserted_across_batch_boundaries(
    count: int, make_person: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    person = make_person()
    years = [2000 + n for n in range(count)]
    rows = [
        (person.pk, "dibao", day(datetime.date(y, 1, 1)), day(datetime.date(y, 6, 30)))
        for y in years
    ]
    bulk.insert_rows(StatusPeriod, ("person_id", "kind", "start", "end"), rows)
    starts = list(person.status_periods.order_by("start").values_list("start", flat=True))
    assert starts == [datetime.date(y, 1, 1) for y in years]


def test_given_primary_keys_move_the_sequence_past_them() -> None:
    bulk.insert_rows(Schedule, ("id", "year", "reference"), [(500, 2031, "a"), (41, 2032, "b")])
    made = Schedule.objects.create(year=2033, reference="c")
    assert made.pk == 501


# --- update_rows ------------------------------------------------------------------------------


def test_update_rows_changes_the_fields_of_the_rows_named_by_key_only() -> None:
    kept = Schedule.objects.create(year=2031, reference="a")
    changed = Schedule.objects.create(year=2032, reference="b")
    missing = changed.pk + 100
    bulk.update_rows(Schedule, ("reference",), [("b2", changed.pk), ("x", missing)])
    assert schedules() == [(2031, "a"), (2032, "b2")]
    assert Schedule.objects.get(pk=kept.pk).entered_at == kept.entered_at


def test_update_rows_stamps_auto_now_fields_and_leaves_auto_now_add(make_person: Any) -> None:
    person = make_person(name="王建国")
    before = timezone.now()
    bulk.update_rows(Person, ("name",), [("王建民", person.pk)])
    updated = Person.objects.get(pk=person.pk)
    assert updated.name == "王建民"
    assert updated.updated_at >= before > person.updated_at
    assert updated.created_at == person.created_at


@pytest.mark.parametrize("count", [0, 2, 5])
def test_every_row_is_updated_across_batch_boundaries(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    made = [Schedule.objects.create(year=2031 + n, reference="old") for n in range(5)]
    bulk.update_rows(Schedule, ("reference",), [(f"new{s.year}", s.pk) for s in made[:count]])
    expected = [f"new{2031 + n}" if n < count else "old" for n in range(5)]
    assert [reference for _year, reference in schedules()] == expected


# --- lock_and_next_id and sqlite_cache ---------------------------------------------------------


def test_the_next_id_of_an_empty_table_is_one_then_one_past_the_highest() -> None:
    assert bulk.lock_and_next_id(Schedule) == 1
    bulk.insert_rows(Schedule, ("id", "year", "reference"), [(41, 2031, "a"), (7, 2032, "b")])
    assert bulk.lock_and_next_id(Schedule) == 42


def cache_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (size,) = cursor.fetchone()
    return int(size)


def test_sqlite_cache_grows_the_page_cache_and_puts_it_back_even_on_error() -> None:
    if connection.vendor != "sqlite":
        with (
            CaptureQueriesContext(connection) as queries,
            connection.cursor() as cursor,
            bulk.sqlite_cache(cursor),
        ):
            pass
        assert len(queries) == 0  # nothing to do elsewhere
        return
    previous = cache_size()
    with (
        connection.cursor() as cursor,
        pytest.raises(RuntimeError),
        bulk.sqlite_cache(cursor),
    ):
        assert cache_size() == -65536  # 64 MB
        raise RuntimeError
    assert cache_size() == previous
