"""In the child: find the first formula of a workbook, to refuse it with its sheet and cell.

calamine reads the value a formula last showed, which may be stale, and python-calamine does
not say which cells hold formulas; so the file is searched here. This is a rule about what an
import accepts, not a protection: whatever a hostile file does to these searches, it does it
inside the child's limits.

Most workbooks hold no formula, and proving that must be cheap (100,000 rows of 28 columns):
each XML part is searched for the bytes a formula element starts with, at C speed, and only a
part where they occur is parsed (expat) to find the element and its cell. An .xls file is
walked record by record (BIFF); see `xls`.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, Protocol
from xml.parsers import expat

from canlian.spreadsheets.isolated import xls
from canlian.spreadsheets.isolated.protocol import ODS, XLS, XLSX

ole_kind = xls.ole_kind
Found = tuple[str | None, str | None]  # the sheet and cell of a formula, when known

_CHUNK = 1024 * 1024
_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
# An "f" that ends a name: a formula element starts with one ("<f>", "<x:f ", "<f/"). Both
# searches start with a literal, which re finds at C speed.
_NAME_F = re.compile(rb"f[\s/>]")
_MAIN_PREFIX = re.compile(
    rb"xmlns:([A-Za-z_][\w.-]*)\s*=\s*[\"'](?:%s)[\"']"
    % b"|".join(re.escape(uri.encode()) for uri in _MAIN)
)
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
# Control characters are not allowed in XML, yet some programs write them; calamine reads
# past them, so the parse here sees spaces instead.
_CONTROLS = bytes.maketrans(bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]), b" " * 29)


class _Scan(Protocol):
    def start(self, name: str, attrs: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...


class _Stop(Exception):
    def __init__(self, found: Found) -> None:
        super().__init__(found)
        self.found = found


def first_formula(path: str, kind: str) -> Found | None:
    if kind == XLS:
        return xls.first_formula(path)
    with zipfile.ZipFile(path) as archive:
        if kind == ODS:
            return _ods_formula(archive)
        assert kind == XLSX
        for info in archive.infolist():
            if info.filename.lower().endswith(".xml") and _may_hold(archive, info, _FElements()):
                found = _parse(archive, info, _XlsxCells())
                if found is not None:
                    return _sheet_names(archive).get(info.filename.lower()), found[1]
    return None


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


def _may_hold(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, search: Callable[[bytes], bool]
) -> bool:
    """Whether `search` finds what it looks for in the part (in overlapping chunks)."""
    tail = b""
    for chunk in _chunks(archive, info):
        data = tail + chunk
        if search(data):
            return True
        tail = data[-16:]
    return False


class _FElements:
    """Whether bytes may hold an element named f, unprefixed or with a prefix bound to the
    main namespace: Excel's own extensions write `<xm:f>` (lists and rules referring to other
    sheets) after the cells, and parsing a whole large sheet to find it is not one costs
    seconds."""

    def __init__(self) -> None:
        self.prefixes: set[bytes] = set()

    def __call__(self, data: bytes) -> bool:
        self.prefixes.update(_MAIN_PREFIX.findall(data))
        for match in _NAME_F.finditer(data):
            at = match.start()
            before = data[at - 1 : at]
            if before == b"<":
                return True
            if before == b":" and data[data.rfind(b"<", 0, at) + 1 : at - 1] in self.prefixes:
                return True
        return False


def _formula_attribute(data: bytes) -> bool:
    return b"formula" in data


def _parse(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _Scan) -> Any:
    """Parse a part with `scan`'s handlers; what it stopped at, or None."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    try:
        for chunk in _chunks(archive, info):
            parser.Parse(chunk.translate(_CONTROLS), False)
        parser.Parse(b"", True)
    except _Stop as stop:
        return stop.found
    return None


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """The sheet names by the lower-case name of their part, for the message: none when the
    workbook does not say them plainly."""
    names = {info.filename.lower(): info for info in archive.infolist()}
    workbook, rels = names.get("xl/workbook.xml"), names.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    relationships, sheets = _Elements("Relationship"), _Elements("sheet")
    try:
        _parse(archive, rels, relationships)
        _parse(archive, workbook, sheets)
    except expat.ExpatError:
        return {}
    targets = {rel.get("Id"): _part_name(rel.get("Target", "")) for rel in relationships.found}
    found: dict[str, str] = {}
    for sheet in sheets.found:
        part = targets.get(sheet.get("id"))
        if part:
            found[part] = sheet.get("name", "")
    return found


class _Elements:
    """The attributes (by local name) of every element with a given local name."""

    def __init__(self, local: str) -> None:
        self.local = local
        self.found: list[dict[str, str]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == self.local:
            self.found.append({key.rpartition(" ")[2]: value for key, value in attrs.items()})

    def end(self, name: str) -> None:
        pass


def _part_name(target: str) -> str:
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return target[1:].lower()
    return posixpath.normpath(posixpath.join("xl", target)).lower()


class _XlsxCells:
    """Stops at the first formula element of a worksheet, giving its cell."""

    def __init__(self) -> None:
        self.row = 0
        self.col = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace and namespace not in _MAIN:
            return
        if local == "row":
            self.row = int(attrs.get("r") or self.row + 1)
            self.col = 0
        elif local == "c":
            letters = (attrs.get("r") or "").rstrip("0123456789")
            self.col = xls.column_number(letters) if letters else self.col + 1
        elif local == "f":
            raise _Stop((None, xls.cell_ref(self.row, self.col)))

    def end(self, name: str) -> None:
        pass


def _ods_formula(archive: zipfile.ZipFile) -> Found | None:
    content = archive.getinfo("content.xml")
    if not _may_hold(archive, content, _formula_attribute):
        return None
    found: Found | None = _parse(archive, content, _OdsCells())
    return found


class _OdsCells:
    """Stops at the first cell with a formula, counting repeated rows and cells."""

    _TABLE_ELEMENT = f"{_TABLE} table"
    _ROW = f"{_TABLE} table-row"
    _CELLS = (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell")

    def __init__(self) -> None:
        self.depth = 0
        self.sheet: str | None = None
        self.row = self.col = 0  # 0-based position of the current row and cell
        self.rows = 1  # how many times the current row repeats

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name in self._CELLS:
            if f"{_TABLE} formula" in attrs:
                raise _Stop((self.sheet, xls.cell_ref(self.row + 1, self.col + 1)))
            self.col += max(int(attrs.get(f"{_TABLE} number-columns-repeated", 1)), 1)
        elif name == self._ROW:
            self.rows = max(int(attrs.get(f"{_TABLE} number-rows-repeated", 1)), 1)
            self.col = 0
        elif name == self._TABLE_ELEMENT:
            if self.depth == 0:
                self.sheet, self.row = attrs.get(f"{_TABLE} name"), 0
            self.depth += 1

    def end(self, name: str) -> None:
        if name == self._ROW:
            self.row += self.rows
            self.rows = 1
        elif name == self._TABLE_ELEMENT:
            self.depth -= 1
