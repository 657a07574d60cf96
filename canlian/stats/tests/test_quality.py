"""The data-quality figures (certified persons on a day missing a phone, a required guardian,
or with a certificate about to expire) and the imports of a period: each rule on both sides
of its boundary, a county clerk's count without the other county."""

from __future__ import annotations

import datetime
import io
import json
import zoneinfo
from typing import Any

import pytest
from django.core.management import call_command

from canlian.lib import idcard
from canlian.people import versions
from canlian.people.models import Person
from canlian.spreadsheets.models import ImportJob
from canlian.stats import catalogue
from canlian.stats.catalogue import Query

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2025, 6, 30)
WEN, MENG = "410825", "410883"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def counted(figure_id: str, day: datetime.date = DAY, region: str = "4108") -> set[int]:
    figure = catalogue.figure(figure_id)
    assert figure.records is not None
    query = Query(region=region, as_of=day)
    found = set(figure.records(query).values_list("pk", flat=True))
    assert catalogue.compute(figure, query).total == len(found)
    return found


def born(birth: datetime.date, sequence: int, region: str = WEN) -> str:
    return idcard.build(region_code=region, birth_date=birth, sequence=sequence)


def test_a_person_without_a_phone_counts_when_certified_on_the_day(make_person: Any) -> None:
    with_phone = make_person()
    without = make_person(phone="")
    certified_later = make_person(phone="", certificate_issued_on=D(2025, 7, 1))
    meng = make_person(phone="", place_code="410883001001")
    assert counted("quality.missing_phone") == {without.pk, meng.pk}
    assert with_phone.pk not in counted("quality.missing_phone")
    assert certified_later.pk in counted("quality.missing_phone", D(2025, 7, 1))
    assert counted("quality.missing_phone", region=WEN) == {without.pk}


def test_a_guardian_is_missing_for_a_minor_on_the_day(make_person: Any) -> None:
    """Seventeen on the day (eighteen the day after): counted; eighteen on the day: not. Both
    are adults today, so the registry let them in without a guardian."""
    minor = make_person(id_number=born(D(2007, 7, 1), 801))
    adult = make_person(id_number=born(D(2007, 6, 30), 802))
    minor_with_guardian = make_person(
        id_number=born(D(2007, 7, 1), 803), guardian_name="王监护", guardian_relation="父亲"
    )
    found = counted("quality.missing_guardian")
    assert found == {minor.pk}
    assert adult.pk not in found and minor_with_guardian.pk not in found
    assert counted("quality.missing_guardian", D(2025, 7, 1)) == set()


def test_a_guardian_is_missing_for_the_category_of_the_days_certificate(
    make_person: Any,
) -> None:
    """A record changed to an intellectual disability on 2025-08-01 (its guardian not yet
    entered): counted from that day, not on a day before it."""
    person = make_person()
    Person.objects.filter(pk=person.pk).update(category=5)
    versions.sync([person.pk], D(2025, 8, 1))
    assert counted("quality.missing_guardian", D(2025, 7, 31)) == set()
    assert counted("quality.missing_guardian", D(2025, 8, 1)) == {person.pk}


def test_a_certificate_expiring_within_90_days_of_the_day(make_person: Any) -> None:
    """Ten-year certificates: issued 2015-09-28, valid until 2025-09-28, the 90th day after
    2025-06-30; issued a day later, valid a day longer."""
    ninetieth = make_person(certificate_issued_on=D(2015, 9, 28))
    ninety_first = make_person(certificate_issued_on=D(2015, 9, 29))
    expiring_on_the_day = make_person(certificate_issued_on=DAY.replace(year=2015))
    expired = make_person(certificate_issued_on=D(2015, 6, 29))
    found = counted("quality.expiring")
    assert found == {ninetieth.pk, expiring_on_the_day.pk}
    assert ninety_first.pk not in found and expired.pk not in found
    assert ninety_first.pk in counted("quality.expiring", D(2025, 7, 1))


# --- Imports -------------------------------------------------------------------------------------


def job(user: Any, at: datetime.datetime, status: str, rows: int = 0, **values: Any) -> ImportJob:
    made = ImportJob.objects.create(
        created_by=user,
        region=values.pop("region", user.scope_prefix),
        filename="名单.xlsx",
        upload="imports/test.xlsx",
        size=100,
        sha256="0" * 64,
        status=status,
        rows_done=rows,
        rows_total=rows,
    )
    ImportJob.objects.filter(pk=made.pk).update(created_at=at)
    return made


def test_imports_and_rows_count_the_files_uploaded_on_a_local_day_of_the_period(
    county_clerk: Any, other_county_clerk: Any, city_staff: Any, township_officer: Any
) -> None:
    applied, rejected = ImportJob.Status.APPLIED, ImportJob.Status.REJECTED
    first_minute = job(county_clerk, datetime.datetime(2025, 6, 1, 0, 1, tzinfo=SHANGHAI),
                       applied, rows=120)  # fmt: skip
    job(county_clerk, datetime.datetime(2025, 5, 31, 23, 59, tzinfo=SHANGHAI), applied, rows=7)
    refused = job(county_clerk, datetime.datetime(2025, 6, 2, tzinfo=SHANGHAI), rejected, 30)
    township = job(township_officer, datetime.datetime(2025, 6, 3, tzinfo=SHANGHAI), applied, 5)
    city = job(city_staff, datetime.datetime(2025, 6, 30, 23, 59, tzinfo=SHANGHAI), applied, 9)
    meng = job(other_county_clerk, datetime.datetime(2025, 6, 4, tzinfo=SHANGHAI), applied, 11)
    job(city_staff, datetime.datetime(2025, 7, 1, 0, 0, tzinfo=SHANGHAI), applied, 13)

    def query(region: str = "4108", **kw: Any) -> Query:
        return Query(region=region, start=D(2025, 6, 1), end=D(2025, 6, 30), **kw)

    jobs, rows = catalogue.figure("imports.jobs"), catalogue.figure("imports.rows")
    assert jobs.records is not None and rows.records is not None
    assert set(jobs.records(query())) == {first_minute, refused, township, city, meng}
    assert catalogue.compute(jobs, query()).total == 5
    # Rows of the files imported: the refused file's rows are not.
    assert catalogue.compute(rows, query()).total == 120 + 5 + 9 + 11
    by_office = catalogue.compute(rows, query(by=("office",)))
    assert {r["office"]: r["value"] for r in by_office.rows} == {
        WEN: 120, "410825001": 5, "4108": 9, MENG: 11,
    }  # fmt: skip
    statuses = catalogue.compute(jobs, query(by=("import_status",)))
    assert {r["import_status"]: r["value"] for r in statuses.rows} == {applied: 4, rejected: 1}
    # 温县's clerk: the county's and its townships' uploads, not the city's nor 孟州市's.
    assert catalogue.compute(jobs, query(WEN)).total == 3
    assert catalogue.compute(rows, query(WEN)).total == 125
    assert set(rows.records(query(WEN, cell={"office": "410825001"}))) == {township}


def test_the_command_prints_the_imports_of_a_period(county_clerk: Any) -> None:
    job(county_clerk, datetime.datetime(2025, 6, 1, 8, 0, tzinfo=SHANGHAI), "applied", rows=12)
    out = io.StringIO()
    call_command("stats", "figure", "imports.rows", "--from", "2025-06-01", "--to",
                 "2025-06-30", "--by", "office", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["rows"] == [{"office": WEN, "value": 12}]
