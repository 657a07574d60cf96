"""The registry's row rules for imports: each row read (with its ID number checked and its
blind index made), checked by the registry's own rules (`people.services.validate`), and
planned as a new person, a change or nothing; a clean chunk is written by `people.batch`."""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from canlian.accounts.display import PlaceNames
from canlian.accounts.scoping import covers, outside_refusal
from canlian.lib import crypto, idcard
from canlian.people import batch, services
from canlian.people.exchange.columns import BY_KEY, STATUS_COLUMNS, home_of, registry_for
from canlian.people.exchange.vocabulary import READERS
from canlian.people.history import display_of, label_of
from canlian.people.models import ID_CONTEXT, Person
from canlian.spreadsheets.imports import Row, Rules, Source
from canlian.spreadsheets.outcome import Change, Outcome
from canlian.spreadsheets.places import PlaceResolver
from canlian.spreadsheets.reading import Cell

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

PLACE_FAILED = "_place"  # in Row.bad: the row names no known place (already reported)
# PersonData fields whose value the registry keeps when the file has no such column.
KEPT_FIELDS = (
    "name", "sex", "birth_date", "ethnicity", "address", "guardian_name",
    "guardian_relation", "category", "grade", "certificate_issued_on",
    "certificate_expires_on", "life_status", "life_status_date", "bank_name",
)  # fmt: skip
# Sealed values: kept unopened (None) when the file has no such column.
KEPT_SEALED = ("phone", "guardian_phone", "bank_account")


@dataclasses.dataclass
class PersonRow(Row):
    id_check: idcard.IdCheck
    index: str  # blind index of the ID number, "" when invalid


class PersonRules(Rules[PersonRow]):
    """One pass over a file of persons: checked only (`writer` None) or written chunk by
    chunk by `writer`."""

    def __init__(
        self,
        *,
        outcome: Outcome,
        source: Source,
        acting_user: Actor,
        today: datetime.date,
        writer: batch.Writer | None,
    ) -> None:
        home = home_of(acting_user)
        super().__init__(
            outcome=outcome, source=source, columns=registry_for(home), readers=READERS
        )
        self.acting_user = acting_user
        self.today = today
        self.writer = writer
        self.places = PlaceResolver(home)
        self.place_names = PlaceNames()  # the changed places' names, each looked up once
        self.new_person = _("New person")
        # First 16 bytes of each blind index → its first row: a million rows fit in ~100 MB.
        self.seen: dict[bytes, int] = {}

    def read_row(self, number: int, cells: list[Cell]) -> PersonRow:
        values, bad = self.read_values(number, cells)
        check = idcard.check(values.get("id_number") or "", today=self.today)
        blind = ""
        if check.valid and check.normalized:
            blind = crypto.blind_index(check.normalized, context=ID_CONTEXT)
        return PersonRow(number, cells, values, bad, check, blind)

    def process(self, chunk: list[PersonRow]) -> None:
        indexes = [r.index for r in chunk if r.index]
        existing_qs = Person.objects.filter(id_number_index__in=indexes).select_related("place")
        if self.writer is not None:
            existing_qs = existing_qs.select_for_update()
        existing = {p.id_number_index: p for p in existing_qs}
        held = batch.current_statuses([p.pk for p in existing.values()], self.today)
        # Persons whose certificate the certificate procedures hold: the import keeps their
        # category, grade and dates.
        managed = set(
            Person.objects.filter(
                pk__in=[p.pk for p in existing.values()], certificates__isnull=False
            ).values_list("pk", flat=True)
        ) if existing else set()  # fmt: skip
        planned: list[batch.Planned] = []
        for row in chunk:
            problems_before = self.outcome.problem_count
            plan = self.check_row(row, existing.get(row.index), held, managed)
            if self.outcome.problem_count > problems_before or row.bad:
                self.outcome.rejected_rows += 1
                continue
            if plan is None:
                self.outcome.unchanged += 1
                continue
            planned.append(plan)
            if plan.created:
                self.outcome.created += 1
            else:
                self.outcome.updated += 1
        if self.writer is not None and self.outcome.problem_count == 0 and planned:
            self.write_behind(self.writer.write, planned)

    def check_row(
        self,
        row: PersonRow,
        person: Person | None,
        held: dict[int, dict[str, int]],
        managed: set[int],
    ) -> batch.Planned | None:
        if self.repeated(row):
            return None
        if person is not None:
            self.outcome.matched += 1
        if person is not None and not covers(self.acting_user, person.place.code):
            self.fail(row, "id_number", outside_refusal())
            return None
        data = self.person_data(row, person)
        try:
            cleaned = services.validate(
                data,
                acting_user=self.acting_user,
                today=self.today,
                existing=person,
                places=self.places.by_code,
                check_duplicate=False,
                id_check=row.id_check,
                certificate_managed=person is not None and person.pk in managed,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field == "place_code" and PLACE_FAILED in row.bad:
                    continue
                key = self.key_of(field)
                for message in messages:
                    if key not in row.bad:
                        self.fail(row, key, message)
            return None
        return self.plan(row, person, cleaned, held)

    def repeated(self, row: PersonRow) -> bool:
        """Whether the row's ID number is on an earlier row of the file (reported if so)."""
        if not row.index:
            return False
        first = self.seen.setdefault(bytes.fromhex(row.index[:32]), row.number)
        if first == row.number:
            return False
        self.fail(
            row,
            "id_number",
            _("The same ID number is already on row %(row)s of this file.") % {"row": first},
        )
        return True

    def key_of(self, field: str) -> str:
        if field == "place_code":
            return "place_code" if "place_code" in self.mapping else "township"
        return field if field in BY_KEY else ""

    def person_data(self, row: PersonRow, person: Person | None) -> services.PersonData:
        v = row.values
        fallback = str(person.place_id) if person else ""
        place_code, place_problems = self.places.resolve(v, fallback=fallback)
        for place_key, place_error in place_problems:
            # Reported here, each on its column; the row is still checked for its other
            # problems.
            self.fail(row, place_key, place_error)
            row.bad.add(PLACE_FAILED)
        data = services.PersonData(
            id_number=v.get("id_number") or "",
            name="",
            ethnicity="",
            place_code=place_code,
            category=0,
            grade=0,
            certificate_issued_on=None,
            certificate_number=v.get("certificate_number") or "",
        )
        if person is not None:
            for field in KEPT_FIELDS:
                setattr(data, field, getattr(person, field))
        for field in KEPT_FIELDS:
            if field in self.mapping:
                setattr(data, field, self.filled(field, v.get(field)))
        for field in KEPT_SEALED:
            if field in self.mapping:
                setattr(data, field, v.get(field) or "")
            elif person is not None:
                setattr(data, field, None)
        if "life_status" in self.mapping and v.get("life_status") is None:
            data.life_status = "active"
        return data

    @staticmethod
    def filled(field: str, value: Any) -> Any:
        """The PersonData value of an empty cell."""
        if value is not None:
            return value
        if field in ("category", "grade"):
            return 0
        if field in ("ethnicity",):
            return ""
        if field.endswith("_on") or field.endswith("date"):
            return None
        return ""

    def plan(
        self,
        row: PersonRow,
        person: Person | None,
        cleaned: services.Cleaned,
        held: dict[int, dict[str, int]],
    ) -> batch.Planned | None:
        created = person is None
        if person is None:
            values = services.new_values(cleaned, index=row.index)
            changes: dict[str, list[Any]] = {}
            who = f"{values['id_number_masked']} {values['name']}"
        else:
            values = {}
            changes = services.apply(person, cleaned)
            who = f"{person.id_number_masked} {person.name}"
        statuses = self.status_changes(row, held.get(person.pk, {}) if person else {})
        if not created and not changes and not statuses:
            return None
        if created:
            self.outcome.change(Change(row.number, who, self.new_person, "", ""))
        for field, (old, new) in changes.items():
            shown_old = display_of(field, old, self.place_names)
            shown_new = display_of(field, new, self.place_names)
            self.outcome.change(Change(row.number, who, label_of(field), shown_old, shown_new))
        for status in statuses:
            old, new = (_("No"), _("Yes")) if status.open else (_("Yes"), _("No"))
            key = next(k for k, kind in STATUS_COLUMNS.items() if kind == status.kind)
            self.outcome.change(Change(row.number, who, BY_KEY[key].header, old, new))
        return batch.Planned(person, values, changes, statuses, created)

    def status_changes(self, row: PersonRow, held: dict[str, int]) -> list[batch.StatusChange]:
        result = []
        for key, kind in STATUS_COLUMNS.items():
            wanted = row.values.get(key)
            if wanted is None:
                continue
            if wanted and kind not in held:
                result.append(batch.StatusChange(kind, open=True))
            elif not wanted and kind in held:
                result.append(batch.StatusChange(kind, open=False))
        return result
