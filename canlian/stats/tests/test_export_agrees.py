"""The issue's check: `canlian stats persons` prints, for any date, the counts a user can make
by hand from `canlian export-persons`.

A seeded random registry (no moves between places: certificate dates and life-status dates
only) is exported with the registry's own export command as CSV; the certified persons of
each county and category are counted from the exported rows for several dates, among them
the days on which someone's certificate starts, ends or their status changes, and the days
before; the command must print the same rows and total."""

from __future__ import annotations

import csv
import datetime
import io
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from canlian.lib import idcard
from canlian.people import services as people
from canlian.people.exchange.columns import COLUMNS
from canlian.people.fields import PersonData
from canlian.people.models import LifeStatus
from canlian.people.terms import CATEGORY, LIFE_STATUS

pytestmark = pytest.mark.django_db

D = datetime.date
PLACES = ("410825001001", "410825002000", "410883001001", "410883001000")
GONE = (LifeStatus.DECEASED, LifeStatus.MOVED_OUT, LifeStatus.CANCELLED)
FIRST_ISSUE, LAST_ISSUE = D(2012, 1, 1), D(2026, 6, 30)
LAST_CHANGE = D(2026, 11, 30)


def day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def random_registry(rng: random.Random, size: int, clerks: dict[str, Any]) -> None:
    """`size` persons through the registry's service: random places, categories, grades,
    certificate dates (ten-year certificates, some expired by now) and, for some, a death, a
    move out of the city or a cancellation dated after the certificate's issue."""
    for sequence in range(1, size + 1):
        place = rng.choice(PLACES)
        issued = day_between(rng, FIRST_ISSUE, LAST_ISSUE)
        born = day_between(rng, D(1940, 1, 1), issued - datetime.timedelta(days=400))
        status, status_date = LifeStatus.ACTIVE, None
        if rng.random() < 0.35:
            status = rng.choice(GONE)
            status_date = day_between(rng, issued, LAST_CHANGE)
        data = PersonData(
            id_number=idcard.build(region_code=place[:6], birth_date=born, sequence=sequence),
            name="随机" + "甲乙丙丁戊己庚辛"[sequence % 8],
            ethnicity="01",
            place_code=place,
            category=rng.randint(1, 7),
            grade=rng.randint(1, 4),
            certificate_issued_on=issued,
            guardian_name="李监护",
            guardian_relation="父亲",
            life_status=status,
            life_status_date=status_date,
        )
        people.create_person(data=data, acting_user=clerks[place[:6]])


def exported(path: Path, user: Any) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export_persons", str(path), "--user", user.username, stdout=out)
    assert json.loads(out.getvalue())["full"] is False
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def by_hand(rows: list[dict[str, str]], day: datetime.date) -> Counter[tuple[str, int]]:
    """The certified persons of `day` by county and category, from the exported columns
    alone: the certificate valid that day, and not dead, moved out or cancelled by then."""
    header = {c.key: c.header for c in COLUMNS}
    category = {t.zh: t.code for t in CATEGORY}
    active = LIFE_STATUS["active"].zh
    counted: Counter[tuple[str, int]] = Counter()
    for row in rows:
        issued = D.fromisoformat(row[header["certificate_issued_on"]])
        expires = D.fromisoformat(row[header["certificate_expires_on"]])
        if not issued <= day <= expires:
            continue
        gone = row[header["life_status"]] != active
        if gone and D.fromisoformat(row[header["life_status_date"]]) <= day:
            continue
        key = (row[header["place_code"]][:6], category[row[header["category"]]])
        counted[key] += 1
    return counted


def stats_persons(day: datetime.date) -> dict[str, Any]:
    out = io.StringIO()
    call_command(
        "stats", "persons", "--as-of", day.isoformat(), "--by", "county,category", stdout=out
    )
    return dict(json.loads(out.getvalue()))


@pytest.mark.parametrize("seed", [18, 2026])
def test_the_command_counts_what_the_export_shows(
    seed: int, tmp_path: Path, county_clerk: Any, other_county_clerk: Any, city_staff: Any
) -> None:
    rng = random.Random(seed)
    random_registry(rng, 40, {"410825": county_clerk, "410883": other_county_clerk})
    rows = exported(tmp_path / "registry.csv", city_staff)
    assert len(rows) == 40
    header = {c.key: c.header for c in COLUMNS}
    edges = [D.fromisoformat(r[header["certificate_issued_on"]]) for r in rows[:4]]
    edges += [D.fromisoformat(r[header["certificate_expires_on"]]) for r in rows[4:8]]
    edges += [
        D.fromisoformat(r[header["life_status_date"]])
        for r in rows
        if r[header["life_status_date"]]
    ][:4]
    days = {D(2012, 1, 1), D(2018, 6, 30), D(2022, 12, 31), D(2026, 12, 1)}
    for edge in edges:
        days |= {edge - datetime.timedelta(days=1), edge}
    for day in sorted(days):
        expected = by_hand(rows, day)
        printed = stats_persons(day)
        got = {(r["county"], r["category"]): r["persons"] for r in printed["rows"]}
        assert got == dict(expected), day
        assert printed["total"] == sum(expected.values()), day
    # Not a registry in which nobody counts: the dates cut through it.
    assert 0 < sum(by_hand(rows, D(2018, 6, 30)).values()) < 40
