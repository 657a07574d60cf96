"""Certified persons on a date: each rule of the definition on crafted data, on both sides of
its boundary, through the catalogue and through the command line."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from canlian.lib import idcard
from canlian.people import versions
from canlian.people.models import LifeStatus, Person, StatusKind, StatusPeriod
from canlian.stats import catalogue
from canlian.stats.catalogue import Query

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2025, 6, 30)
BEFORE, AFTER = D(2025, 6, 29), D(2025, 7, 1)
MENG = "410883001001"


def write(person: Person, today: datetime.date, **values: Any) -> None:
    Person.objects.filter(pk=person.pk).update(**values)
    versions.sync([person.pk], today)


def stats(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return json.loads(out.getvalue())


def certified(day: datetime.date, by: tuple[str, ...] = (), region: str = "4108") -> Any:
    figure = catalogue.figure("persons.certified")
    return catalogue.compute(figure, Query(region=region, as_of=day, by=by))


@pytest.fixture
def registry(make_person: Any) -> dict[str, Person]:
    """Persons whose counting on DAY each rule decides."""
    made = {
        "counted": make_person(certificate_issued_on=D(2019, 3, 1)),
        "issued_on_the_day": make_person(certificate_issued_on=DAY),
        "issued_the_day_after": make_person(certificate_issued_on=AFTER),
        "died_on_the_day": make_person(certificate_issued_on=D(2019, 3, 1)),
        "died_the_day_after": make_person(certificate_issued_on=D(2019, 3, 1)),
        "moved_out_the_day_before": make_person(certificate_issued_on=D(2019, 3, 1)),
        "moved_county_the_day_after": make_person(certificate_issued_on=D(2019, 3, 1)),
        "meng": make_person(certificate_issued_on=D(2020, 1, 1), place_code=MENG, grade=1),
    }
    write(made["died_on_the_day"], D(2025, 8, 1), life_status=LifeStatus.DECEASED,
          life_status_date=DAY)  # fmt: skip
    write(made["died_the_day_after"], D(2025, 8, 1), life_status=LifeStatus.DECEASED,
          life_status_date=AFTER)  # fmt: skip
    write(made["moved_out_the_day_before"], D(2025, 8, 1), life_status=LifeStatus.MOVED_OUT,
          life_status_date=BEFORE)  # fmt: skip
    write(made["moved_county_the_day_after"], AFTER, place_id=MENG)
    # A certificate that expired the day before: issued in 2015, valid ten years.
    expired = make_person(certificate_issued_on=D(2015, 6, 29))
    write(expired, D(2015, 6, 29), certificate_expires_on=BEFORE)
    made["expired_the_day_before"] = expired
    expiring = make_person(certificate_issued_on=D(2015, 6, 30))
    write(expiring, D(2015, 6, 30), certificate_expires_on=DAY)
    made["expiring_on_the_day"] = expiring
    return made


COUNTED_ON_DAY = {
    "counted", "issued_on_the_day", "died_the_day_after", "moved_county_the_day_after",
    "meng", "expiring_on_the_day",
}  # fmt: skip


def test_each_rule_decides_on_its_boundary(registry: dict[str, Person]) -> None:
    records = catalogue.figure("persons.certified").records
    assert records is not None
    listed = set(records(Query(region="4108", as_of=DAY)).values_list("pk", flat=True))
    assert listed == {registry[name].pk for name in COUNTED_ON_DAY}
    assert certified(DAY).total == len(COUNTED_ON_DAY)


def test_a_person_counts_in_the_county_of_the_day(registry: dict[str, Person]) -> None:
    on_day = {row["county"]: row["persons"] for row in certified(DAY, ("county",)).rows}
    assert on_day == {"410825": 5, "410883": 1}
    after = {row["county"]: row["persons"] for row in certified(AFTER, ("county",)).rows}
    # The day after: the mover counts in 孟州市, the one who died that day no longer counts,
    # the certificate that expired on DAY no longer counts, the one issued that day does.
    assert after == {"410825": 3, "410883": 2}


def test_the_command_prints_the_shape_and_equals_the_catalogue(
    registry: dict[str, Person],
) -> None:
    data = stats("persons", "--as-of", DAY.isoformat(), "--by", "county,grade")
    assert data["as_of"] == "2025-06-30" and data["by"] == ["county", "grade"]
    assert data["rows"] == [
        {"county": "410825", "grade": 2, "persons": 5},
        {"county": "410883", "grade": 1, "persons": 1},
    ]
    assert data["total"] == 6
    narrowed = stats("persons", "--as-of", DAY.isoformat(), "--by", "sex", "--county", "410883")
    sex = {"M": "男", "F": "女"}[registry["meng"].sex]
    assert narrowed["rows"] == [{"sex": sex, "persons": 1}] and narrowed["total"] == 1


def test_age_bands_turn_on_the_birthday(make_person: Any) -> None:
    """Aged 6 the day before the seventh birthday, 7 on it; 59 and 60 likewise."""
    born = D(2018, 7, 1)
    for birth, seq in ((born, 1), (D(1965, 7, 1), 2)):
        number = idcard.build(region_code="410825", birth_date=birth, sequence=seq)
        make_person(
            id_number=number,
            certificate_issued_on=D(2020, 1, 1),
            guardian_name="王监护",
            guardian_relation="父亲",
        )
    before = {r["age_band"]: r["persons"] for r in certified(D(2025, 6, 30), ("age_band",)).rows}
    on = {r["age_band"]: r["persons"] for r in certified(D(2025, 7, 1), ("age_band",)).rows}
    assert before == {"0–6": 1, "18–59": 1}
    assert on == {"7–17": 1, "60+": 1}


def test_status_figures_count_the_status_held_on_the_day(make_person: Any) -> None:
    person = make_person(certificate_issued_on=D(2019, 3, 1))
    other = make_person(certificate_issued_on=D(2019, 3, 1))
    StatusPeriod.objects.create(person=person, kind=StatusKind.DIBAO, start=D(2024, 1, 1),
                                end=DAY)  # fmt: skip
    StatusPeriod.objects.create(person=other, kind=StatusKind.MONITORED, start=AFTER)
    dibao = catalogue.figure("persons.dibao")
    poor = catalogue.figure("persons.poor")
    assert catalogue.compute(dibao, Query(region="4108", as_of=DAY)).total == 1
    assert catalogue.compute(dibao, Query(region="4108", as_of=AFTER)).total == 0
    assert catalogue.compute(poor, Query(region="4108", as_of=DAY)).total == 0
    assert catalogue.compute(poor, Query(region="4108", as_of=AFTER)).total == 1


def test_a_county_clerk_counts_only_their_county(
    registry: dict[str, Person], county_clerk: Any
) -> None:
    region = catalogue.region_of(county_clerk)
    assert region == "410825"
    assert certified(DAY, region=region).total == 5
    with pytest.raises(catalogue.ValidationError):
        catalogue.region_of(county_clerk, "410883")


def test_the_command_refuses_bad_input_all_at_once(capsys: Any) -> None:
    with pytest.raises(SystemExit) as stopped:
        call_command(
            "stats", "figure", "persons.certified", "--as-of", "2025-13-01", "--by", "colour"
        )
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--as-of" in err
