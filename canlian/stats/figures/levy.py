"""The employment security fund: employers declared, declarations verified, disabled employees
verified and amounts determined, by collection year and county.

A figure over a period counts the collection years from the year of its first day to the year
of its last (2025-03-01 to 2026-02-28: the years 2025 and 2026). A declaration counts in the
county where its employer is registered, with its status as it stands now: a declaration
re-entered for a correction counts as verified again only once it is verified again. The
counts are those of the yearly collection list (levy.selectors.county_totals)."""

from __future__ import annotations

from django.db.models import Count, Model, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.levy.models import Declaration, DeclaredEmployee, Employer
from canlian.levy.selectors import COMPUTED
from canlian.stats import grouping
from canlian.stats.catalogue import (
    PERIOD,
    PERSONS,
    VALUE,
    Dimension,
    Figure,
    Query,
    register,
    register_dimension,
)
from canlian.stats.dimensions import _number

# The tables the rows read (stats.kept keeps the rows until one of them changes).
SOURCES: tuple[type[Model], ...] = (Declaration, DeclaredEmployee, Employer)

AREA = "levy"
DIMENSIONS = ("county", "year")
YEAR = register_dimension(Dimension("year", _("Year"), str, _number(1900, 2999), int))

DECLARATION_READS = {
    "county": grouping.county_of("employer__place_id"),
    "year": grouping.field("year"),
}
EMPLOYEE_READS = {
    "county": grouping.county_of("declaration__employer__place_id"),
    "year": grouping.field("year"),
}


def _declarations(query: Query) -> QuerySet[Declaration]:
    """The declarations of the query's collection years and region."""
    start, end = query.period
    return Declaration.objects.filter(
        year__gte=start.year, year__lte=end.year, employer__place__code__startswith=query.region
    )


def _verified(query: Query) -> QuerySet[Declaration]:
    """Of those, the declarations verified (with the amount computed), notified or not."""
    return _declarations(query).filter(status__in=COMPUTED)


def _employees(query: Query) -> QuerySet[DeclaredEmployee]:
    """The disabled employees who count on the verified declarations."""
    start, end = query.period
    return DeclaredEmployee.objects.filter(
        declaration__status__in=COMPUTED,
        counts__gt=0,
        year__gte=start.year,
        year__lte=end.year,
        declaration__employer__place__code__startswith=query.region,
    )


declared_rows, declarations = grouping.counter(_declarations, DECLARATION_READS)
verified_rows, verified = grouping.counter(_verified, DECLARATION_READS)
employee_rows = grouping.rows_of(_employees, EMPLOYEE_READS, persons=Count("pk"))
employees = grouping.records_of(_employees, EMPLOYEE_READS)
amount_rows = grouping.rows_of(_verified, DECLARATION_READS, value=Sum("amount"))


register(
    Figure(
        id="levy.employers_declared",
        area=AREA,
        name=_("Employers declared"),
        definition=_(
            "Employers with a declaration to the employment security fund for a collection "
            "year of the period, whatever its status (entered, verified or its result issued), "
            "counted once a year (an employer declaring for two years counts twice); by the "
            "county where the employer is registered and the collection year."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_LEVY,
        rows=declared_rows,
        sources=SOURCES,
        records=declarations,
        key=VALUE,
        unit=_("employers"),
    )
)

register(
    Figure(
        id="levy.declarations_verified",
        area=AREA,
        name=_("Declarations verified"),
        definition=_(
            "Declarations of a collection year of the period whose disabled employees have been "
            "verified against the registry and whose amount has been computed (the "
            "verification result issued or not), as they stand now; by the county where the "
            "employer is registered and the collection year."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_LEVY,
        rows=verified_rows,
        sources=SOURCES,
        records=verified,
        key=VALUE,
        unit=_("declarations"),
    )
)

register(
    Figure(
        id="levy.employees_verified",
        area=AREA,
        name=_("Disabled employees verified"),
        definition=_(
            "Disabled employees declared on a verified declaration (as in “Declarations "
            "verified”) whom the verification found to count towards the employer's quota, "
            "each person once a year (a grade 1–2 holder, counted twice in the quota, is one "
            "person here); by the county where the employer is registered and the collection "
            "year."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_LEVY,
        rows=employee_rows,
        sources=SOURCES,
        records=employees,
        key=PERSONS,
        unit=_("persons"),
    )
)

register(
    Figure(
        id="levy.amount_determined",
        area=AREA,
        name=_("Employment security fund amounts determined"),
        definition=_(
            "The sum of the amounts due computed on the verified declarations (as in "
            "“Declarations verified”), in yuan; by the county where the employer is registered "
            "and the collection year. The tax office collects them: this is the amount "
            "determined, not the amount received."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_LEVY,
        rows=amount_rows,
        sources=SOURCES,
        records=verified,
        key=VALUE,
        unit=_("yuan"),
        count_of="levy.declarations_verified",
        sum_of="amount",
    )
)
