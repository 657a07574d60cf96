"""The registry's dated facts: who counts on a date, whatever happened to them since."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from canlian.conftest import person_data
from canlian.lib import idcard
from canlian.people import services, versions
from canlian.people.models import LifeStatus, Person, Version

pytestmark = pytest.mark.django_db

D = datetime.date
WEN_VILLAGE = "410825001001"
WEN_TOWNSHIP_2 = "410825002000"
MENG_VILLAGE = "410883001001"


def counted(day: datetime.date) -> dict[int, tuple[str, int]]:
    """Who counts on `day`: person → (county, grade)."""
    return {v.person_id: (v.county, v.grade) for v in versions.counted_on(day)}


def write(person: Person, today: datetime.date, **values: Any) -> None:
    """A write of `person`'s record on `today`, as any writer makes it."""
    Person.objects.filter(pk=person.pk).update(**values)
    versions.sync([person.pk], today)


def test_a_new_person_counts_from_the_certificates_issue_to_its_expiry(make_person: Any) -> None:
    person = make_person(certificate_issued_on=D(2019, 3, 1))
    (version,) = Version.objects.filter(person=person)
    assert (version.valid_from, version.valid_to, version.gone_on) == (D(2019, 3, 1), None, None)
    assert (version.county, version.township, version.place) == (
        "410825",
        "410825001000",
        WEN_VILLAGE,
    )
    expires = person.certificate_expires_on
    assert person.pk not in counted(D(2019, 2, 28))
    assert counted(D(2019, 3, 1))[person.pk] == ("410825", 2)
    assert person.pk in counted(expires)
    assert person.pk not in counted(expires + datetime.timedelta(days=1))


def test_a_move_counts_in_the_old_county_until_the_day_before(make_person: Any) -> None:
    person = make_person(certificate_issued_on=D(2019, 3, 1))
    write(person, D(2024, 6, 10), place_id=MENG_VILLAGE)
    assert counted(D(2024, 6, 9))[person.pk] == ("410825", 2)
    assert counted(D(2024, 6, 10))[person.pk] == ("410883", 2)
    assert counted(D(2020, 1, 1))[person.pk] == ("410825", 2)
    old, new = Version.objects.filter(person=person).order_by("valid_from")
    assert (old.valid_to, new.valid_from, new.valid_to) == (D(2024, 6, 9), D(2024, 6, 10), None)


def test_two_writes_on_one_day_leave_one_version_for_that_day(make_person: Any) -> None:
    person = make_person(certificate_issued_on=D(2019, 3, 1))
    write(person, D(2024, 6, 10), place_id=MENG_VILLAGE)
    write(person, D(2024, 6, 10), grade=1)
    assert Version.objects.filter(person=person).count() == 2
    assert counted(D(2024, 6, 10))[person.pk] == ("410883", 1)
    assert counted(D(2024, 6, 9))[person.pk] == ("410825", 2)


def test_a_write_that_changes_no_counted_fact_adds_no_version(make_person: Any) -> None:
    person = make_person()
    write(person, D(2024, 6, 10), name="王改名", address="新地址")
    assert Version.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(
    ("status", "day"),
    [(LifeStatus.DECEASED, D(2024, 5, 1)), (LifeStatus.MOVED_OUT, D(2024, 5, 1))],
)
def test_a_death_or_move_out_recorded_late_ends_the_count_on_its_own_date(
    make_person: Any, status: str, day: datetime.date
) -> None:
    person = make_person(certificate_issued_on=D(2019, 3, 1))
    write(person, D(2024, 3, 1), grade=1)  # two versions, both covering days before the death
    write(person, D(2024, 6, 10), life_status=status, life_status_date=day)
    assert counted(D(2024, 4, 30))[person.pk] == ("410825", 1)
    assert person.pk not in counted(day)
    assert person.pk not in counted(D(2024, 6, 9))
    assert counted(D(2024, 2, 1))[person.pk] == ("410825", 2)
    # A date corrected later is corrected everywhere it was written.
    write(person, D(2024, 6, 20), life_status_date=D(2024, 2, 20))
    assert person.pk not in counted(D(2024, 2, 20))
    assert counted(D(2024, 2, 19))[person.pk] == ("410825", 2)


def test_a_person_certified_again_after_a_cancellation_does_not_count_in_between(
    make_person: Any,
) -> None:
    person = make_person(certificate_issued_on=D(2019, 3, 1))
    write(person, D(2022, 1, 5), life_status=LifeStatus.CANCELLED, life_status_date=D(2022, 1, 5))
    write(
        person,
        D(2023, 7, 1),
        life_status=LifeStatus.ACTIVE,
        life_status_date=None,
        certificate_issued_on=D(2023, 7, 1),
        certificate_expires_on=D(2033, 6, 30),
        grade=3,
    )
    assert counted(D(2022, 1, 4))[person.pk] == ("410825", 2)
    assert person.pk not in counted(D(2022, 1, 5))
    assert person.pk not in counted(D(2023, 6, 30))
    assert counted(D(2023, 7, 1))[person.pk] == ("410825", 3)


def test_a_renewal_keeps_the_count_unbroken(make_person: Any) -> None:
    person = make_person(certificate_issued_on=D(2016, 3, 1))
    old_expiry = person.certificate_expires_on
    write(
        person,
        D(2026, 1, 10),
        certificate_issued_on=D(2026, 1, 10),
        certificate_expires_on=D(2036, 1, 9),
    )
    for day in (D(2026, 1, 9), D(2026, 1, 10), old_expiry, D(2030, 1, 1)):
        assert person.pk in counted(day), day


def test_the_services_keep_the_versions(make_person: Any, county_clerk: Any) -> None:
    """The registry's own writes (not the test's) keep the open version equal to the record."""
    number = idcard.build(region_code="410825", birth_date=D(1970, 5, 17), sequence=77)
    person = make_person(id_number=number)
    data = person_data(id_number=number, place_code="410825002000", grade=1)
    services.update_person(person=person, data=data, acting_user=county_clerk)
    today = timezone.localdate()
    assert counted(today)[person.pk] == ("410825", 1)
    current = Version.objects.get(person=person, valid_to__isnull=True)
    assert (current.township, current.place) == (WEN_TOWNSHIP_2, WEN_TOWNSHIP_2)


def test_a_rebuild_gives_each_person_what_a_first_sync_gives(make_person: Any) -> None:
    people = [make_person(), make_person(certificate_issued_on=D(2020, 1, 1))]
    write(
        people[1], D(2024, 1, 1), life_status=LifeStatus.DECEASED, life_status_date=D(2023, 12, 1)
    )
    today = D(2025, 1, 1)
    Version.objects.all().delete()
    versions.sync([p.pk for p in people], today)
    synced = sorted(Version.objects.values_list(*_FIELDS))
    assert versions.rebuild_all(today) == 2
    assert sorted(Version.objects.values_list(*_FIELDS)) == synced
    assert [row[-1] for row in synced if row[0] == people[1].pk] == [D(2023, 12, 1)]


_FIELDS = ("person_id", "valid_from", "valid_to", "county", "township", "grade", "gone_on")


def test_an_import_keeps_the_versions_of_the_persons_it_creates_and_changes(
    tmp_path: Any, county_clerk: Any, make_person: Any
) -> None:
    from canlian.people.exchange.importing import import_persons
    from canlian.people.tests.exchange.helpers import id_for, row, write_csv

    today = D(2026, 11, 28)
    known = make_person(id_number=id_for(1), name="测试1", place_code="410825001000")
    path = write_csv(tmp_path / "rows.csv", [row(1, 残疾等级="一级"), row(2)])
    outcome = import_persons(
        path, filename=path.name, acting_user=county_clerk, dry_run=False, today=today
    )
    assert outcome.applied
    created = Person.objects.get(name="测试2")
    assert counted(today)[created.pk] == ("410825", created.grade)
    assert counted(today)[known.pk] == ("410825", 1)
    assert counted(today - datetime.timedelta(days=1))[known.pk] == ("410825", 2)
