"""In the child: open the workbook with calamine and send the first visible sheet's rows."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from canlian.spreadsheets.isolated import formulas, protocol
from canlian.spreadsheets.isolated.protocol import Request


class Refused(Exception):
    """The file is refused; `outcome` is the last frame to send."""

    def __init__(self, *outcome: object) -> None:
        super().__init__(*outcome)
        self.outcome = outcome


def read(request: Request, out: IO[bytes]) -> tuple[object, ...]:
    """Check and read the file, writing its rows to `out`; return the outcome."""
    if request.identify:
        actual = formulas.ole_kind(request.path)
        if actual != request.kind:
            raise Refused(protocol.KIND, actual)
    name, sheet = _open_checked(request)
    _check_grid(sheet, request.max_cells)
    protocol.write_frame(out, (protocol.SHEET, name))
    out.flush()
    _send_rows(sheet, out, request.max_text)
    return (protocol.OK,)


def _open_checked(request: Request) -> tuple[str, CalamineSheet]:
    """The first visible sheet, once the file is known to hold no formula. The search for
    formulas runs beside calamine (which lets go of the interpreter while it parses): both
    read the whole file."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        search = executor.submit(formulas.first_formula, request.path, request.kind)
        try:
            with CalamineWorkbook.from_path(request.path) as book:
                name = _first_visible_sheet(book)
                sheet = book.get_sheet_by_name(name)
        except BaseException:
            _refuse_formula(search.result())
            raise
    _refuse_formula(search.result())
    return name, sheet


def _refuse_formula(found: formulas.Found | None) -> None:
    if found is not None:
        raise Refused(protocol.FORMULA, *found)


def _first_visible_sheet(book: CalamineWorkbook) -> str:
    for metadata in book.sheets_metadata:
        if metadata.typ == SheetTypeEnum.WorkSheet and metadata.visible == SheetVisibleEnum.Visible:
            return metadata.name
    raise Refused(protocol.HIDDEN)


def _check_grid(sheet: CalamineSheet, max_cells: int) -> None:
    """Refuse a sheet whose grid, from the top row (python-calamine yields a blank row for each
    row above the data) down to the lowest value, is larger than `max_cells`."""
    start, end = sheet.start, sheet.end
    if start is None or end is None:
        return
    if (end[0] + 1) * (end[1] - start[1] + 1) > max_cells:
        raise Refused(protocol.CELLS)


def _send_rows(sheet: CalamineSheet, out: IO[bytes], max_text: int) -> None:
    """Rows with at least one non-blank cell, numbered as a spreadsheet program numbers them,
    each starting at column A, in frames of `ROWS_PER_FRAME`. More than `max_text` characters
    of text is refused; a frame's size in bytes bounds its text, which is counted only when
    that bound is not enough."""
    start = sheet.start
    if start is None:
        return
    first_row, first_col = start
    leading: list[Any] = [None] * first_col
    chunk: list[tuple[int, list[Any]]] = []
    text = 0
    for index, values in enumerate(sheet.iter_rows()):
        if index < first_row:
            continue
        cells = protocol.clean(values)
        if cells:
            chunk.append((index + 1, leading + cells))
        if len(chunk) == protocol.ROWS_PER_FRAME:
            text = _send(out, chunk, text, max_text)
            chunk = []
    if chunk:
        _send(out, chunk, text, max_text)


def _send(out: IO[bytes], chunk: list[tuple[int, list[Any]]], text: int, max_text: int) -> int:
    """Send a frame of rows; the text sent so far (or more)."""
    size = protocol.write_frame(out, chunk)
    text += size if text + size <= max_text else _text_length(chunk)
    if text > max_text:
        raise Refused(protocol.TEXT)
    return text


def _text_length(chunk: list[tuple[int, list[Any]]]) -> int:
    return sum(len(value) for _number, cells in chunk for value in cells if type(value) is str)
