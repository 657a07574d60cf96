"""Export the registry as it is shown: the same search and scope, masked unless full values are
allowed, in the exchange format of `columns.py` so that an exported file imports again with
no change (written by canlian.spreadsheets.writing). Every export writes an access record
(who, filters, rows, whether full)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from canlian.accounts import reveal as gate
from canlian.accounts.actors import Actor
from canlian.audit import records as audit
from canlian.lib import idcard
from canlian.people import batch
from canlian.people.exchange.columns import COLUMNS, STATUS_COLUMNS, TEMPLATE_SHEET
from canlian.people.models import Person, PersonQuerySet
from canlian.people.selectors import PersonFilters, search_persons
from canlian.people.terms import CATEGORY, ETHNICITY, GRADE, LIFE_STATUS, SEX, Vocabulary
from canlian.places.models import Level
from canlian.spreadsheets import writing

CHUNK = 2000


def headers() -> list[str]:
    return [c.header for c in COLUMNS]


def _places(person: Person) -> tuple[str, str, str]:
    """(county, township, village) names of the person's place."""
    place = person.place
    if place.level == Level.VILLAGE and place.parent is not None:
        township, village = place.parent, place.name
    else:
        township, village = place, ""
    county = township.parent
    return (county.name if county else "", township.name, village)


def choice_labels() -> dict[str, dict[Any, str]]:
    """{field: {code: Chinese name}} from the vocabularies' data: the exchange format is
    Chinese whatever the interface's language and whether or not the catalogue is compiled."""
    vocabularies: dict[str, Vocabulary[Any]] = {
        "sex": SEX,
        "ethnicity": ETHNICITY,
        "category": CATEGORY,
        "grade": GRADE,
        "life_status": LIFE_STATUS,
    }
    return {name: {t.code: t.zh for t in vocab} for name, vocab in vocabularies.items()}


def _sealed(person: Person, opener: gate.Opener | None) -> dict[str, str]:
    """The person's sealed values: opened when the export is full, their masks otherwise."""
    if opener is None:
        values = {name: getattr(person, spec.masked) for name, spec in Person.SEALED.items()}
        values["certificate_number"] = person.certificate_number_masked
        return values
    values = {name: opener(person, name) for name in Person.SEALED}
    values["certificate_number"] = idcard.certificate_number(
        values["id_number"], person.category, person.grade, person.card_suffix
    )
    return values


def person_values(
    person: Person,
    *,
    opener: gate.Opener | None,
    held: dict[str, int],
    labels: dict[str, dict[Any, str]],
) -> list[Any]:
    """One row in the order of COLUMNS: dates as dates, everything else as text; sealed
    values opened by `opener` (a full export) or masked (None)."""
    county, township, village = _places(person)
    sealed = _sealed(person, opener)
    values: dict[str, Any] = {
        "name": person.name,
        "id_number": sealed["id_number"],
        "certificate_number": sealed["certificate_number"],
        "sex": labels["sex"][person.sex],
        "ethnicity": labels["ethnicity"][person.ethnicity],
        "birth_date": person.birth_date,
        "county": county,
        "township": township,
        "village": village,
        "place_code": person.place_id,
        "address": person.address,
        "phone": sealed["phone"],
        "guardian_name": person.guardian_name,
        "guardian_relation": person.guardian_relation,
        "guardian_phone": sealed["guardian_phone"],
        "category": labels["category"][person.category],
        "grade": labels["grade"][person.grade],
        "certificate_issued_on": person.certificate_issued_on,
        "certificate_expires_on": person.certificate_expires_on,
        "life_status": labels["life_status"][person.life_status],
        "life_status_date": person.life_status_date,
        "bank_name": person.bank_name,
        "bank_account": sealed["bank_account"],
    }
    for key, kind in STATUS_COLUMNS.items():
        values[key] = "是" if kind in held else "否"
    return [values[c.key] for c in COLUMNS]


def rows(qs: PersonQuerySet, *, opener: gate.Opener | None, limit: int) -> Iterator[list[Any]]:
    """Rows of the persons in `qs`, chunk by chunk, with their statuses held today."""
    today = timezone.localdate()
    chunk: list[Person] = []

    def flush() -> Iterator[list[Any]]:
        held = batch.current_statuses([p.pk for p in chunk], today)
        for person in chunk:
            yield person_values(person, opener=opener, held=held.get(person.pk, {}), labels=labels)

    labels = choice_labels()
    for person in qs[:limit].iterator(chunk_size=CHUNK):
        chunk.append(person)
        if len(chunk) >= CHUNK:
            yield from flush()
            chunk = []
    yield from flush()


def open_export(
    user: Actor, filters: dict[str, Any], rows: int, full: bool, fmt: str
) -> gate.Opener | None:
    """Record the export (who, filters, rows, whether full); for a full one, through the
    gate, which checks the permission first and returns the opener of the rows' values."""
    detail = {"filters": filters, "rows": rows, "full": full, "format": fmt}
    region = user.scope_prefix or ""
    if full:
        return gate.reveal_many(
            model=Person, fields=tuple(Person.SEALED), purpose=gate.Purpose.EXPORT,
            acting_user=user, region=region, action="person.export.full", detail=detail,
        )  # fmt: skip
    with transaction.atomic():
        audit.record_access(
            acting_user=user, action="person.export", target=None, region=region, detail=detail
        )
    return None


def select(user: Actor, filters: PersonFilters) -> PersonQuerySet:
    return search_persons(user, filters).select_related("place__parent__parent")


def prepared(
    *,
    user: Actor,
    filters: PersonFilters,
    full: bool,
    fmt: str,
    limit: int,
    selected: tuple[PersonQuerySet, int] | None = None,
) -> Iterator[list[Any]]:
    """The rows of an export, after recording it (and, for a full one, opening values through
    the gate). `selected`: the persons and their count when the caller has them already (a
    search by number is then looked up once)."""
    qs, count = selected if selected is not None else (select(user, filters), -1)
    if count < 0:
        count = qs.count()
    opener = open_export(user, filters.as_dict(), min(count, limit), full, fmt)
    return rows(qs, opener=opener, limit=limit)


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    return writing.csv_lines(headers(), rows)


def export_csv(
    *,
    user: Actor,
    filters: PersonFilters,
    full: bool,
    limit: int,
    selected: tuple[PersonQuerySet, int] | None = None,
) -> Iterator[str]:
    """Log the export, then yield CSV text (UTF-8 with BOM, which Excel and WPS open)."""
    return csv_lines(
        prepared(user=user, filters=filters, full=full, fmt="csv", limit=limit, selected=selected)
    )


def write_xlsx(
    rows: Iterable[list[Any]], target: str | IO[bytes], *, in_memory: bool = False
) -> int:
    """Write the rows under the header row; return how many were written. `in_memory`: no
    temporary files (a background export, whose values must not lie on disk in clear)."""
    return writing.write_table(
        rows, target, sheet=TEMPLATE_SHEET, headers=headers(),
        widths=[c.width for c in COLUMNS], in_memory=in_memory,
    )  # fmt: skip


def export_xlsx(
    *,
    user: Actor,
    filters: PersonFilters,
    full: bool,
    limit: int,
    target: str | IO[bytes],
    selected: tuple[PersonQuerySet, int] | None = None,
) -> int:
    made = prepared(user=user, filters=filters, full=full, fmt="xlsx", limit=limit,
                    selected=selected)  # fmt: skip
    return write_xlsx(made, target)


def export_file(path: Path, *, user: Actor, filters: PersonFilters, full: bool, limit: int) -> int:
    """Export to `path` (.xlsx or .csv by its extension); return the number of rows."""
    if path.suffix.lower() == ".xlsx":
        return export_xlsx(user=user, filters=filters, full=full, limit=limit, target=str(path))
    made = prepared(user=user, filters=filters, full=full, fmt="csv", limit=limit)
    return writing.write_csv(path, headers(), made)
