"""Import persons from a spreadsheet: parse → validate every row → report → apply all or nothing.

One engine for the command line (`canlian import-persons`) and the web page. A run reads the
file chunk by chunk (a CSV is streamed, so a million rows fit in little memory), checks every
row with the registry's own rules (`people.services.validate`) and collects every problem
with its row, column and reason. A dry run stops there. Otherwise the same pass writes each
clean chunk inside one transaction, and rolls the whole transaction back if any row of the
file had a problem: nothing partial lands.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers, outside_refusal
from canlian.lib import crypto, idcard, masks
from canlian.lib.forms import refusal_text
from canlian.people import batch, services
from canlian.people.history import display_of, label_of
from canlian.people.models import ID_CONTEXT, Person
from canlian.spreadsheets import matches
from canlian.spreadsheets import values as read
from canlian.spreadsheets.columns import BY_KEY, STATUS_COLUMNS, match_headers, missing_columns
from canlian.spreadsheets.places import PlaceResolver
from canlian.spreadsheets.reading import Cell, FileRefused, Limits, Table, open_table

CHUNK_ROWS = 2000
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HEADER_SEARCH_ROWS = 10
PLACE_FAILED = "_place"  # in _Row.bad: the row names no known place (already reported)
MAX_LISTED = 100_000  # problems and changes kept for the report; the counts are always exact
MEMO_SIZE = 10_000  # remembered readings per coded column

READERS: dict[str, Callable[[Cell], Any]] = {
    "sex": read.read_sex,
    "ethnicity": read.read_ethnicity,
    "birth_date": read.read_date,
    "category": read.read_category,
    "grade": read.read_grade,
    "certificate_issued_on": read.read_date,
    "certificate_expires_on": read.read_date,
    "life_status": read.read_life_status,
    "life_status_date": read.read_date,
    **{key: read.read_flag for key in STATUS_COLUMNS},
}
# PersonData fields whose value the registry keeps when the file has no such column.
KEPT_FIELDS = (
    "name", "sex", "birth_date", "ethnicity", "address", "guardian_name",
    "guardian_relation", "category", "grade", "certificate_issued_on",
    "certificate_expires_on", "life_status", "life_status_date", "bank_name",
)  # fmt: skip
# Sealed values: kept unopened (None) when the file has no such column.
KEPT_SEALED = ("phone", "guardian_phone", "bank_account")


@dataclasses.dataclass(frozen=True)
class Problem:
    row: int
    column: str  # letter and header, e.g. "B 公民身份号码"; "" for the whole row
    value: str  # as in the file, masked when sensitive
    reason: str


@dataclasses.dataclass(frozen=True)
class Change:
    row: int
    person: str  # masked ID number and name
    field: str
    before: str
    after: str


@dataclasses.dataclass
class Outcome:
    filename: str
    dry_run: bool
    kind: str = ""
    sha256: str = ""
    refused: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_rows: int = 0
    problem_count: int = 0
    change_count: int = 0
    applied: bool = False
    # Rows whose ID number is a person's already on the registry (spreadsheets.matches).
    matched: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)
    changes: list[Change] = dataclasses.field(default_factory=list)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.refused and self.rejected_rows == 0 and self.rows > 0

    def counts(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected_rows": self.rejected_rows,
        }

    def summary(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "problems": self.problem_count,
            "applied": self.applied,
            "dry_run": self.dry_run,
            "refused": self.refused or None,
        }

    def problem(self, row: int, column: str, value: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            # Control characters (NUL above all) from a cell would break JSON on PostgreSQL
            # and the report; they are shown as �.
            self.problems.append(
                Problem(row, column, _CONTROLS.sub("�", value), _CONTROLS.sub("�", reason))
            )

    def change(self, change: Change) -> None:
        self.change_count += 1
        if len(self.changes) < MAX_LISTED:
            self.changes.append(change)


class _Background:
    """A chunk written on this thread's database connection by another thread, while this
    one reads the next chunk of the file (which needs no database). The two never use the
    connection at once: this thread joins before its next query."""

    def __init__(self, function: Callable[..., None], *args: Any) -> None:
        self.error: BaseException | None = None
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.connection.inc_thread_sharing()
        self.thread = threading.Thread(target=self._run, args=(function, *args), daemon=True)
        self.thread.start()

    def _run(self, function: Callable[..., None], *args: Any) -> None:
        connections[DEFAULT_DB_ALIAS] = self.connection
        try:
            function(*args)
        except BaseException as exc:  # raised again by join()
            self.error = exc

    def join(self, *, raising: bool = True) -> None:
        self.thread.join()
        self.connection.dec_thread_sharing()
        if self.error is not None and raising:
            raise self.error


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclasses.dataclass
class _Row:
    number: int
    cells: list[Cell]
    values: dict[str, Any]
    bad: set[str]  # keys whose cell could not be read
    id_check: idcard.IdCheck
    index: str  # blind index of the ID number, "" when invalid


class _Run:
    """State of one pass over a file."""

    def __init__(
        self,
        *,
        outcome: Outcome,
        mapping: dict[str, int],
        headers: list[str],
        acting_user: Any,
        today: datetime.date,
        writer: batch.Writer | None,
    ) -> None:
        self.outcome = outcome
        self.mapping = mapping
        self.headers = headers
        self.acting_user = acting_user
        self.today = today
        self.writer = writer
        self.places = PlaceResolver()
        self.pending: _Background | None = None
        self.new_person = _("New person")
        # First 16 bytes of each blind index → its first row: a million rows fit in ~100 MB.
        self.seen: dict[bytes, int] = {}
        self.memo: dict[str, dict[tuple[type, Cell], tuple[Any, read.BadValue | None]]] = {}
        # Each mapped column once: its key, index, reader (None for text) and memo.
        self.plan_columns = [
            (key, index, READERS.get(key), self.memo.setdefault(key, {}))
            for key, index in mapping.items()
        ]

    def finish_writing(self, *, raising: bool = True) -> None:
        """Wait for the chunk being written; raise what its writing raised."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.join(raising=raising)

    def label(self, key: str) -> str:
        if key not in self.mapping:
            return BY_KEY[key].header
        index = self.mapping[key]
        return f"{column_letter(index)} {self.headers[index]}"

    def shown(self, key: str, cell: Cell) -> str:
        text = read.read_text(cell)
        if key in ("id_number", "certificate_number"):
            return masks.id_number(idcard.normalize(text))
        if key in ("phone", "guardian_phone"):
            return masks.phone(text)
        if BY_KEY[key].sensitive:
            return masks.bank_account(text)
        return text[:60]

    def cell(self, row: _Row, key: str) -> Cell:
        index = self.mapping.get(key)
        return row.cells[index] if index is not None and index < len(row.cells) else None

    def fail(self, row: _Row, key: str, reason: str) -> None:
        column = self.label(key) if key else ""
        value = self.shown(key, self.cell(row, key)) if key in self.mapping else ""
        self.outcome.problem(row.number, column, value, reason)

    # Reading ------------------------------------------------------------------------------

    def read_cell(self, key: str, cell: Cell) -> Any:
        """The value of a cell, or BadValue."""
        reader = READERS.get(key)
        if reader is None:
            return read.read_text(cell)
        return self.read_coded(reader, self.memo.setdefault(key, {}), cell)

    @staticmethod
    def read_coded(
        reader: Callable[[Cell], Any],
        memo: dict[tuple[type, Cell], tuple[Any, read.BadValue | None]],
        cell: Cell,
    ) -> Any:
        """A coded column's value (category, dates, flags…): they repeat the same few values,
        so their readings are remembered for the run."""
        token = (type(cell), cell)  # 1, 1.0 and True are equal keys, not equal cells
        try:
            found = memo.get(token)
        except TypeError:  # an unhashable cell
            return reader(cell)
        if found is None:
            try:
                found = (reader(cell), None)
            except read.BadValue as exc:
                found = (None, exc)
            if len(memo) < MEMO_SIZE:
                memo[token] = found
        if found[1] is not None:
            raise found[1]
        return found[0]

    def read_row(self, number: int, cells: list[Cell]) -> _Row:
        values: dict[str, Any] = {}
        bad: set[str] = set()
        width = len(cells)
        for key, index, reader, memo in self.plan_columns:
            cell = cells[index] if index < width else None
            if reader is None:  # a text column: the most common, read inline
                if cell is None:
                    values[key] = ""
                elif type(cell) is str:
                    text = cell.strip()
                    values[key] = read.read_text(text) if text[:1] == "'" else text
                else:
                    values[key] = read.read_text(cell)
                continue
            try:
                values[key] = self.read_coded(reader, memo, cell)
            except read.BadValue as exc:
                bad.add(key)
                values[key] = None
                self.outcome.problem(number, self.label(key), self.shown(key, cell), str(exc))
        check = idcard.check(values.get("id_number") or "", today=self.today)
        blind = ""
        if check.valid and check.normalized:
            blind = crypto.blind_index(check.normalized, context=ID_CONTEXT)
        return _Row(number, cells, values, bad, check, blind)

    # Checking -----------------------------------------------------------------------------

    def process(self, chunk: list[_Row]) -> None:
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
            self.pending = _Background(self.writer.write, planned)

    def check_row(
        self,
        row: _Row,
        person: Person | None,
        held: dict[int, dict[str, int]],
        managed: set[int],
    ) -> batch.Planned | None:
        if row.index:
            first = self.seen.setdefault(bytes.fromhex(row.index[:32]), row.number)
            if first != row.number:
                self.fail(
                    row,
                    "id_number",
                    _("The same ID number is already on row %(row)s of this file.")
                    % {"row": first},
                )
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

    def key_of(self, field: str) -> str:
        if field == "place_code":
            return "place_code" if "place_code" in self.mapping else "township"
        return field if field in BY_KEY else ""

    def person_data(self, row: _Row, person: Person | None) -> services.PersonData:
        v = row.values
        fallback = str(person.place_id) if person else ""
        place_code, (place_key, place_error) = self.places.resolve(v, fallback=fallback)
        if place_key:
            # Reported here; the row is still checked for its other problems.
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
        row: _Row,
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
            shown_old, shown_new = display_of(field, old), display_of(field, new)
            self.outcome.change(Change(row.number, who, label_of(field), shown_old, shown_new))
        for status in statuses:
            old, new = (_("No"), _("Yes")) if status.open else (_("Yes"), _("No"))
            key = next(k for k, kind in STATUS_COLUMNS.items() if kind == status.kind)
            self.outcome.change(Change(row.number, who, BY_KEY[key].header, old, new))
        return batch.Planned(person, values, changes, statuses, created)

    def status_changes(self, row: _Row, held: dict[str, int]) -> list[batch.StatusChange]:
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


def _find_header(
    rows: Iterator[tuple[int, list[Cell]]],
) -> tuple[int, dict[str, int], list[str], list[str]]:
    """The header row: the first of the first rows that names at least three columns."""
    for _position, (number, cells) in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
        texts = [read.read_text(c) for c in cells]
        found, unknown = match_headers(texts)
        if len(found) >= 3:
            return number, found, texts, unknown
    raise FileRefused(
        _(
            "No header row found: the first rows should name the columns, e.g. 姓名, "
            "公民身份号码, 残疾类别. Download the template to see them."
        )
    )


def _chunks(table: Table, header_row: int) -> Iterator[list[tuple[int, list[Cell]]]]:
    chunk: list[tuple[int, list[Cell]]] = []
    for number, cells in table.rows():
        if number <= header_row:
            continue
        chunk.append((number, cells))
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_persons(
    path: Path,
    *,
    filename: str,
    acting_user: Any,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
    today: datetime.date | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Check (and unless `dry_run`, apply) a file of persons. Never raises for bad input:
    a file that cannot be read is `refused`; rows with problems are listed. `progress` is
    called with (rows done, rows in the file) before the first chunk and after each."""
    outcome = Outcome(filename=filename, dry_run=dry_run)
    try:
        require(acting_user, Perm.CHANGE_PERSON)
        outcome.sha256 = file_sha256(path)
        table = open_table(path, filename=filename, limits=limits)
        outcome.kind = table.kind
        header_row, mapping, headers, outcome.ignored_columns = _find_header(table.rows())
        missing = missing_columns(mapping)
        if missing:
            raise FileRefused(
                _("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)}
            )
        source = _Source(table, header_row, mapping, headers)
        day = today or timezone.localdate()
        if dry_run:
            _pass(outcome, source, acting_user, day, None, progress)
            _spend(outcome, acting_user)
        else:
            _apply(outcome, source, acting_user, day, progress)
            matches.record(
                acting_user, filename=filename, sha256=outcome.sha256, matched=outcome.matched,
                refused=not outcome.applied,
            )  # fmt: skip
    except FileRefused as exc:
        outcome.refused = exc.message
    except PermissionDenied as exc:
        outcome.refused = refusal_text(exc)
    # Cells are read a chunk ahead of the rules: list the problems row by row (stable, so
    # a row's own problems keep their order).
    outcome.problems.sort(key=lambda problem: problem.row)
    return outcome


def _withhold(outcome: Outcome) -> None:
    """Refuse a run past the day's matches, saying nothing of its rows."""
    outcome.refused = matches.refusal()
    outcome.problems, outcome.changes = [], []
    outcome.created = outcome.updated = outcome.unchanged = outcome.rejected_rows = 0
    outcome.problem_count = outcome.change_count = 0


def _spend(outcome: Outcome, acting_user: Any) -> None:
    """A check's matches: counted (and past the day's budget, the check withheld)."""
    refused = matches.over_budget(acting_user, outcome.matched, sha256=outcome.sha256)
    if refused:
        _withhold(outcome)
    matches.record(
        acting_user, filename=outcome.filename, sha256=outcome.sha256, matched=outcome.matched,
        refused=refused,
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class _Source:
    """The table being imported and where its header is."""

    table: Table
    header_row: int
    mapping: dict[str, int]
    headers: list[str]


def _pass(
    outcome: Outcome,
    source: _Source,
    acting_user: Any,
    today: datetime.date,
    writer: batch.Writer | None,
    progress: Callable[[int, int], None] | None,
) -> None:
    run = _Run(
        outcome=outcome,
        mapping=source.mapping,
        headers=source.headers,
        acting_user=acting_user,
        today=today,
        writer=writer,
    )
    total = 0
    if progress is not None:  # rows below the header, counted in the table already open
        total = sum(1 for number, _cells in source.table.rows() if number > source.header_row)
        progress(0, total)
    try:
        for raw in _chunks(source.table, source.header_row):
            rows = [run.read_row(number, cells) for number, cells in raw]
            # The connection is this thread's again before any query: process()'s and the
            # progress callback's (which may record the progress in the database).
            run.finish_writing()
            if progress is not None and outcome.rows:
                progress(outcome.rows, total)
            outcome.rows += len(rows)
            run.process(rows)
        run.finish_writing()
        if progress is not None:
            progress(outcome.rows, total)
    except BaseException:
        run.finish_writing(raising=False)  # the first error is the one to report
        raise
    if outcome.rows == 0:
        raise FileRefused(_("The file has a header row but no data rows."))


def _apply(
    outcome: Outcome,
    source: _Source,
    acting_user: Any,
    today: datetime.date,
    progress: Callable[[int, int], None] | None,
) -> None:
    with transaction.atomic():
        writer = batch.Writer(
            acting_user=acting_user,
            today=today,
            detail={"import": {"file": outcome.filename, "sha256": outcome.sha256}},
        )
        _pass(outcome, source, acting_user, today, writer, progress)
        if matches.over_budget(acting_user, outcome.matched, sha256=outcome.sha256):
            _withhold(outcome)
        if not outcome.clean:
            transaction.set_rollback(True)
            return
        writer.audit.add(
            action="person.import",
            target_type="",
            target_id="",
            region=getattr(acting_user, "scope_prefix", "") or "",
            detail={"file": outcome.filename, "sha256": outcome.sha256, **outcome.counts()},
        )
        writer.audit.flush()
        outcome.applied = True
