"""The two subsidies as paid: persons and amounts from approved payment rolls, back pay, the
persons stopped on them by the first condition not met, and the payments to recover.

A payment counts in the month of the roll that carries it (a back-pay line for August paid on
November's roll counts in November), in the roll's county, once the roll is approved; drafts
never count. A township's figures take the persons whose household is registered in it today
(rolls are kept per county)."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count, F, Model, QuerySet, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.benefits.eligibility import CONDITIONS, NAMES
from canlian.payroll.models import (
    Line,
    LineKind,
    Recovery,
    RecoveryStatus,
    Roll,
    RollStatus,
    Stop,
)
from canlian.people.models import Person
from canlian.stats import grouping
from canlian.stats.catalogue import (
    PERIOD,
    VALUE,
    Dimension,
    Figure,
    Query,
    Row,
    register,
    register_dimension,
)
from canlian.stats.dimensions import _month, _one_of

# The tables the rows read (stats.kept keeps the rows until one of them changes).
SOURCES: tuple[type[Model], ...] = (Line, Roll, Person, Stop, Recovery)

DIMENSIONS = ("county", "programme", "month")
_FIELDS = {"county": "roll__county", "programme": "programme", "month": "roll__month"}


def lines(query: Query) -> QuerySet[Line]:
    start, end = query.period
    found = Line.objects.filter(
        roll__status=RollStatus.APPROVED,
        roll__month__gte=start.replace(day=1),
        roll__month__lte=end,
        roll__county__startswith=query.region[:6],
    )
    if len(query.region) > 6:
        found = found.filter(person__place__code__startswith=query.region)
    for dimension, key in query.cell.items():
        value = _month(key) if dimension == "month" else key
        found = found.filter(**{_FIELDS[dimension]: value})
    return found


def _lines_sources(query: Query) -> tuple[type[Model], ...]:
    """The tables `lines` reads: the person's too for a township."""
    return (Line, Roll, Person) if len(query.region) > 6 else (Line, Roll)


def _key(dimension: str, value: Any) -> Any:
    return f"{value:%Y-%m}" if dimension == "month" else value


def _grouped(
    query: Query, found: QuerySet[Line] | None = None, **aggregates: Any
) -> list[dict[str, Any]]:
    found = lines(query) if found is None else found
    if not query.by:
        return [found.aggregate(**aggregates)]
    grouped = (
        found.annotate(**{f"_{d}": F(_FIELDS[d]) for d in query.by})
        .values(*(f"_{d}" for d in query.by))
        .annotate(**aggregates)
        .order_by()
    )
    return [
        {**{d: _key(d, row[f"_{d}"]) for d in query.by}, **{k: row[k] for k in aggregates}}
        for row in grouped
    ]


def persons_rows(query: Query) -> list[Row]:
    return _grouped(query, persons=Count("person_id", distinct=True))


def amount_rows(query: Query) -> list[Row]:
    rows = _grouped(query, value=Sum("amount"))
    return [{**row, "value": row["value"] or 0} for row in rows if row["value"] is not None]


def paid_persons(query: Query) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=lines(query).values("person_id"))


PERSONS_PAID = register(
    Figure(
        id="subsidies.persons_paid",
        area="subsidies",
        name=_("Persons paid a subsidy"),
        definition=_(
            "Persons with at least one payment on an approved payment roll of a month in the "
            "period (regular, back pay or adjustment), counted once however many payments; by "
            "the roll's county and subsidy and the roll's month."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=persons_rows,
        sources=SOURCES,
        sources_for=_lines_sources,
        records=paid_persons,
        unit=_("persons"),
        # A person paid both subsidies, or in two months, is one person in the total.
        additive=False,
    )
)

AMOUNT_PAID = register(
    Figure(
        id="subsidies.amount_paid",
        area="subsidies",
        name=_("Subsidy amounts paid"),
        definition=_(
            "The sum of the payments on approved payment rolls of the months in the period "
            "(regular, back pay and adjustments, negative adjustments deducted), in yuan; by "
            "the roll's county and subsidy and the roll's month."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=amount_rows,
        sources=SOURCES,
        sources_for=_lines_sources,
        records=lines,
        key=VALUE,
        unit=_("yuan"),
        count_of="subsidies.persons_paid",
    )
)


# --- Back pay ----------------------------------------------------------------------------------


def back_pay(query: Query) -> QuerySet[Line]:
    return lines(query).filter(kind=LineKind.BACK_PAY)


def back_pay_persons(query: Query) -> list[Row]:
    return _grouped(query, back_pay(query), persons=Count("person_id", distinct=True))


def back_pay_amount(query: Query) -> list[Row]:
    rows = _grouped(query, back_pay(query), value=Sum("amount"))
    return [row for row in rows if row["value"] is not None]


BACK_PAY_PERSONS = register(
    Figure(
        id="subsidies.back_pay_persons",
        area="subsidies",
        name=_("Persons paid back pay"),
        definition=_(
            "Persons with at least one back-pay payment (the months from the application's "
            "month to the approval, paid with the first roll after it) on an approved payment "
            "roll of a month in the period, counted once; by the roll's county and subsidy and "
            "the roll's month."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=back_pay_persons,
        sources=SOURCES,
        sources_for=_lines_sources,
        additive=False,
        records=lambda query: Person.objects.filter(pk__in=back_pay(query).values("person_id")),
        unit=_("persons"),
    )
)

BACK_PAY_AMOUNT = register(
    Figure(
        id="subsidies.back_pay_amount",
        area="subsidies",
        name=_("Back pay paid"),
        definition=_(
            "The sum of the back-pay payments on approved payment rolls of the months in the "
            "period, in yuan, counted in the month of the roll that paid them (not the month "
            "they were due for); by the roll's county and subsidy and the roll's month."
        ),
        timing=PERIOD,
        dimensions=DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=back_pay_amount,
        sources=SOURCES,
        sources_for=_lines_sources,
        records=back_pay,
        key=VALUE,
        unit=_("yuan"),
        count_of="subsidies.back_pay_persons",
        sum_of="amount",
    )
)


# --- Stops -------------------------------------------------------------------------------------

# A stop with no condition failed: eligible, but the amount in force was nil.
NO_AMOUNT = "no_amount"
STOP_REASONS = [*dict.fromkeys(c.key for cs in CONDITIONS.values() for c in cs), NO_AMOUNT]


def stop_reason_words(key: str) -> str:
    if key == NO_AMOUNT:
        return str(_("Eligible, but no amount in force"))
    return NAMES[key]()


register_dimension(
    Dimension(
        "stop_reason",
        _("First condition not met"),
        stop_reason_words,
        _one_of(STOP_REASONS),
        STOP_REASONS.index,
    )
)
MONTH_READ = grouping.Read(lambda: F("roll__month"), key=lambda v: f"{v:%Y-%m}", value=_month)
STOP_READS = {
    "county": grouping.field("roll__county"),
    "programme": grouping.field("roll__programme"),
    "month": MONTH_READ,
    "stop_reason": grouping.Read(
        lambda: Coalesce(KT("conditions__0"), Value(NO_AMOUNT), output_field=CharField())
    ),
}


def _stops(query: Query) -> QuerySet[Stop]:
    """The stops of approved rolls of the period's months in the region. A roll is kept per
    county, and so are its stops (payroll.Stop.visible_to): below a county, none."""
    start, end = query.period
    return Stop.objects.filter(
        roll__status=RollStatus.APPROVED,
        roll__month__gte=start.replace(day=1),
        roll__month__lte=end,
        roll__county__startswith=query.region,
    )


stop_rows, stops = grouping.counter(_stops, STOP_READS)


STOPS = register(
    Figure(
        id="subsidies.stops",
        area="subsidies",
        name=_("Subsidy payments stopped"),
        definition=_(
            "Persons enrolled in a subsidy and not paid on an approved payment roll of a month "
            "in the period (停发), counted once per roll (a person stopped in three months "
            "counts three times); by the roll's county, subsidy and month and the first "
            "condition not met, in the order the rules check them (an amount in force, the "
            "certificate valid, alive, living in the jurisdiction, …). Rolls are kept per "
            "county: below a county nothing is counted."
        ),
        timing=PERIOD,
        dimensions=(*DIMENSIONS, "stop_reason"),
        permission=Perm.VIEW_SUBSIDY,
        rows=stop_rows,
        sources=SOURCES,
        records=stops,
        key=VALUE,
        unit=_("stops"),
    )
)


# --- Recoveries ----------------------------------------------------------------------------------

register_dimension(
    Dimension(
        "recovery_status",
        _("Recovery status"),
        lambda key: str(RecoveryStatus(key).label),
        _one_of([s.value for s in RecoveryStatus]),
    )
)
RECOVERY_READS = {
    "county": grouping.field("line__roll__county"),
    "programme": grouping.field("line__programme"),
    "recovery_status": grouping.field("status"),
}


def _recoveries(query: Query) -> QuerySet[Recovery]:
    """The items to recover found on a day of the period in the region: kept per county, as
    the rolls are (payroll.Recovery.visible_to): below a county, none."""
    start, end = query.period
    return Recovery.objects.filter(
        created_at__date__gte=start,
        created_at__date__lte=end,
        line__roll__county__startswith=query.region,
    )


recovery_rows, recoveries = grouping.counter(_recoveries, RECOVERY_READS)
recovery_amounts = grouping.rows_of(_recoveries, RECOVERY_READS, value=Sum("line__amount"))


RECOVERY_DIMENSIONS = ("county", "programme", "recovery_status")
RECOVERIES = register(
    Figure(
        id="subsidies.recoveries",
        area="subsidies",
        name=_("Payments to recover"),
        definition=_(
            "Payments found, on a day of the period, to have been made for a month the person "
            "was not entitled to (paid after a death, a move out or a cancellation dated "
            "back), each an item to recover; by the county of the roll that paid it, the "
            "subsidy, and the item's status as it stands now (to recover, recovered, written "
            "off). Rolls are kept per county: below a county nothing is counted."
        ),
        timing=PERIOD,
        dimensions=RECOVERY_DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=recovery_rows,
        sources=SOURCES,
        records=recoveries,
        key=VALUE,
        unit=_("payments"),
    )
)

RECOVERY_AMOUNT = register(
    Figure(
        id="subsidies.recovery_amount",
        area="subsidies",
        name=_("Amounts to recover"),
        definition=_(
            "The sum of the payments to recover (as in “Payments to recover”), in yuan; by the "
            "county of the roll that paid them, the subsidy and the item's status now."
        ),
        timing=PERIOD,
        dimensions=RECOVERY_DIMENSIONS,
        permission=Perm.VIEW_SUBSIDY,
        rows=recovery_amounts,
        sources=SOURCES,
        records=recoveries,
        key=VALUE,
        unit=_("yuan"),
        count_of="subsidies.recoveries",
        sum_of="line__amount",
    )
)
