"""The registry's dated facts (people.Version): what a person's record said, and from when.

The statistics count persons on a date from these rows, never from today's state, so that a
figure for a past date stays what it was when a person later moves, changes grade, renews or
dies (docs/statistics.md). Every write of a person calls :func:`sync` with the persons it
wrote, inside its transaction (people.services, people.batch, the certificates' registry
copy); the demo and the benchmarks, which load persons in bulk, call :func:`rebuild_all`.

What a write changes:

* The place (its county and township), category, grade, sex, date of birth or the
  certificate's dates: the open version ends yesterday and a new one opens today (a version
  opened today is changed in place: the record of one day is the last one written that day).
* The first version of a person opens on their certificate's date of issue (or today, if that
  is later): a person entered late counts from when they were certified.
* A death, a move out of the city or a cancelled certificate: every version not already
  ended by an earlier one is marked `gone_on` the status's date (a date corrected later is
  corrected in every such version); the person no longer counts from that day, however late
  it was recorded. A person who comes back (a new certificate after a cancellation) opens a
  new version today; the old ones keep the day they ended.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from canlian.lib import bulk
from canlian.people.models import LifeStatus, Person, Version

CHUNK = 5000
FACTS = (
    "place", "county", "township", "category", "grade", "sex", "birth_date", "cert_from",
    "cert_to",
)  # fmt: skip
PERSON_COLUMNS = (
    "pk", "place_id", "category", "grade", "sex", "birth_date", "certificate_issued_on",
    "certificate_expires_on", "life_status", "life_status_date",
)  # fmt: skip


def township_of(place: str) -> str:
    """The township's 12-digit code of a place at or below a township ("" above one)."""
    if place[6:9] == "000":
        return ""
    return place[:9] + "000"


def _facts(row: Sequence[Any]) -> dict[str, Any]:
    place = str(row[1])
    return {
        "place": place,
        "county": place[:6],
        "township": township_of(place),
        "category": row[2],
        "grade": row[3],
        "sex": row[4],
        "birth_date": row[5],
        "cert_from": row[6],
        "cert_to": row[7],
    }


def _gone(row: Sequence[Any], today: datetime.date) -> datetime.date | None:
    if row[8] == LifeStatus.ACTIVE:
        return None
    return row[9] or today


def sync(person_ids: Iterable[int], today: datetime.date) -> None:
    """Bring the versions of `person_ids` up to their records as just written (inside the
    writer's transaction)."""
    ids = sorted(set(person_ids))
    for offset in range(0, len(ids), CHUNK):
        _sync_chunk(ids[offset : offset + CHUNK], today)


def _sync_chunk(ids: list[int], today: datetime.date) -> None:
    adapt = connection.ops.adapt_datefield_value
    rows = Person.objects.filter(pk__in=ids).values_list(*PERSON_COLUMNS)
    versions: dict[int, list[Version]] = {}
    for version in Version.objects.filter(person_id__in=ids).order_by("valid_from"):
        versions.setdefault(version.person_id, []).append(version)
    inserts: list[tuple[Any, ...]] = []
    rewrites: list[tuple[Any, ...]] = []  # an open version's facts and gone_on, by its id
    closes: list[tuple[Any, ...]] = []  # valid_to, by id
    marks: list[tuple[Any, ...]] = []  # gone_on, by id
    yesterday = today - datetime.timedelta(days=1)

    def new(person_id: int, start: datetime.date, facts: dict[str, Any], gone: Any) -> None:
        inserts.append(
            (person_id, adapt(start), None, *(_adapted(facts, k) for k in FACTS), adapt(gone))
        )

    for row in rows:
        person_id, facts, gone = row[0], _facts(row), _gone(row, today)
        own = versions.get(person_id, [])
        current = next((v for v in own if v.valid_to is None), None)
        if current is None:
            new(person_id, min(facts["cert_from"], today), facts, gone)
            continue
        same = all(getattr(current, k) == facts[k] for k in FACTS)
        back = gone is None and current.gone_on is not None
        if gone is not None:
            # Every version not ended by an earlier departure takes the (corrected) date.
            for version in own:
                ours = version.gone_on is None or version.gone_on == current.gone_on
                if version.gone_on != gone and ours:
                    marks.append((adapt(gone), version.pk))
        if same and not back:
            continue
        if current.valid_from >= today:
            rewrites.append((*(_adapted(facts, k) for k in FACTS), adapt(gone), current.pk))
        else:
            closes.append((adapt(yesterday), current.pk))
            new(person_id, today, facts, gone)
    if marks:
        bulk.update_rows(Version, ("gone_on",), marks)
    if closes:
        bulk.update_rows(Version, ("valid_to",), closes)
    if rewrites:
        bulk.update_rows(Version, (*FACTS, "gone_on"), rewrites)
    if inserts:
        bulk.insert_rows(
            Version, ("person_id", "valid_from", "valid_to", *FACTS, "gone_on"), inserts
        )


def _adapted(facts: dict[str, Any], key: str) -> Any:
    value = facts[key]
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def rebuild_all(today: datetime.date, *, first_id: int = 0) -> int:
    """Replace the versions of every person (from `first_id` on) by one per person from the
    records as they are: for persons loaded in bulk (the demo, the benchmarks), whose history
    is not known. One statement; the rules are :func:`sync`'s for a person seen for the first
    time. Returns the count."""
    Version.objects.filter(person_id__gte=first_id).delete()
    with connection.cursor() as cursor:
        params = {"today": connection.ops.adapt_datefield_value(today), "first": first_id}
        cursor.execute(REBUILD_SQL, params)
        return int(cursor.rowcount)


# Also run by the migration that created the table (0011), with its own copy of the text.
REBUILD_SQL = """
INSERT INTO people_version (person_id, valid_from, valid_to, place, county, township, category,
    grade, sex, birth_date, cert_from, cert_to, gone_on)
SELECT id,
    CASE WHEN certificate_issued_on < %(today)s THEN certificate_issued_on ELSE %(today)s END,
    NULL, place_id, substr(place_id, 1, 6),
    CASE WHEN substr(place_id, 7, 3) = '000' THEN '' ELSE substr(place_id, 1, 9) || '000' END,
    category, grade, sex, birth_date, certificate_issued_on, certificate_expires_on,
    CASE WHEN life_status = 'active' THEN NULL ELSE COALESCE(life_status_date, %(today)s) END
FROM people_person WHERE id >= %(first)s
"""


def counted_on(day: datetime.date) -> QuerySet[Version]:
    """The versions of the persons counted on `day`: alive, living in the city and holding a
    certificate valid that day (at most one per person)."""
    return Version.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        valid_from__lte=day,
        cert_from__lte=day,
        cert_to__gte=day,
    ).filter(Q(gone_on__isnull=True) | Q(gone_on__gt=day))
