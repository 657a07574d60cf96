"""Monthly eligibility snapshots: the persons the subsidies' conditions find eligible in a month,
decided once for the whole registry and kept, so that figures over a period read them instead of
deciding the registry again for every month (one pass is ~3 s at 1,000,000 persons).

A snapshot is taken by `canlian subsidy snapshot` (the nightly timer in deploy/ takes the
current month; a month taken again replaces its snapshot). It records the place of each
person's household when it was taken: a person who moves later stays counted where they lived
(a month taken later, e.g. an earlier month kept on installation, records today's places).
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import logging
from collections.abc import Iterable

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from canlian.benefits.eligibility import Month, compute_month
from canlian.benefits.models import EligibilitySnapshot, EligibleMonth
from canlian.lib.bulk import copy_into, insert_rows

logger = logging.getLogger(__name__)

COLUMNS = ("month", "programme", "person_id", "place")


@dataclasses.dataclass(frozen=True)
class Taken:
    month: Month
    persons: int
    eligible: dict[str, int]
    seconds: float


def take(month: Month, *, now: datetime.datetime | None = None) -> Taken:
    """Decide `month` for the whole registry and replace its snapshot."""
    started = timezone.now()
    result = compute_month(month)
    blocks = []
    for programme, decided in result.programmes.items():
        chosen = decided.eligible
        blocks.append((str(programme), decided.person_ids[chosen], result.places[chosen]))
    with transaction.atomic():
        EligibleMonth.objects.filter(month=month.first).delete()
        _insert(month, blocks)
        EligibilitySnapshot.objects.update_or_create(
            month=month.first,
            defaults={
                "taken_at": now or timezone.now(),
                "persons": result.persons,
                "eligible": {programme: len(ids) for programme, ids, _ in blocks},
            },
        )
    seconds = (timezone.now() - started).total_seconds()
    taken = Taken(month, result.persons, {p: len(ids) for p, ids, _ in blocks}, seconds)
    logger.info(
        "eligibility snapshot %s: %s persons decided, eligible %s, %.1f s",
        month,
        taken.persons,
        taken.eligible,
        seconds,
    )
    return taken


def _insert(month: Month, blocks: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
    if connection.vendor == "postgresql":
        with copy_into(EligibleMonth, COLUMNS) as copy:
            for programme, ids, places in blocks:
                text = io.StringIO()
                prefix = f"{month.first.isoformat()}\t{programme}\t"
                for pk, place in zip(ids.tolist(), places.tolist(), strict=True):
                    text.write(f"{prefix}{pk}\t{place}\n")
                copy.write(text.getvalue())
        return
    first = connection.ops.adapt_datefield_value(month.first)
    insert_rows(
        EligibleMonth,
        COLUMNS,
        [
            (first, programme, pk, place)
            for programme, ids, places in blocks
            for pk, place in zip(ids.tolist(), places.tolist(), strict=True)
        ],
    )


def all_kept(start: datetime.date, end: datetime.date) -> bool:
    """Whether every month from `start`'s to `end`'s has a snapshot."""
    months = Month.span(Month.of(start), Month.of(end))
    return taken(months) == set(months)


def taken(months: Iterable[Month]) -> set[Month]:
    """Those of `months` that have a snapshot."""
    firsts = {m.first: m for m in months}
    found = EligibilitySnapshot.objects.filter(month__in=list(firsts)).values_list(
        "month", flat=True
    )
    return {firsts[day] for day in found}


def latest() -> EligibilitySnapshot | None:
    return EligibilitySnapshot.objects.order_by("-month").first()
