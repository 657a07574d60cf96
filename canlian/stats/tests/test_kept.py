"""Figures' results kept until what they count changes (stats.kept): a kept result is read
without counting again, every kind of write to a table a figure reads makes the next request
count again, a result that changed while it was counted is not kept, and each figure reads no
table it does not name."""

from __future__ import annotations

import dataclasses
import datetime
import re
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from canlian.benefits import snapshots
from canlian.benefits.eligibility import Month
from canlian.people import versions
from canlian.people.models import LifeStatus, Person, Version
from canlian.stats import catalogue, kept
from canlian.stats.catalogue import AS_OF, Query
from canlian.stats.models import Change, Kept

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2025, 6, 30)
PERIOD = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}
TABLES = {model._meta.db_table for model in apps.get_models()}


def query(figure: catalogue.Figure, **values: Any) -> Query:
    when = {"as_of": DAY} if figure.timing == AS_OF else PERIOD
    return Query(**{"region": "4108", **when, **values})


def certified(region: str = "4108") -> int:
    figure = catalogue.figure("persons.certified")
    total = catalogue.compute(figure, Query(region=region, as_of=DAY)).total
    assert isinstance(total, int)
    return total


def read(sql: list[str]) -> set[str]:
    """The tables named in `sql`."""
    return {name for text in sql for name in re.findall(r'"(\w+)"', text) if name in TABLES}


def counting(call: Any) -> tuple[Any, set[str]]:
    with CaptureQueriesContext(connection) as captured:
        value = call()
    return value, read([q["sql"] for q in captured])


@pytest.fixture
def persons(make_person: Any) -> list[Person]:
    return [make_person(certificate_issued_on=D(2019, 3, 1), grade=g) for g in (1, 2, 3)]


def test_every_figure_reads_only_the_tables_it_names(persons: list[Person], settings: Any) -> None:
    """Were a figure to read a table it does not name, a change to that table would leave its
    kept result wrong: so every figure's rows, each breakdown, a township, with months kept
    and months decided when asked, read only its sources."""
    settings.STATS_KEEP = False
    snapshots.take(Month(2025, 6))
    extra: dict[str, set[str]] = {}
    unnamed = []
    for figure in catalogue.figures():
        if figure.is_ratio:
            continue  # computed from its two counts, each kept on its own
        if not figure.sources:
            unnamed.append(figure.id)
            continue
        queries = [query(figure), query(figure, region="410825001")]
        queries += [query(figure, by=(d,)) for d in figure.dimensions]
        if figure.timing != AS_OF:  # every month of the period kept
            queries.append(query(figure, start=D(2025, 6, 1), end=D(2025, 6, 30)))
        for asked in queries:
            named = set(kept.tables(figure.sources_of(asked)))
            assert named <= set(kept.tables(figure.sources))
            _, tables = counting(lambda asked=asked, figure=figure: figure.rows(asked))
            assert tables, figure.id  # the check sees what is read
            if tables - named:
                extra.setdefault(figure.id, set()).update(tables - named)
    assert unnamed == []
    assert extra == {}


def test_every_source_is_counted() -> None:
    sources = {t for f in catalogue.figures() for t in kept.tables(f.sources)}
    assert "people_version" in sources
    assert sources <= kept.installed()


def test_a_kept_result_is_read_without_counting_again(persons: list[Person]) -> None:
    first, tables = counting(certified)
    assert first == 3 and "people_version" in tables
    second, tables = counting(certified)
    assert second == 3
    assert "people_version" not in tables and "stats_kept" in tables
    assert Kept.objects.filter(figure="persons.certified").count() == 1


def test_each_kind_of_write_is_counted(persons: list[Person], make_person: Any) -> None:
    """The ORM, a bulk update, raw SQL and a delete: after each, the figure counts again and
    says what is true now."""
    assert certified() == 3
    make_person(certificate_issued_on=D(2020, 1, 1))
    assert certified() == 4
    Version.objects.filter(person=persons[0]).update(cert_from=D(2025, 7, 1))
    assert certified() == 3
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_version SET cert_to = %s WHERE person_id = %s",
                       [D(2025, 6, 29), persons[1].pk])  # fmt: skip
    assert certified() == 2
    Version.objects.filter(person=persons[2]).delete()
    assert certified() == 1


def test_a_write_in_the_same_transaction_after_a_figure_is_counted(persons: list[Person]) -> None:
    """A transaction that reads a figure, then writes again, then reads it again sees its
    second write (the once-per-transaction mark is cleared by reading)."""
    with transaction.atomic():
        Person.objects.filter(pk=persons[0].pk).update(
            life_status=LifeStatus.DECEASED, life_status_date=D(2025, 1, 1)
        )
        versions.sync([persons[0].pk], D(2025, 1, 2))
        assert certified() == 2
        Person.objects.filter(pk=persons[1].pk).update(
            life_status=LifeStatus.DECEASED, life_status_date=D(2025, 1, 1)
        )
        versions.sync([persons[1].pk], D(2025, 1, 2))
        assert certified() == 1


def test_other_tables_keep_the_result_and_a_figure_reading_them_counts_again(
    persons: list[Person],
) -> None:
    """A phone number is not in the dated facts: changing it keeps the certified count
    (read without counting) while the count of persons without a phone counts again."""
    phone = catalogue.figure("quality.missing_phone")
    missing = catalogue.compute(phone, query(phone)).total
    certified()
    Person.objects.filter(pk=persons[0].pk).update(phone_masked="")
    count, tables = counting(certified)
    assert count == 3 and "people_version" not in tables
    assert catalogue.compute(phone, query(phone)).total == (missing or 0) + (
        1 if persons[0].phone_masked else 0
    )


def test_a_result_that_changed_while_counted_is_not_kept(persons: list[Person]) -> None:
    figure = catalogue.figure("persons.certified")
    counted = figure.rows

    def racing(asked: Query) -> Any:
        rows = counted(asked)
        # Another clerk's change committed while this request counted.
        Version.objects.filter(person=persons[0]).update(cert_from=D(2025, 7, 1))
        return rows

    racy = dataclasses.replace(figure, rows=racing)
    assert kept.rows(racy, Query(region="4108", as_of=DAY)) == [{"persons": 3}]
    assert not Kept.objects.filter(figure=figure.id).exists()
    assert certified() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_folding_the_changes_keeps_every_generation(
    flushable_db: None, persons: list[Person]
) -> None:
    """Folding (outside any transaction of the caller's) moves the waiting changes into the
    counts and leaves every generation as it was."""
    sources = ["people_statusperiod", "people_version"]
    certified()
    before, _ = kept.generation(sources)
    kept.fold(sources)
    assert kept.generation(sources)[0] == before
    assert not Change.objects.filter(source__in=sources).exists()
    assert certified() == 3  # still read as kept
    Version.objects.filter(person=persons[0]).delete()
    assert kept.generation(sources)[0] != before
    assert certified() == 2


def test_rows_are_kept_with_their_types() -> None:
    rows = [
        {"county": "410825", "category": 4, "value": Decimal("12.50"), "x": None, "d": DAY},
    ]
    assert kept.decode(kept.encode(rows)) == rows
    assert isinstance(kept.decode(kept.encode(rows))[0]["value"], Decimal)


def test_a_township_and_the_city_are_kept_apart(persons: list[Person], make_person: Any) -> None:
    make_person(certificate_issued_on=D(2019, 3, 1), place_code="410883001001")
    assert certified() == 4
    assert certified("410883") == 1
    assert certified("410825") == 3


def test_results_kept_before_today_are_let_go(persons: list[Person]) -> None:
    """Today's date is in every key: what was kept yesterday is never read again, and goes
    when the next result is kept."""
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Kept.objects.create(
        key="x" * 64, figure="persons.certified", generation="", rows="[]",
        computed_at=yesterday, seconds=0,
    )  # fmt: skip
    certified()
    assert list(Kept.objects.values_list("figure", flat=True)) == ["persons.certified"]
    assert not Kept.objects.filter(key="x" * 64).exists()


def test_months_all_kept_are_not_counted_again_for_a_registry_change(
    persons: list[Person],
) -> None:
    eligible = catalogue.figure("subsidies.eligible")
    june = Query(region="4108", start=D(2025, 6, 1), end=D(2025, 6, 30))
    year = Query(region="4108", **PERIOD)
    snapshots.take(Month(2025, 6))
    catalogue.compute(eligible, june)
    catalogue.compute(eligible, year)
    Person.objects.filter(pk=persons[0].pk).update(phone_masked="")
    _, tables = counting(lambda: catalogue.compute(eligible, june))
    assert "benefits_eligiblemonth" not in tables  # kept: only the snapshots are its sources
    _, tables = counting(lambda: catalogue.compute(eligible, year))
    assert "people_person" in tables  # months decided when asked read the registry


def test_the_dashboards_one_reading_gives_each_breakdown_as_counted_alone(
    persons: list[Person], make_person: Any
) -> None:
    make_person(certificate_issued_on=D(2019, 3, 1), place_code="410883001001", grade=1)
    make_person(certificate_issued_on=D(2019, 3, 1), category=1, grade=4)
    figure = catalogue.figure("persons.certified")
    dimensions = ["county", "category", "grade", "age_band", "sex"]
    with CaptureQueriesContext(connection) as captured:
        found = catalogue.marginals(figure, Query(region="4108", as_of=DAY), dimensions)
    readings = [q for q in captured if '"people_version"' in q["sql"]]
    # PostgreSQL: one reading for the five (GROUPING SETS); SQLite: one per breakdown.
    assert len(readings) == (1 if connection.vendor == "postgresql" else len(dimensions))
    for dimension in dimensions:
        alone = catalogue.compute(figure, Query(region="4108", as_of=DAY, by=(dimension,)))
        assert found[dimension].rows == alone.rows, dimension
        assert found[dimension].total == alone.total == 5
    assert {row["grade"]: row["persons"] for row in found["grade"].rows} == {1: 2, 2: 1, 3: 1, 4: 1}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committed_by_another_session_is_counted(
    flushable_db: None, make_person: Any
) -> None:
    """Another clerk's session (its own connection, committed) changes a source: the next
    request counts again."""
    person = make_person(certificate_issued_on=D(2019, 3, 1))
    assert certified() == 1
    assert certified() == 1  # kept

    def other_session() -> None:
        try:
            Version.objects.filter(person=person).update(cert_from=D(2025, 7, 1))
        finally:
            connection.close()

    worker = threading.Thread(target=other_session)
    worker.start()
    worker.join()
    assert Version.objects.get(person=person).cert_from == D(2025, 7, 1)
    assert certified() == 0


def test_every_part_of_the_query_is_in_the_key() -> None:
    figure = catalogue.figure("persons.certified")
    base = Query(region="4108", as_of=DAY, start=None, end=None, by=(), cell={})
    changed = {
        "region": "410825",
        "as_of": D(2025, 7, 1),
        "start": D(2025, 1, 1),
        "end": D(2025, 12, 31),
        "by": ("grade",),
        "cell": {"grade": 1},
    }
    assert set(changed) == {f.name for f in dataclasses.fields(Query)}
    keys = {kept.digest(figure, dataclasses.replace(base, **{k: v})) for k, v in changed.items()}
    assert len(keys | {kept.digest(figure, base)}) == len(changed) + 1
    other = catalogue.figure("persons.dibao")
    assert kept.digest(other, base) != kept.digest(figure, base)
