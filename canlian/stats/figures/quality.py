"""The registry's data quality on a day, and the spreadsheet imports made in a period.

The quality figures count the certified persons of a day (as persons.certified does, from the
registry's dated facts) whose record lacks something: a phone number, a guardian where one is
required, or whose certificate is about to expire. Phone numbers and guardians are not kept
in the dated facts: a record counts by what it holds now."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.people.fields import add_years
from canlian.people.models import ADULT_AGE, GUARDIAN_CATEGORIES, Person, Version
from canlian.spreadsheets.models import ImportJob
from canlian.stats import grouping
from canlian.stats.catalogue import (
    AS_OF,
    PERIOD,
    VALUE,
    Dimension,
    Figure,
    Query,
    register,
    register_dimension,
)
from canlian.stats.dimensions import _one_of, place_name
from canlian.stats.figures.persons import DIMENSIONS, Where, counter, records_of

# The tables the rows read (stats.kept keeps the rows until one of them changes).
SOURCES: tuple[type[Model], ...] = (Version, Person)
IMPORT_SOURCES: tuple[type[Model], ...] = (ImportJob,)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AREA = "quality"
# A certificate expiring within this many days after the day counts as expiring.
EXPIRING_DAYS = 90


def no_phone(query: Query) -> Q:
    return Q(person__phone_masked="")


def guardian_missing(query: Query) -> Q:
    """A guardian is required (people.rules.guardian_when_needed) and none is recorded: a
    minor on the day, or an intellectual or mental disability on the day's certificate."""
    minor = Q(birth_date__gt=add_years(query.day, -ADULT_AGE))
    required = minor | Q(category__in=sorted(GUARDIAN_CATEGORIES))
    # No guardian: not among the persons who have one (an index holds them; most have none).
    named = Person.objects.filter(pk=OuterRef("person_id")).exclude(guardian_name="")
    return required & Q(~Exists(named))


def expiring(query: Query) -> Q:
    return Q(cert_to__lte=query.day + datetime.timedelta(days=EXPIRING_DAYS))


QUALITY: tuple[tuple[str, StrOrPromise, StrOrPromise, Where], ...] = (
    (
        "quality.missing_phone",
        _("Certified persons without a phone number"),
        _(
            "Certified disabled persons on the day (as in “Certified disabled persons”) whose "
            "registry record holds no phone number now (the guardian's phone does not count)."
        ),
        no_phone,
    ),
    (
        "quality.missing_guardian",
        _("Certified persons without a required guardian"),
        _(
            "Certified disabled persons on the day (as in “Certified disabled persons”) who "
            "need a guardian — under 18 on the day, or with an intellectual or mental "
            "disability on that day's certificate, as the registry's rule says — and whose "
            "record names no guardian now."
        ),
        guardian_missing,
    ),
    (
        "quality.expiring",
        _("Certified persons whose certificate expires within 90 days"),
        _(
            "Certified disabled persons on the day (as in “Certified disabled persons”) whose "
            "certificate valid that day expires on the day or within the 90 days after it "
            "(a certificate valid until the 90th day counts, one valid until the 91st does "
            "not), whether or not a renewal is under way."
        ),
        expiring,
    ),
)

for figure_id, name, definition, where in QUALITY:
    register(
        Figure(
            id=figure_id,
            area=AREA,
            name=name,
            definition=definition,
            timing=AS_OF,
            dimensions=DIMENSIONS,
            permission=Perm.VIEW_PERSON,
            rows=counter(where=where),
            sources=SOURCES,
            records=records_of(where=where),
            unit=_("persons"),
        )
    )


# --- Imports -----------------------------------------------------------------------------------

OFFICE_LENGTHS = (4, 6, 9)


def _office(text: str) -> str:
    if not text.isdigit() or len(text) not in OFFICE_LENGTHS:
        raise ValueError(text)
    return text


register_dimension(Dimension("office", _("Office that uploaded"), place_name, _office))
register_dimension(
    Dimension(
        "import_status",
        _("Import status"),
        lambda key: str(ImportJob.Status(key).label),
        _one_of([s.value for s in ImportJob.Status]),
    )
)
IMPORT_READS = {"office": grouping.field("region"), "import_status": grouping.field("status")}


def _imports(query: Query) -> QuerySet[ImportJob]:
    start, end = query.period
    return ImportJob.objects.filter(
        created_at__date__gte=start,
        created_at__date__lte=end,
        region__startswith=query.region,
    )


def _applied(query: Query) -> QuerySet[ImportJob]:
    return _imports(query).filter(status=ImportJob.Status.APPLIED)


import_rows, imports = grouping.counter(_imports, IMPORT_READS)
applied = grouping.records_of(_applied, IMPORT_READS)
# An applied job's rows_done is the rows of its file (spreadsheets.jobs._store).
imported_rows = grouping.rows_of(_applied, IMPORT_READS, value=Sum("rows_done"))


register(
    Figure(
        id="imports.jobs",
        area=AREA,
        name=_("Spreadsheet imports"),
        definition=_(
            "Files uploaded to the registry's spreadsheet import on a day of the period, "
            "whatever became of them (checked, refused for problems, imported, failed); by "
            "the office of the person who uploaded them (their jurisdiction) and the import's "
            "status now."
        ),
        timing=PERIOD,
        dimensions=("office", "import_status"),
        permission=Perm.CHANGE_PERSON,
        rows=import_rows,
        sources=IMPORT_SOURCES,
        records=imports,
        key=VALUE,
        unit=_("files"),
    )
)

register(
    Figure(
        id="imports.rows",
        area=AREA,
        name=_("Rows imported"),
        definition=_(
            "The rows of the files uploaded on a day of the period and imported into the "
            "registry (each row a person created, updated or found unchanged); by the office "
            "of the person who uploaded them. A file refused for its problems imports nothing."
        ),
        timing=PERIOD,
        dimensions=("office",),
        permission=Perm.CHANGE_PERSON,
        rows=imported_rows,
        sources=IMPORT_SOURCES,
        records=applied,
        key=VALUE,
        sum_of="rows_done",
        unit=_("rows"),
    )
)
