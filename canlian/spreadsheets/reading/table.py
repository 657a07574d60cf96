"""What `open_table` returns, and the limits a file is read within."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import TypeAlias

from django.conf import settings

Cell: TypeAlias = (
    str
    | int
    | float
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | datetime.timedelta
    | None
)
Row: TypeAlias = tuple[int, list[Cell]]

MB = 1024 * 1024
MAX_MEMBERS = 10_000
DEFAULT_MAX_CELLS = 20_000_000  # e.g. 1,000,000 rows of 20 columns
DEFAULT_MAX_MEMORY = 2 * 1024 * MB  # the reading process's address space
DEFAULT_MAX_SECONDS = 120.0  # its processor time, at most (see reading.workbooks)


@dataclass(frozen=True)
class Limits:
    """How big a file may be, packed and unpacked; `max_cells` bounds the grid of one sheet.
    A workbook is read by a child process within `max_memory` bytes of address space and at
    most `max_seconds` of processor time."""

    max_bytes: int
    max_uncompressed: int
    max_ratio: int
    max_cells: int = DEFAULT_MAX_CELLS
    max_memory: int = DEFAULT_MAX_MEMORY
    max_seconds: float = DEFAULT_MAX_SECONDS

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_uncompressed=settings.IMPORT_MAX_UNCOMPRESSED,
            max_ratio=settings.IMPORT_MAX_RATIO,
            max_cells=int(getattr(settings, "IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS)),
            max_memory=settings.IMPORT_READER_MAX_MEMORY,
            max_seconds=settings.IMPORT_READER_MAX_SECONDS,
        )


class Table:
    """An opened sheet or CSV file, ready to be read (again) from the top."""

    def __init__(
        self,
        *,
        kind: str,
        read: Callable[[], Generator[Row, None, None]],
        encoding: str | None = None,
        sheet_name: str | None = None,
    ) -> None:
        self.kind = kind
        self.encoding = encoding
        self.sheet_name = sheet_name
        self._read = read

    def __repr__(self) -> str:
        return f"<Table {self.kind} encoding={self.encoding!r} sheet={self.sheet_name!r}>"

    def rows(self) -> Iterator[Row]:
        """(row number as a spreadsheet program shows it, 1-based; cell values) for every row
        that has at least one non-blank cell. Blank cells (empty or whitespace-only text) are
        None and trailing ones are trimmed. Each call starts again from the top; CSV is
        streamed from the file."""
        return self._read()

    def has_rows(self) -> bool:
        rows = self._read()
        try:
            return next(rows, None) is not None
        finally:
            rows.close()
