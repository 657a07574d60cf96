"""How the drill-down lists the records of each model a figure counts (other than persons and
payment lines, which views.records lists itself): the model's own scoped queryset, what to
fetch with each row, the order and the template.

A figure's records are computed for the user's jurisdiction already; the listing reads them
again through the model's ``visible_to(user)``, so that nothing outside what the user may
read is ever listed, whatever a figure's query says."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet

from canlian.certificates.models import Application, CancelledCard, Certificate, Objection
from canlian.levy.models import Declaration, DeclaredEmployee
from canlian.payroll.models import Recovery, Stop
from canlian.spreadsheets.models import ImportJob
from canlian.stats.figures.subsidies import NO_AMOUNT, stop_reason_words

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


@dataclasses.dataclass(frozen=True)
class Listing:
    template: str
    visible: Callable[[Actor], QuerySet[Any]]
    related: tuple[str, ...]
    order: tuple[str, ...]
    # What a row shown needs beyond its fields, set on it before the page is drawn.
    prepare: Callable[[Any], None] = lambda row: None

    def listed(self, user: Actor, found: QuerySet[Any]) -> QuerySet[Any]:
        """The records `found`, as far as `user` may read them, ready to list."""
        return (
            self.visible(user)
            .filter(pk__in=found.values("pk"))
            .select_related(*self.related)
            .order_by(*self.order)
        )


def _stop_reasons(stop: Stop) -> None:
    """The conditions not met, in words (an eligible person stopped for a nil amount: that)."""
    keys = list(stop.conditions) or [NO_AMOUNT]
    stop.reasons = [stop_reason_words(key) for key in keys]  # type: ignore[attr-defined]


LISTINGS: dict[type[Model], Listing] = {
    Application: Listing(
        "stats/records_applications.html",
        lambda user: Application.objects.visible_to(user),
        ("place", "place__parent"),
        ("received_on", "id"),
    ),
    Certificate: Listing(
        "stats/records_certificates.html",
        lambda user: Certificate.objects.visible_to(user),
        ("person", "county"),
        ("issued_on", "id"),
    ),
    CancelledCard: Listing(
        "stats/records_cards.html",
        lambda user: CancelledCard.objects.visible_to(user),
        ("person", "certificate__county"),
        ("cancelled_on", "id"),
    ),
    Objection: Listing(
        "stats/records_objections.html",
        lambda user: Objection.objects.visible_to(user),
        ("application", "application__place"),
        ("filed_on", "id"),
    ),
    Stop: Listing(
        "stats/records_stops.html",
        lambda user: Stop.objects.visible_to(user),
        ("person", "roll"),
        ("roll__month", "person_id", "id"),
        _stop_reasons,
    ),
    Recovery: Listing(
        "stats/records_recoveries.html",
        lambda user: Recovery.objects.visible_to(user),
        ("line", "line__person", "line__roll"),
        ("created_at", "id"),
    ),
    Declaration: Listing(
        "stats/records_declarations.html",
        lambda user: Declaration.objects.visible_to(user),
        ("employer", "employer__place"),
        ("year", "employer__name", "id"),
    ),
    DeclaredEmployee: Listing(
        "stats/records_employees.html",
        lambda user: DeclaredEmployee.objects.visible_to(user),
        ("declaration", "declaration__employer"),
        ("year", "declaration__employer__name", "line", "id"),
    ),
    ImportJob: Listing(
        "stats/records_imports.html",
        lambda user: ImportJob.objects.visible_to(user),
        ("created_by",),
        ("created_at", "id"),
    ),
}
