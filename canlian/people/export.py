"""Export the registry as it is shown: the same search, masked unless full values are allowed."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from canlian.audit import records as audit
from canlian.people.models import Person
from canlian.people.selectors import PersonFilters, search_persons
from canlian.places.models import Level

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text of `value`, with a leading apostrophe where a spreadsheet would run a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def headers() -> list[str]:
    return [
        _("Name"), _("Citizen ID number"), _("Certificate number"), _("Sex"), _("Date of birth"),
        _("Ethnicity"), _("County"), _("Township or village"), _("Household address"), _("Phone"),
        _("Guardian's name"), _("Guardian's phone"), _("Disability category"),
        _("Disability grade"), _("Certificate issued on"), _("Certificate expires on"),
        _("Life status"), _("Date of status change"), _("Bank"), _("Bank account number"),
    ]  # fmt: skip


def person_row(person: Person, *, full: bool) -> list[str]:
    place = person.place
    county = place.parent.parent if place.level == Level.VILLAGE and place.parent else place.parent
    values: list[object] = [
        person.name,
        person.id_number() if full else person.id_number_masked,
        person.certificate_number() if full else person.certificate_number_masked,
        person.get_sex_display(), person.birth_date, person.get_ethnicity_display(),
        county.name if county else "", place.name, person.address, person.phone,
        person.guardian_name, person.guardian_phone, person.get_category_display(),
        person.get_grade_display(), person.certificate_issued_on, person.certificate_expires_on,
        person.get_life_status_display(), person.life_status_date or "", person.bank_name,
        person.bank_account() if full else person.bank_account_masked,
    ]  # fmt: skip
    return [safe_cell(v) for v in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def export_persons(*, user: Any, filters: PersonFilters, full: bool, limit: int) -> Iterator[str]:
    """Log the export, then yield CSV text: header, then one line per matching person."""
    qs = search_persons(user, filters).select_related("place", "place__parent__parent")
    count = qs.count()
    audit.record_access(
        acting_user=user,
        action="person.export.full" if full else "person.export",
        target=None,
        region=user.scope_prefix or "",
        detail={"filters": filters.as_dict(), "rows": min(count, limit), "full": full},
    )
    rows = (person_row(p, full=full) for p in qs[:limit].iterator(chunk_size=2000))
    return csv_lines(_with_header(rows))


def _with_header(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    yield headers()
    yield from rows
