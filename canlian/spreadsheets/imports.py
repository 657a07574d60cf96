"""The import engine: parse → validate every row → report → apply, all or nothing.

The caller supplies the format (a `ColumnSet`) and the row rules (a `Rules` subclass: how a row
is read, how a chunk of rows is checked and, when the run applies, written). The engine opens
the file (canlian.spreadsheets.reading), finds the header row, and reads the file chunk by
chunk (a CSV is streamed, so a million rows fit in little memory); the rules may write a clean
chunk on a second thread while the engine reads the next one. Every problem is collected in
the `Outcome` with its row, column and reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from canlian.lib.forms import refusal_text
from canlian.spreadsheets import values as read
from canlian.spreadsheets.columns import ColumnSet
from canlian.spreadsheets.outcome import Outcome
from canlian.spreadsheets.reading import Cell, FileRefused, Limits, Table, open_table

HEADER_SEARCH_ROWS = 10
MEMO_SIZE = 10_000  # remembered readings per coded column

Progress = Callable[[int, int], None]  # (rows done, rows in the file)
Reader = Callable[[Cell], Any]
Memo = dict[tuple[type, Cell], tuple[Any, read.BadValue | None]]


class Background:
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
class Row:
    number: int
    cells: list[Cell]
    values: dict[str, Any]
    bad: set[str]  # keys whose cell could not be read


R = TypeVar("R", bound=Row)


@dataclasses.dataclass(frozen=True)
class Source:
    """The table being imported and where its header is."""

    table: Table
    header_row: int
    mapping: dict[str, int]  # column key → index in the row
    headers: list[str]  # the header row's texts


class Rules(Generic[R]):
    """One pass over a file: the cells of each row read into values (coded columns through
    their `readers`, the others as text), problems reported with the column's letter and
    header and the value masked by its column. Subclasses read a row (`read_row`, usually
    from `read_values`) and check a chunk of rows (`process`), and may hand a clean chunk to
    `write_behind`."""

    def __init__(
        self,
        *,
        outcome: Outcome,
        source: Source,
        columns: ColumnSet,
        readers: dict[str, Reader],
    ) -> None:
        self.outcome = outcome
        self.mapping = source.mapping
        self.headers = source.headers
        self.columns = columns
        self.pending: Background | None = None
        self.memo: dict[str, Memo] = {}
        # Each mapped column once: its key, index, reader (None for text) and memo.
        self.plan_columns = [
            (key, index, readers.get(key), self.memo.setdefault(key, {}))
            for key, index in self.mapping.items()
        ]

    def read_row(self, number: int, cells: list[Cell]) -> R:
        raise NotImplementedError

    def process(self, rows: list[R]) -> None:
        raise NotImplementedError

    def write_behind(self, function: Callable[..., None], *args: Any) -> None:
        """Run `function(*args)` on another thread while the next chunk is read."""
        self.pending = Background(function, *args)

    def finish_writing(self, *, raising: bool = True) -> None:
        """Wait for the chunk being written; raise what its writing raised."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.join(raising=raising)

    def label(self, key: str) -> str:
        if key not in self.mapping:
            return self.columns.by_key[key].header
        index = self.mapping[key]
        return f"{column_letter(index)} {self.headers[index]}"

    def shown(self, key: str, cell: Cell) -> str:
        text = read.read_text(cell)
        mask = self.columns.by_key[key].mask
        return mask(text) if mask is not None else text[:60]

    def cell(self, row: Row, key: str) -> Cell:
        index = self.mapping.get(key)
        return row.cells[index] if index is not None and index < len(row.cells) else None

    def fail(self, row: Row, key: str, reason: str) -> None:
        """Report a problem of `row` in column `key` ("" for the whole row)."""
        column = self.label(key) if key else ""
        value = self.shown(key, self.cell(row, key)) if key in self.mapping else ""
        self.outcome.problem(row.number, column, value, reason)

    @staticmethod
    def read_coded(reader: Reader, memo: Memo, cell: Cell) -> Any:
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

    def read_values(self, number: int, cells: list[Cell]) -> tuple[dict[str, Any], set[str]]:
        """({key: value}, {keys whose cell could not be read}); each unreadable cell is
        reported."""
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
        return values, bad


def find_header(
    rows: Iterator[tuple[int, list[Cell]]], columns: ColumnSet
) -> tuple[int, dict[str, int], list[str], list[str]]:
    """The header row: the first of the first rows that names at least three columns."""
    for _position, (number, cells) in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
        texts = [read.read_text(c) for c in cells]
        found, unknown = columns.match(texts)
        if len(found) >= 3:
            return number, found, texts, unknown
    raise FileRefused(str(columns.no_header))


def chunks(table: Table, header_row: int, size: int) -> Iterator[list[tuple[int, list[Cell]]]]:
    chunk: list[tuple[int, list[Cell]]] = []
    for number, cells in table.rows():
        if number <= header_row:
            continue
        chunk.append((number, cells))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def open_source(
    path: Path, *, filename: str, limits: Limits | None, columns: ColumnSet, outcome: Outcome
) -> Source:
    """Open the file and find its header row; refuse it when required columns are missing."""
    outcome.sha256 = file_sha256(path)
    table = open_table(path, filename=filename, limits=limits)
    outcome.kind = table.kind
    header_row, mapping, headers, outcome.ignored_columns = find_header(table.rows(), columns)
    missing = columns.missing(mapping)
    if missing:
        raise FileRefused(
            _("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)}
        )
    return Source(table, header_row, mapping, headers)


def run_pass(
    outcome: Outcome,
    source: Source,
    rules: Rules[Any],
    progress: Progress | None,
    *,
    chunk_rows: int,
) -> None:
    """Read every row below the header, `chunk_rows` at a time, and have `rules` check (and
    maybe write) each chunk. `progress` is called with (rows done, rows in the file) before
    the first chunk and after each."""
    total = 0
    if progress is not None:  # rows below the header, counted in the table already open
        total = sum(1 for number, _cells in source.table.rows() if number > source.header_row)
        progress(0, total)
    try:
        for raw in chunks(source.table, source.header_row, chunk_rows):
            rows = [rules.read_row(number, cells) for number, cells in raw]
            # The connection is this thread's again before any query: process()'s and the
            # progress callback's (which may record the progress in the database).
            rules.finish_writing()
            if progress is not None and outcome.rows:
                progress(outcome.rows, total)
            outcome.rows += len(rows)
            rules.process(rows)
        rules.finish_writing()
        if progress is not None:
            progress(outcome.rows, total)
    except BaseException:
        rules.finish_writing(raising=False)  # the first error is the one to report
        raise
    if outcome.rows == 0:
        raise FileRefused(_("The file has a header row but no data rows."))


@contextmanager
def refusing(outcome: Outcome) -> Iterator[None]:
    """Record a file that cannot be read, or a user who may not import it, as the outcome's
    refusal rather than raise; then list the problems row by row."""
    try:
        yield
    except FileRefused as exc:
        outcome.refused = exc.message
    except PermissionDenied as exc:
        outcome.refused = refusal_text(exc)
    # Cells are read a chunk ahead of the rules: list the problems row by row (stable, so
    # a row's own problems keep their order).
    outcome.problems.sort(key=lambda problem: problem.row)
