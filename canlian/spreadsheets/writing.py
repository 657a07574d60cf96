"""Write spreadsheets the one way Canlian writes them, for every export, report and template.

- Cells that a spreadsheet would run as a formula get a leading apostrophe (`safe_cell`).
- CSV is UTF-8 with a BOM (which Excel and WPS open), written or streamed row by row.
- An .xlsx workbook never turns text into a formula, and its cell formats are named here once
  (`FORMATS`), made once per workbook (`Book.format`).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
BOM = "\ufeff"

FORMATS: dict[str, dict[str, Any]] = {
    "bold": {"bold": True},
    "header": {"bold": True, "bg_color": "#DDDDDD", "border": 1},
    "title": {"bold": True, "font_size": 16, "align": "center"},
    "text": {"num_format": "@"},
    "date": {"num_format": "yyyy-mm-dd"},
    "yuan": {"num_format": "#,##0.00"},
    "number": {"num_format": "0.##"},
    "plain": {},
}


def safe_cell(value: object) -> str:
    """Text of `value`, with a leading apostrophe where a spreadsheet would run a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(value: object) -> str:
    """A value as CSV text: empty for None, dates as 2020-01-05, amounts in plain digits
    (never 1E+2), everything else through `safe_cell`."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return safe_cell(value)


class _Echo:
    """A file that returns what is written to it: csv.writer then yields lines."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The BOM, the header row and every row as CSV text, one line at a time."""
    writer = csv.writer(_Echo())
    yield BOM
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow([csv_text(value) for value in row])


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write `csv_lines` to `path`; return the number of rows (header not counted)."""
    lines = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        for line in csv_lines(headers, rows):
            stream.write(line)
            lines += 1
    return max(lines - 2, 0)  # the BOM and the header are not rows


def csv_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    """A download of CSV lines, streamed as they are made."""
    response = StreamingHttpResponse(lines, content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class Book:
    """An .xlsx workbook. `constant_memory`: rows go to temporary files as they are written
    (each row must be written whole, in order); `in_memory`: no temporary files at all (for
    values that must not lie on disk in clear)."""

    def __init__(
        self, target: str | IO[bytes], *, constant_memory: bool = False, in_memory: bool = False
    ) -> None:
        self.workbook = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": constant_memory,
                "strings_to_formulas": False,
                "in_memory": in_memory,
            },
        )
        self._formats: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}

    def format(self, name: str, **extra: Any) -> Any:
        """The named format of FORMATS, with `extra` properties (e.g. border=1) added."""
        key = (name, tuple(sorted(extra.items())))
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self.workbook.add_format({**FORMATS[name], **extra})
        return found

    def sheet(self, name: str) -> Any:
        return self.workbook.add_worksheet(name)

    def headers(
        self,
        sheet: Any,
        headers: Sequence[str],
        widths: Sequence[int | None],
        *,
        fmt: Any = None,
        column_format: Any = None,
    ) -> None:
        """The header row (row 0, bold unless `fmt`) and the width of each column (None: the
        default width)."""
        for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
            if width is not None:
                sheet.set_column(col, col, width, column_format)
            sheet.write_string(0, col, header, fmt or self.format("bold"))

    def put(self, sheet: Any, row: int, col: int, value: Any, *, decimal: str = "yuan") -> None:
        """One cell by the type of `value`: nothing for None or "", a date, a number (an
        amount in the `decimal` format), or text in text format through `safe_cell`."""
        if value is None or value == "":
            return
        if isinstance(value, datetime.date):
            sheet.write_datetime(row, col, value, self.format("date"))
        elif isinstance(value, Decimal):
            sheet.write_number(row, col, float(value), self.format(decimal))
        elif isinstance(value, int):
            sheet.write_number(row, col, value)
        else:
            # Text cells are never formulas with strings_to_formulas off; the apostrophe of
            # `safe_cell` is kept anyway so that a copy into CSV stays safe.
            sheet.write_string(row, col, safe_cell(value), self.format("text"))

    def rows(self, sheet: Any, rows: Iterable[Sequence[Any]], *, start: int = 1) -> int:
        """Write `rows` from row `start` on, each cell as `put` does; return how many."""
        # `put` inlined for the two kinds of cell of large exports (a million rows).
        date, text = self.format("date"), self.format("text")
        write_datetime, write_string = sheet.write_datetime, sheet.write_string
        count = 0
        for count, row in enumerate(rows, start=1):
            line = start + count - 1
            for col, value in enumerate(row):
                if type(value) is str:
                    if value:
                        write_string(line, col, safe_cell(value), text)
                elif type(value) is datetime.date:
                    write_datetime(line, col, value, date)
                else:
                    self.put(sheet, line, col, value)
        return count

    def close(self) -> None:
        self.workbook.close()


def write_table(
    rows: Iterable[Sequence[Any]],
    target: str | IO[bytes],
    *,
    sheet: str,
    headers: Sequence[str],
    widths: Sequence[int],
    in_memory: bool = False,
) -> int:
    """One sheet: the header row, frozen with the first two columns, then the rows; return
    how many rows were written. Written in constant memory unless `in_memory`."""
    book = Book(target, constant_memory=not in_memory, in_memory=in_memory)
    table = book.sheet(sheet)
    book.headers(table, headers, widths)
    table.freeze_panes(1, 2)
    count = book.rows(table, rows)
    book.close()
    return count
