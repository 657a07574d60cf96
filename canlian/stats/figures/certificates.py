"""Certificates: issued (first, renewed, changed, replaced) and cancelled in a period, card
numbers cancelled, applications open and overdue on a day, objections received and decided.

A certificate counts in the county that issued it; a township's figures take the holders whose
household is registered in it today (a certificate row keeps its issuing county only).
Applications and objections count where the applicant's household was registered when the
application was made. Overdue is the worklists' rule: a step's last day has passed
(``lib.steps.overdue_filter``, the deadlines that ``certificates.services.deadlines`` set)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, CharField, Exists, Model, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.certificates import step_map
from canlian.certificates.models import (
    OPEN_STATUSES,
    Application,
    Assessment,
    CancelledCard,
    CancelReason,
    Certificate,
    CertificateStatus,
    Issue,
    Kind,
    Level,
    Objection,
    ObjectionOutcome,
    ReplacementReason,
)
from canlian.lib.steps import overdue_filter
from canlian.people.models import Person
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
from canlian.stats.dimensions import _one_of

# The tables the rows read (stats.kept keeps the rows until one of them changes).
SOURCES: tuple[type[Model], ...] = (
    Application,
    Assessment,
    CancelledCard,
    Certificate,
    Objection,
    Person,
)

AREA = "certificates"
CERTIFICATES = _("certificates")
APPLICATIONS = _("applications")
OBJECTIONS = _("objections")


def _choices(choices: Any) -> tuple[Any, Any]:
    """A dimension's words and parse for the codes of a TextChoices."""
    return (lambda key: str(choices(key).label)), _one_of([c.value for c in choices])


for dimension_id, label, choices in (
    ("kind", _("Kind of application"), Kind),
    ("cancel_reason", _("Reason for cancellation"), CancelReason),
    ("card_reason", _("Lost or damaged"), ReplacementReason),
    ("level", _("Level"), Level),
    ("outcome", _("Outcome"), ObjectionOutcome),
):
    register_dimension(Dimension(dimension_id, label, *_choices(choices)))

STEPS = (step_map.ASSESS, step_map.REVIEW, step_map.OBJECTION)
register_dimension(
    Dimension(
        "step", _("Step overdue"), lambda key: str(step_map.LABELS[key]), _one_of(STEPS),
        STEPS.index,
    )
)  # fmt: skip


def _in_region(records: QuerySet[Any], region: str, county: str, place: str) -> QuerySet[Any]:
    """Records of `region`: by the county field `county`, and below a county by the place
    field `place` (the holder's household today)."""
    records = records.filter(**{f"{county}__startswith": region[:6]})
    if len(region) > 6:
        records = records.filter(**{f"{place}__startswith": region})
    return records


# --- Certificates issued and cancelled ---------------------------------------------------------

CERTIFICATE_READS = {
    "county": grouping.county_of("county_id"),
    "category": grouping.field("category"),
    "grade": grouping.field("grade"),
    "cancel_reason": grouping.field("cancel_reason"),
}


def _issued(issue: str) -> grouping.Records:
    def found(query: Query) -> QuerySet[Certificate]:
        start, end = query.period
        certificates = Certificate.objects.filter(
            issue=issue, issued_on__gte=start, issued_on__lte=end
        )
        return _in_region(certificates, query.region, "county__code", "person__place__code")

    return found


ISSUED = (
    (
        "certificates.issued_first",
        Issue.FIRST,
        _("Certificates issued for the first time"),
        _(
            "Certificates issued on a first application (a person certified for the first "
            "time, or again after a cancellation), with a date of issue in the period; by the "
            "county that issued them and the certificate's category and grade."
        ),
    ),
    (
        "certificates.renewed",
        Issue.RENEWAL,
        _("Certificates renewed"),
        _(
            "Certificates issued on a renewal (with or without re-assessment), with a date of "
            "issue in the period; by the county that issued them and the new certificate's "
            "category and grade."
        ),
    ),
    (
        "certificates.changed",
        Issue.CHANGE,
        _("Certificates changed"),
        _(
            "Certificates issued for a change of category or grade (on a holder's application, "
            "or after an objection changed a certificate's grade), with a date of issue in the "
            "period; by the county that issued them and the new category and grade."
        ),
    ),
    (
        "certificates.replaced",
        Issue.REPLACEMENT,
        _("Certificates replaced"),
        _(
            "Certificates issued to replace a lost or damaged card, with a date of issue in the "
            "period; by the county that issued them and the certificate's category and grade."
        ),
    ),
)

for figure_id, issue, name, definition in ISSUED:
    rows, records = grouping.counter(_issued(issue), CERTIFICATE_READS)
    register(
        Figure(
            id=figure_id,
            area=AREA,
            name=name,
            definition=definition,
            timing=PERIOD,
            dimensions=("county", "category", "grade"),
            permission=Perm.VIEW_CERTIFICATE,
            rows=rows,
            sources=SOURCES,
            records=records,
            key=VALUE,
            unit=CERTIFICATES,
        )
    )


def _cancelled(query: Query) -> QuerySet[Certificate]:
    start, end = query.period
    certificates = Certificate.objects.filter(
        status=CertificateStatus.CANCELLED, ended_on__gte=start, ended_on__lte=end
    )
    return _in_region(certificates, query.region, "county__code", "person__place__code")


rows, records = grouping.counter(_cancelled, CERTIFICATE_READS)
CANCELLED = register(
    Figure(
        id="certificates.cancelled",
        area=AREA,
        name=_("Certificates cancelled"),
        definition=_(
            "Certificates cancelled (on the holder's death, because a re-assessment found the "
            "standard no longer met, or at the holder's request) with a date of cancellation in "
            "the period; by the county that issued them, the certificate's category and grade "
            "and the reason. A cancellation undone after an objection does not count; a "
            "certificate replaced or renewed is not cancelled."
        ),
        timing=PERIOD,
        dimensions=("county", "category", "grade", "cancel_reason"),
        permission=Perm.VIEW_CERTIFICATE,
        rows=rows,
        sources=SOURCES,
        records=records,
        key=VALUE,
        unit=CERTIFICATES,
    )
)

CARD_READS = {
    "county": grouping.county_of("certificate__county_id"),
    "category": grouping.field("category"),
    "grade": grouping.field("grade"),
    "card_reason": grouping.field("reason"),
}


def _cards(query: Query) -> QuerySet[CancelledCard]:
    start, end = query.period
    cards = CancelledCard.objects.filter(cancelled_on__gte=start, cancelled_on__lte=end)
    return _in_region(cards, query.region, "certificate__county__code", "person__place__code")


rows, records = grouping.counter(_cards, CARD_READS)
CARDS = register(
    Figure(
        id="certificates.cards_cancelled",
        area=AREA,
        name=_("Card numbers cancelled on replacement"),
        definition=_(
            "Card numbers cancelled because the card was lost or damaged and replaced, with the "
            "date of the replacement in the period; by the county that issued the replaced "
            "certificate, its category and grade, and whether the card was lost or damaged. A "
            "cancelled number is never valid again."
        ),
        timing=PERIOD,
        dimensions=("county", "category", "grade", "card_reason"),
        permission=Perm.VIEW_CERTIFICATE,
        rows=rows,
        sources=SOURCES,
        records=records,
        key=VALUE,
        unit=_("card numbers"),
    )
)


# --- Applications open and overdue on a day ----------------------------------------------------

APPLICATION_READS = {
    "county": grouping.county_of("place_id"),
    "kind": grouping.field("kind"),
    "category": grouping.field("category"),
    "step": grouping.field("_overdue_step"),
}


def _undecided(day: datetime.date) -> Q:
    return Q(decided_on__isnull=True) | Q(decided_on__gt=day)


def _objections_open(day: datetime.date) -> QuerySet[Objection]:
    """The objections of the outer application received by `day` and not decided by it."""
    return Objection.objects.filter(application=OuterRef("pk"), filed_on__lte=day).filter(
        _undecided(day)
    )


def open_on(day: datetime.date) -> Q:
    """The applications open on `day`: received by then and not decided by then, or under an
    objection that day, or reopened by an objection decided by then and open still."""
    reopened = Q(status__in=OPEN_STATUSES) & Exists(
        Objection.objects.filter(application=OuterRef("pk"), decided_on__lte=day)
    )
    return Q(received_on__lte=day) & (_undecided(day) | Exists(_objections_open(day)) | reopened)


def overdue_step(day: datetime.date) -> Case:
    """The step at which an application is overdue on `day`, "" when none: an objection
    under consideration past its decision's last day, else the county review past its last
    day, else an assessment booked for a day before `day` and not recorded by then."""
    objection = _objections_open(day)
    booking = (
        Assessment.objects.filter(application=OuterRef("pk"))
        .filter(overdue_filter("booked_for", day))
        .filter(Q(assessed_on__isnull=True) | Q(assessed_on__gt=day))
    )
    return Case(
        When(Exists(objection.filter(overdue_filter("decision_due", day))),
             then=Value(step_map.OBJECTION)),
        When(Exists(objection), then=Value("")),
        When(overdue_filter("review_due", day), then=Value(step_map.REVIEW)),
        When(Exists(booking), then=Value(step_map.ASSESS)),
        default=Value(""),
        output_field=CharField(),
    )  # fmt: skip


def _open(query: Query) -> QuerySet[Application]:
    return Application.objects.filter(open_on(query.day), place__code__startswith=query.region)


def _overdue(query: Query) -> QuerySet[Application]:
    return _open(query).alias(_overdue_step=overdue_step(query.day)).exclude(_overdue_step="")


rows, records = grouping.counter(_open, APPLICATION_READS)
APPLICATIONS_OPEN = register(
    Figure(
        id="certificates.applications_open",
        area=AREA,
        name=_("Certificate applications open"),
        definition=_(
            "Certificate applications (first, renewal, change, replacement, transfer) received "
            "on or before the day and not decided by it (a certificate issued or the transfer "
            "completed, refused, rejected at the county review, found not to meet the standard, "
            "or withdrawn after the day), and those under an objection received by the day and "
            "not yet decided; by the county of the applicant's household, the kind of "
            "application and the category applied for. An application whose decision an "
            "objection reopened counts from the objection until it is decided again; its "
            "earlier decision is not kept, so the days between it and the objection count "
            "once it is decided again."
        ),
        timing=AS_OF,
        dimensions=("county", "kind", "category"),
        permission=Perm.VIEW_CERTIFICATE,
        rows=rows,
        sources=SOURCES,
        records=records,
        key=VALUE,
        unit=APPLICATIONS,
    )
)

rows, records = grouping.counter(_overdue, APPLICATION_READS)
APPLICATIONS_OVERDUE = register(
    Figure(
        id="certificates.applications_overdue",
        area=AREA,
        name=_("Certificate applications overdue"),
        definition=_(
            "Open certificate applications (as in “Certificate applications open”) whose "
            "current step's last day had passed by the day, as the worklists count them: an "
            "objection whose decision was due before the day; otherwise the county review, due "
            "10 working days after the publicity (or the conclusion of a minor not posted), "
            "before the day; otherwise an assessment booked for a day before it and not "
            "recorded by then. By the county of the applicant's household, the kind of "
            "application and the step overdue."
        ),
        timing=AS_OF,
        dimensions=("county", "kind", "step"),
        permission=Perm.VIEW_CERTIFICATE,
        rows=rows,
        sources=SOURCES,
        records=records,
        key=VALUE,
        unit=APPLICATIONS,
    )
)


# --- Objections ------------------------------------------------------------------------------

OBJECTION_READS = {
    "county": grouping.county_of("application__place_id"),
    "level": grouping.field("level"),
    "outcome": grouping.field("outcome"),
}


def _objections(date_field: str) -> grouping.Records:
    def found(query: Query) -> QuerySet[Objection]:
        start, end = query.period
        return Objection.objects.filter(
            **{f"{date_field}__gte": start, f"{date_field}__lte": end},
            application__place__code__startswith=query.region,
        )

    return found


rows, records = grouping.counter(_objections("filed_on"), OBJECTION_READS)
OBJECTIONS_RECEIVED = register(
    Figure(
        id="certificates.objections_received",
        area=AREA,
        name=_("Objections to assessments received"),
        definition=_(
            "Objections to an assessment's conclusion received in the period (the day of "
            "receipt, not of recording), by the county of the applicant's household and the "
            "level they went to (the city federation, then the province expert committee)."
        ),
        timing=PERIOD,
        dimensions=("county", "level"),
        permission=Perm.VIEW_CERTIFICATE,
        rows=rows,
        sources=SOURCES,
        records=records,
        key=VALUE,
        unit=OBJECTIONS,
    )
)

rows, records = grouping.counter(_objections("decided_on"), OBJECTION_READS)
OBJECTIONS_DECIDED = register(
    Figure(
        id="certificates.objections_decided",
        area=AREA,
        name=_("Objections to assessments decided"),
        definition=_(
            "Objections decided in the period (the day of the decision), by the county of the "
            "applicant's household, the level that decided and the outcome: the conclusion "
            "stands, or it is changed."
        ),
        timing=PERIOD,
        dimensions=("county", "level", "outcome"),
        permission=Perm.VIEW_CERTIFICATE,
        rows=rows,
        sources=SOURCES,
        records=records,
        key=VALUE,
        unit=OBJECTIONS,
    )
)
