"""Writes of many persons at once (spreadsheet imports), with the same rules as one at a time.

Each row is checked by `services.validate` (with the places and duplicate lookups done once
for the whole batch instead of per row), prepared by `services.prepare` (cipher, blind index,
masks, pinyin initials) and audited with the same `person.create` / `person.update` entries
as a form would write, so a person's history reads the same whichever way the change came.
The rows are written with prepared INSERT/UPDATE statements (`canlian.lib.bulk`).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.lib import bulk
from canlian.people import services, versions
from canlian.people.models import Person, StatusKind, StatusPeriod

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

PERSON_COLUMNS = (
    "id_number_cipher", "id_number_index", "id_tail_index", "id_number_masked", "name",
    "name_initials",
    "sex", "birth_date", "ethnicity", "place_id", "address", "phone_cipher", "phone_masked",
    "guardian_name", "guardian_relation", "guardian_phone_cipher", "guardian_phone_masked",
    "category", "grade", "certificate_issued_on", "certificate_expires_on", "life_status",
    "life_status_date", "bank_name", "bank_account_cipher", "bank_account_masked",
)  # fmt: skip
DATE_COLUMNS = frozenset(
    {"birth_date", "certificate_issued_on", "certificate_expires_on", "life_status_date"}
)
PERIOD_COLUMNS = ("person_id", "kind", "start", "end")


@dataclasses.dataclass
class StatusChange:
    """Open a period of `kind` from `day`, or (open=False) end the current one."""

    kind: str
    open: bool


@dataclasses.dataclass
class Planned:
    """One person to create (from column `values`, see `services.new_values`) or to update
    (`person`, already changed in memory, and its `changes`). `pk` is set when written."""

    person: Person | None
    values: dict[str, Any]
    changes: dict[str, list[Any]]
    status_changes: list[StatusChange]
    created: bool
    pk: int | None = None

    @property
    def region(self) -> str:
        return str(self.values["place_id"]) if self.created else str(self.person.place_id)  # type: ignore[union-attr]


def current_statuses(person_ids: Sequence[int], day: datetime.date) -> dict[int, dict[str, int]]:
    """{person id: {status kind: id of the period held on `day`}}."""
    held: dict[int, dict[str, int]] = {}
    periods = (
        StatusPeriod.objects.filter(person_id__in=person_ids, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .values_list("person_id", "kind", "pk")
    )
    for person_id, kind, pk in periods:
        held.setdefault(person_id, {})[kind] = pk
    return held


def _row(source: Person | dict[str, Any]) -> tuple[Any, ...]:
    adapt = connection.ops.adapt_datefield_value
    get = source.get if isinstance(source, dict) else source.__dict__.get
    values = []
    for column in PERSON_COLUMNS:
        value = get(column)
        if column in DATE_COLUMNS:
            value = adapt(value)
        elif isinstance(value, memoryview):
            value = bytes(value)
        values.append(value)
    return tuple(values)


class Writer:
    """Writes planned persons inside the caller's transaction, chunk by chunk."""

    def __init__(self, *, acting_user: Actor, today: datetime.date, detail: dict[str, Any]) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("people.batch.Writer must be used inside a transaction")
        require(acting_user, Perm.CHANGE_PERSON)
        self.today = today
        self.detail = detail
        self.audit = audit.Batch(acting_user=acting_user)
        self.next_id = bulk.lock_and_next_id(Person)

    def write(self, planned: Sequence[Planned]) -> None:
        creates = [p for p in planned if p.created]
        updates = [p for p in planned if not p.created and p.changes]
        for item in creates:
            item.pk = self.next_id
            self.next_id += 1
        for item in planned:
            if not item.created:
                item.pk = item.person.pk  # type: ignore[union-attr]
        if creates:
            bulk.insert_rows(
                Person, ("id", *PERSON_COLUMNS), [(p.pk, *_row(p.values)) for p in creates]
            )
        if updates:
            bulk.update_rows(
                Person,
                PERSON_COLUMNS,
                [(*_row(p.person), p.pk) for p in updates],  # type: ignore[arg-type]
            )
        self._write_statuses(planned)
        versions.sync([p.pk for p in [*creates, *updates]], self.today)  # type: ignore[misc]
        for item in planned:
            self._audit(item)
        self.audit.flush()

    def _audit(self, item: Planned) -> None:
        target = str(item.pk)
        region = item.region
        if item.created:
            detail = {"after": services.snapshot_of(item.values), **self.detail}
            self._add("person.create", target, region, detail)
        elif item.changes:
            detail = {"changes": item.changes, **self.detail}
            self._add("person.update", target, region, detail)
        for change in item.status_changes:
            detail = {"kind": change.kind, **self.detail}
            if change.open:
                detail |= {"start": self.today.isoformat(), "end": None}
                self._add("person.status.add", target, region, detail)
            else:
                detail |= {"end": [None, self._end_day().isoformat()]}
                self._add("person.status.end", target, region, detail)

    def _add(self, action: str, target: str, region: str, detail: dict[str, Any]) -> None:
        # The details are built here from snapshots (ISO dates, codes, text): JSON-native.
        self.audit.add(
            action=action,
            target_type="people.person",
            target_id=target,
            region=region,
            detail=detail,
            native=True,
        )

    def _end_day(self) -> datetime.date:
        return self.today - datetime.timedelta(days=1)

    def _write_statuses(self, planned: Sequence[Planned]) -> None:
        adapt = connection.ops.adapt_datefield_value
        opens = [
            (p.pk, change.kind, adapt(self.today), None)
            for p in planned
            for change in p.status_changes
            if change.open
        ]
        if opens:
            bulk.insert_rows(StatusPeriod, PERIOD_COLUMNS, opens)
        closing: dict[str, list[int]] = {}
        for p in planned:
            for change in p.status_changes:
                if not change.open:
                    closing.setdefault(change.kind, []).append(p.pk)  # type: ignore[arg-type]
        for kind, person_ids in closing.items():
            assert kind in StatusKind.values
            held = StatusPeriod.objects.filter(
                person_id__in=person_ids, kind=kind, start__lte=self.today
            ).filter(Q(end__isnull=True) | Q(end__gte=self.today))
            # A period that started today ends today: it cannot end before it began.
            held.filter(start__gte=self.today).update(end=self.today)
            held.filter(start__lt=self.today).update(end=self._end_day())
