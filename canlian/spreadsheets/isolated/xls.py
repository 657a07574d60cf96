"""In the child: what an OLE2 file holds, and the first formula of an .xls workbook.

An .xls workbook is a stream of BIFF records (a u16 type, a u16 length, then the data) in an
OLE2 container, read here through olefile. A sheet's records start at the offset its
BOUNDSHEET record gives; formulas are FORMULA, SHRFMLA and ARRAY records.
"""

from __future__ import annotations

import functools
import struct

import olefile

XLS = "xls"
_BOUNDSHEET = 0x0085
_FORMULA = 0x0006
_FORMULA_RECORDS = {_FORMULA, 0x0206, 0x04BC, 0x0221}  # FORMULA (BIFF8, BIFF3-4), SHRFMLA, ARRAY


def ole_kind(path: str) -> str:
    """What an OLE2 file is: "xls", "encrypted" (a password-protected workbook of any
    kind), "word", "powerpoint" or "unknown"."""
    with olefile.OleFileIO(path) as ole:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            return "encrypted"
        if ole.exists("Workbook") or ole.exists("Book"):
            return XLS
        if ole.exists("WordDocument"):
            return "word"
        if ole.exists("PowerPoint Document"):
            return "powerpoint"
    return "unknown"


def first_formula(path: str) -> tuple[str | None, str | None] | None:
    """The sheet and cell of the first formula record, or None."""
    with olefile.OleFileIO(path) as ole:
        name = "Workbook" if ole.exists("Workbook") else "Book"
        stream = ole.openstream(name).read()
    biff8 = name == "Workbook"
    starts: dict[int, str] = {}  # sheet names by the offset their BOUNDSHEET record gives
    sheet = None
    offset = 0
    while offset + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, offset)
        sheet = starts.pop(offset, sheet)
        if kind == _BOUNDSHEET and size >= 8:
            body = stream[offset + 4 : offset + 4 + size]
            starts[struct.unpack_from("<I", body)[0]] = _boundsheet_name(body, biff8)
        elif kind in _FORMULA_RECORDS:
            return sheet, _formula_cell(kind, stream[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return None


def _boundsheet_name(body: bytes, biff8: bool) -> str:
    count = body[6]
    if not biff8:  # BIFF5: bytes in the workbook's code page, most likely GBK here
        return body[7 : 7 + count].decode("gb18030", "replace")
    if body[7] & 1:
        return body[8 : 8 + 2 * count].decode("utf-16-le", "replace")
    return body[8 : 8 + count].decode("latin-1")


def _formula_cell(kind: int, body: bytes) -> str | None:
    """The cell of a FORMULA record, or the first cell of a SHRFMLA or ARRAY range."""
    if len(body) < 6:
        return None
    row = struct.unpack_from("<H", body)[0]
    col = struct.unpack_from("<H", body, 2)[0] if kind == _FORMULA else body[4]
    return cell_ref(row + 1, col + 1)


@functools.cache
def column_number(letters: str) -> int:
    """The 1-based number of a column from its letters (A is 1, XFD is 16384)."""
    if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha()):
        raise ValueError(f"not a column: {letters!r}")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def cell_ref(row: int, col: int) -> str:
    """The A1 reference of a 1-based (row, column)."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"
