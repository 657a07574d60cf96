"""Open an uploaded spreadsheet safely and yield its rows.

This is the first stage of the import engine (parse → validate → report → apply) and knows
nothing about persons. `open_table` checks a file before anything reads it in earnest and
returns a `Table` whose `rows()` yields (row number, cell values). Every refusal is a
`FileRefused` whose translated message says what is wrong and what to do about it.

The checks, in order:

1. Size: an empty file, or one larger than `Limits.max_bytes`, is refused from `stat()`.
2. Extension: .xlsx, .xls, .ods, .csv or .txt (in any case).
3. Content: the type is decided from the bytes (zip, OLE2, PDF, image, program, text) and must
   agree with the extension; the message names what the file really is when that is known.
   A password-protected workbook (an OLE2 file holding an encrypted package) is refused.
4. Zip bombs (.xlsx, .ods), from the zip directory alone, before anything is inflated: at most
   10,000 members, declared sizes summing to at most `max_uncompressed`, and no member over
   1 MB packed more than `max_ratio` times. Members read here are read in chunks and never past
   their declared size, since that size can lie.
5. Formulas and links: the value a formula shows may be stale and a formula can carry external
   links or DDE, so formulas (xlsx `<f>`, ods `table:formula`, xls FORMULA/SHRFMLA/ARRAY
   records) and xlsx external links are refused, naming the sheet and cell when known.
6. Memory: calamine holds a sheet as a dense grid and copies a shared string into every cell
   that uses it, so a file of a few kilobytes can ask for gigabytes. Each sheet is therefore
   scanned first (streamed through expat for xlsx/ods, BIFF records for xls): the rows from
   the top down to the lowest value, times the columns holding values, must be at most
   `max_cells`, and the text calamine would copy (shared strings once per use, ods repeated
   cells once per repetition) at most `max_uncompressed` characters.
7. Reading: python-calamine reads the first visible worksheet; any error (or Rust panic) it
   raises means the file is damaged. It must read exactly what was checked, so zip member
   names may not differ only in case, the package must point at xl/workbook.xml, and an .xls
   reaches calamine as a fresh OLE2 file holding only the checked stream. A sheet (or CSV
   file) without a non-blank row is refused.
8. CSV/TXT: UTF-8 with or without a BOM, GB18030 (which covers GBK and GB2312) or UTF-16 with a
   BOM, checked by decoding the whole file in chunks; comma-separated unless the first
   non-blank line has tabs and no commas. The file is streamed, never loaded whole.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import functools
import itertools
import math
import os
import posixpath
import re
import struct
import sys
import tempfile
import unicodedata
import zipfile
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePath
from typing import Any, TypeAlias
from xml.parsers import expat

import olefile
from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

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

XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
_KIND_OF_EXTENSION = {".xlsx": XLSX, ".xls": XLS, ".ods": ODS, ".csv": CSV, ".txt": CSV}
_EXTENSION_OF_KIND = {XLSX: ".xlsx", XLS: ".xls", ODS: ".ods", CSV: ".csv"}
# Contents a spreadsheet program can open and save as .xlsx, but that are not read here.
_CONVERTIBLE = {"xlsb", "html", "xml"}

_CHUNK = MB
_HEAD = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"MZ", "program"),
    (b"\x7fELF", "program"),
    (b"Rar!\x1a\x07", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
)
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_EOCD_MAGIC = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_DIRECTORY_BYTES = MAX_MEMBERS * 1024
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31


class FileRefused(Exception):
    """The file cannot be read at all; `message` is the translated reason shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    """How big a file may be, packed and unpacked; `max_cells` bounds the grid of one sheet."""

    max_bytes: int
    max_uncompressed: int
    max_ratio: int
    max_cells: int = DEFAULT_MAX_CELLS

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_uncompressed=settings.IMPORT_MAX_UNCOMPRESSED,
            max_ratio=settings.IMPORT_MAX_RATIO,
            max_cells=int(getattr(settings, "IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS)),
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

    def _has_rows(self) -> bool:
        rows = self._read()
        try:
            return next(rows, None) is not None
        finally:
            rows.close()


def open_table(path: Path, *, filename: str, limits: Limits | None = None) -> Table:
    """Check the file and return a Table, or raise FileRefused. `filename` is the name the user
    gave the file (its extension matters); `path` is where its bytes are on disk."""
    limits = limits or Limits.from_settings()
    _check_size(path, limits)
    extension = PurePath(filename).suffix.lower()
    expected = _KIND_OF_EXTENSION.get(extension)
    if expected is None:
        raise FileRefused(
            _(
                "“%(name)s” is not a spreadsheet file. "
                "Upload an .xlsx, .xls, .ods, .csv or .txt file."
            )
            % {"name": filename}
        )
    head = _read_head(path)
    if head.startswith(_ZIP_MAGIC):
        _check_zip(path, expected, extension, limits)
        table = _open_workbook(path, expected)
    elif head.startswith(_OLE_MAGIC):
        table = _open_xls(_check_ole(path, expected, extension, limits))
    else:
        _require_kind(expected, _plain_kind(head), extension)
        table = _open_csv(path, head)
    if not table._has_rows():
        raise FileRefused(_empty_message(table))
    return table


# --- Size, type and the messages about them ----------------------------------------------


def _check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size == 0:
        raise FileRefused(_("The file is empty. Check that you chose the right file."))
    if size > limits.max_bytes:
        raise FileRefused(
            _("The file is larger than %(limit)s MB. Split it into smaller files.")
            % {"limit": _megabytes(limits.max_bytes)}
        )


def _megabytes(size: int) -> str:
    return f"{round(size / MB, 2):g}"


def _read_head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(_HEAD)


def _plain_kind(head: bytes) -> str:
    """What a file that is neither a zip nor an OLE2 file is, from its first 64 KB."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return CSV
    if b"\x00" in head:
        return "binary"
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith(b"<?xml"):
        return "xml"
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta")):
        return "html"
    return CSV


def _describe(kind: str) -> str:
    descriptions = {
        XLSX: _("an Excel workbook (.xlsx)"),
        XLS: _("an Excel 97-2003 workbook (.xls)"),
        ODS: _("an OpenDocument spreadsheet (.ods)"),
        CSV: _("a text (CSV) file"),
        "xlsb": _("an Excel binary workbook (.xlsb)"),
        "html": _("a web page (HTML)"),
        "xml": _("an XML file"),
        "word": _("a Word document"),
        "powerpoint": _("a PowerPoint presentation"),
        "pdf": _("a PDF document"),
        "image": _("an image"),
        "program": _("a program"),
        "archive": _("a compressed archive (ZIP, RAR or 7z)"),
    }
    return descriptions.get(kind, _("a file of an unknown type"))


def _require_kind(expected: str, actual: str, extension: str) -> None:
    """Refuse a file whose content is not what its extension says."""
    if actual == expected:
        return
    if expected == CSV and actual == "binary":
        raise FileRefused(
            _(
                "The file is not a text file: it contains binary data. Save the spreadsheet "
                "as “CSV UTF-8”, or upload the .xlsx file itself."
            )
        )
    values = {"extension": extension, "actual": _describe(actual)}
    if actual in _EXTENSION_OF_KIND:
        values["expected"] = _EXTENSION_OF_KIND[actual]
        message = _(
            "The file name ends in “%(extension)s” but the file is really %(actual)s. "
            "Rename it to end in “%(expected)s” and upload again."
        )
    elif actual in _CONVERTIBLE:
        message = _(
            "The file name ends in “%(extension)s” but the file is really %(actual)s. "
            "Open it in Excel or WPS, save it as an Excel workbook (.xlsx) and upload again."
        )
    else:
        message = _(
            "The file is really %(actual)s, not a spreadsheet. "
            "Upload the spreadsheet itself (.xlsx, .xls, .ods or .csv)."
        )
    raise FileRefused(message % values)


def _damaged() -> FileRefused:
    return FileRefused(
        _(
            "The file is damaged or cannot be read. Open it in Excel or WPS, save it again "
            "as .xlsx and upload the new file."
        )
    )


def _password_protected() -> FileRefused:
    return FileRefused(
        _(
            "The workbook is protected by a password. Open it, remove the password, "
            "save it and upload it again."
        )
    )


def _too_large_unpacked(limits: Limits) -> FileRefused:
    return FileRefused(
        _(
            "Once unpacked, the file would take more than %(limit)s MB. "
            "Split it into smaller files and upload them one by one."
        )
        % {"limit": _megabytes(limits.max_uncompressed)}
    )


def _formula_refusal(sheet: str | None, cell: str | None) -> FileRefused:
    if sheet and cell:
        message = _(
            "The file contains formulas (sheet “%(sheet)s”, cell %(cell)s). Replace formulas "
            "with their values (copy, then paste as values) and upload again."
        )
    elif sheet:
        message = _(
            "The file contains formulas (sheet “%(sheet)s”). Replace formulas "
            "with their values (copy, then paste as values) and upload again."
        )
    else:
        message = _(
            "The file contains formulas. Replace formulas "
            "with their values (copy, then paste as values) and upload again."
        )
    return FileRefused(message % {"sheet": sheet, "cell": cell})


def _empty_message(table: Table) -> str:
    if table.sheet_name is None:
        return _("The file has no data. Check that you chose the right file.")
    return _(
        "The sheet “%(sheet)s” is empty. Put the data on the first visible sheet and upload again."
    ) % {"sheet": table.sheet_name}


@contextlib.contextmanager
def _unreadable() -> Iterator[None]:
    """Turn any failure of a reader library into the "damaged file" refusal."""
    try:
        yield
    except (FileRefused, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # pyo3 reports a Rust panic as a BaseException
        raise _damaged() from error


# --- Zip containers: .xlsx and .ods ------------------------------------------------------


def _check_zip(path: Path, expected: str, extension: str, limits: Limits) -> None:
    _check_zip_directory(path)
    with _unreadable():
        archive = zipfile.ZipFile(path)
    with archive:
        with _unreadable():
            members = _members(archive)
            actual = _zip_kind(archive, members)
        _require_kind(expected, actual, extension)
        _check_packing(archive.infolist(), limits)
        with _unreadable():
            if actual == XLSX:
                _check_xlsx(archive, members, limits)
            else:
                _check_ods(archive, members, limits)


def _check_zip_directory(path: Path) -> None:
    """Refuse a zip whose directory lists too many members, before zipfile loads it.

    The end record is found as zipfile finds it: at the very end, else its last occurrence."""
    with path.open("rb") as stream:
        end = stream.seek(0, os.SEEK_END)
        stream.seek(max(0, end - _EOCD_SIZE - 65_535))
        tail = stream.read()
    at = len(tail) - _EOCD_SIZE
    if at < 0 or not tail.startswith(_EOCD_MAGIC, at) or not tail.endswith(b"\0\0"):
        at = tail.rfind(_EOCD_MAGIC)
    if at < 0 or at + _EOCD_SIZE > len(tail):
        raise _damaged()
    entries, directory_size = struct.unpack_from("<HI", tail, at + 10)
    if entries > MAX_MEMBERS or directory_size > _MAX_DIRECTORY_BYTES:
        raise _too_many_members()


def _too_many_members() -> FileRefused:
    return FileRefused(
        _(
            "The file is made of more than %(limit)s parts, far more than a spreadsheet "
            "needs, so it was refused for safety. Open it in Excel, save it again and upload "
            "the new file."
        )
        % {"limit": f"{MAX_MEMBERS:,}"}
    )


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The members by lower-case name. Names that differ only in case are refused: readers
    look names up in different ways, and must all find the member that was checked."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _too_many_members()
    members = {info.filename.lower(): info for info in infos}
    if len(members) != len(infos):
        raise _damaged()
    return members


def _zip_kind(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> str:
    if "xl/workbook.xml" in members:
        return XLSX
    if "xl/workbook.bin" in members:
        return "xlsb"
    mimetype = members.get("mimetype")
    if mimetype is not None and _small_member(archive, mimetype).strip() == _ODS_MIMETYPE:
        return ODS
    if "word/document.xml" in members:
        return "word"
    if "ppt/presentation.xml" in members:
        return "powerpoint"
    return "archive"


def _check_packing(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse a zip bomb from the sizes the directory declares, before inflating anything."""
    if sum(info.file_size for info in infos) > limits.max_uncompressed:
        raise _too_large_unpacked(limits)
    for info in infos:
        if info.file_size > MB and info.file_size / max(info.compress_size, 1) > limits.max_ratio:
            raise FileRefused(
                _(
                    "Part of the file is packed unusually tightly, as in a “zip bomb”, so it "
                    "was refused for safety. Open it in Excel, save it again and upload the "
                    "new file."
                )
            )


def _small_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    return b"".join(_member_chunks(archive, info, limit=100))


def _member_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limit: int | None = None
) -> Iterator[bytes]:
    """A member's bytes in chunks, never more than its declared size (nor `limit`)."""
    left = info.file_size if limit is None else min(info.file_size, limit)
    with archive.open(info) as stream:
        while left > 0:
            chunk = stream.read(min(_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


# --- Scanning XML parts with expat --------------------------------------------------------

# Control characters are not allowed in XML, yet some programs write them; calamine reads
# past them, so the scan turns them into spaces rather than call the file damaged.
_CONTROLS = bytes.maketrans(bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]), b" " * 29)
_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _main_names(local: str) -> set[str]:
    """The names expat gives an element of the SpreadsheetML namespace (or of none)."""
    return {local, *(f"{namespace} {local}" for namespace in _MAIN_NAMESPACES)}


class _XmlScan:
    """What `_parse_xml` drives: element callbacks, and the parser to switch text capture."""

    wants_end = False
    parser: Any = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def finish(self) -> None:
        pass


def _parse_xml(chunks: Iterable[bytes], scan: _XmlScan) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler = scan.start
    if scan.wants_end:
        parser.EndElementHandler = scan.end
    scan.parser = parser
    try:
        for chunk in chunks:
            parser.Parse(chunk.translate(_CONTROLS), False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise _damaged() from error
    scan.finish()


def _refuse_doctype(*args: object) -> None:
    raise _damaged()  # parts of a spreadsheet never declare a DTD; entities could explode


class _Collector(_XmlScan):
    """The attributes (by local name) of every element with a given local name."""

    def __init__(self, local: str) -> None:
        self.local = local
        self.found: list[dict[str, str]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == self.local:
            self.found.append({key.rpartition(" ")[2]: value for key, value in attrs.items()})


def _xml_elements(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo | None, local: str
) -> list[dict[str, str]]:
    if info is None:
        return []
    collector = _Collector(local)
    _parse_xml(_member_chunks(archive, info), collector)
    return collector.found


class _Extent:
    """The grid calamine allocates for a sheet: rows from the top (python-calamine pads the
    rows above the data) down to the lowest value, columns from the leftmost value to the
    rightmost one. Rows and columns are 1-based."""

    __slots__ = ("bottom", "left", "right")

    def __init__(self) -> None:
        self.bottom = 0
        self.left = sys.maxsize
        self.right = 0

    def add(self, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        self.bottom = max(self.bottom, row + rows - 1)
        self.left = min(self.left, col)
        self.right = max(self.right, col + cols - 1)

    @property
    def cells(self) -> int:
        return self.bottom * (self.right - self.left + 1) if self.right else 0


def _check_extent(extent: _Extent, text: int, limits: Limits, *, reserved: int = 0) -> None:
    if max(extent.cells, reserved) > limits.max_cells:
        raise FileRefused(
            _(
                "The data in the file spans more than %(limit)s cells. Split it into smaller "
                "files, or delete stray values far from the table, and upload again."
            )
            % {"limit": f"{limits.max_cells:,}"}
        )
    if text > limits.max_uncompressed:
        raise _too_large_unpacked(limits)


@functools.cache
def _column_number(letters: str) -> int:
    """The 1-based number of a column from its letters (A is 1, XFD is 16384)."""
    if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha()):
        raise _damaged()
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _cell_ref(row: int, col: int) -> str:
    """The A1 reference of a 1-based (row, column)."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _count(value: str | None, *, default: int) -> int:
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise _damaged()
    return int(value)


# --- .xlsx ---------------------------------------------------------------------------------

_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")


def _check_xlsx(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], limits: Limits
) -> None:
    if any(name.startswith("xl/externallinks/") for name in members):
        raise FileRefused(
            _(
                "The file contains links to other workbooks. Break the links in Excel "
                "(Data › Edit Links › Break Link), save, and upload again."
            )
        )
    for rel in _xml_elements(archive, members.get("_rels/.rels"), "Relationship"):
        target = rel.get("Target", "").replace("\\", "/").lstrip("/").lower()
        if rel.get("Type", "").endswith("/officeDocument") and target != "xl/workbook.xml":
            raise _damaged()  # calamine would read a workbook other than the one checked here
    rels = members.get("xl/_rels/workbook.xml.rels")
    targets = {
        rel.get("Id", ""): (rel.get("Type", ""), _target_names(rel.get("Target", "")))
        for rel in _xml_elements(archive, rels, "Relationship")
    }
    strings = {"xl/sharedstrings.xml"}.union(
        *(names for kind, names in targets.values() if kind.endswith("/sharedStrings"))
    )
    lengths = _shared_string_lengths(
        archive, [members[n] for n in sorted(strings & members.keys())]
    )
    longest = max(lengths, default=0)
    for info, sheet in _xlsx_worksheets(archive, members, targets):
        if _plainly_safe(archive, info, longest, limits):
            continue
        scan = _XlsxSheetScan(sheet, lengths)
        _parse_xml(_member_chunks(archive, info), scan)
        _check_extent(scan.extent, scan.text, limits)


# A fast, conservative look at a worksheet's bytes (C-speed searches, no XML parsing) that
# proves the common case safe: no formula, no namespace prefixes, every cell with an A1
# reference, a grid and a shared text well within the limits. Anything it is not sure of
# goes to the exact scan (_XlsxSheetScan), which costs ~6 µs a cell: 18 s for a
# 100,000-row, 28-column export, against about a second here.
_MAIN_URIS = tuple(namespace.encode() for namespace in _MAIN_NAMESPACES)
_THREE_LETTER_REF = re.compile(rb'<c r="[A-Z]{3}')
_TWO_LETTER_REF = re.compile(rb'<c r="([A-Z]{2})[0-9]')


def _plainly_safe(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, longest: int, limits: Limits
) -> bool:
    """True when the sheet is certainly within the limits and free of formulas. Each test
    is a plain byte search; where one cannot be sure, the answer is False."""
    letters: set[bytes] = set()
    shared = cells = refs = namespaces = 0
    rest = b""
    first = True
    for chunk in _member_chunks(archive, info):
        data = rest + chunk
        cut = data.rfind(b">") + 1  # no tag is split: the rest goes with the next chunk
        data, rest = data[:cut], data[cut:]
        if first and not any(b'<worksheet xmlns="%s"' % uri in data[:4096] for uri in _MAIN_URIS):
            return False  # the root must be unprefixed, with the main namespace as default
        first = False
        # Only `<f>` starts with "<f" in a worksheet; a prefixed name (x:f, x:c) is possible
        # only if the main namespace is declared more than once (the root's default).
        if b"<f" in data or b"<!DOCTYPE" in data or _THREE_LETTER_REF.search(data):
            return False
        namespaces += sum(data.count(uri) for uri in _MAIN_URIS)
        # Every "<c" that is not a column ("<col", "<cols") must be a cell with a reference.
        cells += data.count(b"<c") - data.count(b"<col")
        refs += data.count(b'<c r="')
        shared += data.count(b' t="s"')  # counts more than shared-string cells, never fewer
        letters.update(_TWO_LETTER_REF.findall(data))
    if rest.strip() or cells != refs or namespaces != 1:
        return False
    right = max((_column_number(c.decode()) for c in letters), default=26)
    if shared * longest > limits.max_uncompressed:
        return False
    return _rows_within(archive, info, limits.max_cells // right)


def _rows_within(archive: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> bool:
    """Whether no cell reference names a row below `most`: references with more digits
    than `most` are searched for, and those with as many digits compared."""
    digits = len(str(most))
    longer = re.compile(rb'<c r="[A-Z]{1,2}[0-9]{%d}' % (digits + 1))
    same = re.compile(rb'<c r="[A-Z]{1,2}([0-9]{%d})"' % digits)
    rest = b""
    for chunk in _member_chunks(archive, info):
        data = rest + chunk
        cut = data.rfind(b">") + 1
        data, rest = data[:cut], data[cut:]
        if longer.search(data):
            return False
        if any(int(number) > most for number in same.findall(data)):
            return False
    return True


def _xlsx_worksheets(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    targets: dict[str, tuple[str, set[str]]],
) -> list[tuple[zipfile.ZipInfo, str | None]]:
    """Every part a sheet of xl/workbook.xml may point to (whatever its relationship type), with
    the sheet's name, in workbook order; then any other part under xl/worksheets/."""
    found: dict[str, str | None] = {}
    for sheet in _xml_elements(archive, members.get("xl/workbook.xml"), "sheet"):
        _kind, names = targets.get(sheet.get("id", ""), ("", set()))
        for name in sorted(names & members.keys()):
            found.setdefault(name, sheet.get("name"))
    for name in members:
        if _WORKSHEET_PART.fullmatch(name):
            found.setdefault(name, None)
    return [(members[name], sheet_name) for name, sheet_name in found.items()]


def _target_names(target: str) -> set[str]:
    """The lower-case member names a relationship target of xl/workbook.xml may mean: as the
    packaging rules resolve it, and as calamine does (a leading "/xl/" or "xl/" kept, anything
    else put under "xl/", nothing normalised)."""
    if target.startswith("/xl/"):
        literal = target[1:]
    elif target.startswith("xl/"):
        literal = target
    else:
        literal = f"xl/{target}"
    slashed = target.replace("\\", "/")
    if slashed.startswith("/"):
        resolved = slashed[1:]
    else:
        resolved = posixpath.normpath(posixpath.join("xl", slashed))
    return {literal.lower(), literal.replace("\\", "/").lower(), resolved.lower()}


class _SharedStrings(_XmlScan):
    """The length of every shared string (conservatively: all text from one `si` to the next)."""

    def __init__(self) -> None:
        self.lengths = array("q")
        self._names = _main_names("si")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name in self._names:
            self.lengths.append(0)
            self.parser.CharacterDataHandler = self._text

    def _text(self, data: str) -> None:
        self.lengths[-1] += len(data)


def _shared_string_lengths(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> Sequence[int]:
    """The length of each shared string; the longest of each index if several parts may be
    the shared string table."""
    tables = []
    for info in infos:
        scan = _SharedStrings()
        _parse_xml(_member_chunks(archive, info), scan)
        tables.append(scan.lengths)
    if len(tables) == 1:
        return tables[0]
    return [max(lengths) for lengths in itertools.zip_longest(*tables, fillvalue=0)]


class _XlsxSheetScan(_XmlScan):
    """Stops at the first formula; measures the grid and the shared text of one worksheet.

    This runs for every cell of the file, so the common elements are handled inline."""

    def __init__(self, sheet: str | None, lengths: Sequence[int]) -> None:
        self.sheet = sheet
        self.lengths = lengths
        self.extent = _Extent()
        self.text = 0
        self.row = 0
        self.row_digits = ""  # `row` as written, so most cells need not parse it again
        self.col = 0
        self.shared = False
        self.capturing = False
        self.index: list[str] = []
        self.cell_names = _main_names("c")
        self.shared_names = _main_names("v")  # a shared string's index is a `v`
        self.value_names = self.shared_names | _main_names("is")
        self.row_names = _main_names("row")
        self.formula_names = _main_names("f")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name in self.cell_names:
            self._cell(attrs)
        elif name in self.value_names:
            extent, row, col = self.extent, self.row, self.col
            if row > extent.bottom:
                extent.bottom = row
            if col > extent.right:
                extent.right = col
            if col < extent.left:
                extent.left = col
            if self.shared and name in self.shared_names:
                self.capturing = True
                self.parser.CharacterDataHandler = self.index.append
        elif name in self.row_names:
            self.finish()
            self.row = _count(attrs.get("r"), default=self.row + 1)
            self.row_digits = str(self.row)
            self.col = 0
        elif name in self.formula_names:
            raise _formula_refusal(self.sheet, _cell_ref(self.row, self.col))

    def _cell(self, attrs: dict[str, str]) -> None:
        if self.capturing:
            self.finish()
        ref = attrs.get("r")
        if ref is None:
            self.col += 1
        else:
            letters = ref.rstrip("0123456789")
            digits = ref[len(letters) :]
            self.col = _column_number(letters)
            if digits != self.row_digits:
                if not digits:
                    raise _damaged()
                self.row = _count(digits, default=0)
                self.row_digits = digits
        self.shared = attrs.get("t") == "s"

    def finish(self) -> None:
        """Count the shared string the last value used."""
        if not self.capturing:
            return
        self.capturing = False
        self.parser.CharacterDataHandler = None
        text = "".join(self.index).strip()
        self.index.clear()
        if text.isascii() and text.isdigit() and int(text) < len(self.lengths):
            self.text += self.lengths[int(text)]


# --- .ods ----------------------------------------------------------------------------------


def _check_ods(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], limits: Limits
) -> None:
    if _xml_elements(archive, members.get("meta-inf/manifest.xml"), "encryption-data"):
        raise _password_protected()
    content = members.get("content.xml")
    if content is None:
        raise _damaged()
    _parse_xml(_member_chunks(archive, content), _OdsScan(limits))


class _OdsScan(_XmlScan):
    """Stops at the first formula; measures each table, counting repeated rows and cells."""

    wants_end = True
    _TABLE_NAME = f"{_TABLE} table"
    _ROW = f"{_TABLE} table-row"
    _CELLS = {f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"}

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.depth = 0
        self.sheet: str | None = None
        self.extent = _Extent()
        self.text = 0
        self.row = self.col = 0  # 0-based position of the current row and cell
        self.rows = self.cols = 1  # how many times they repeat
        self.has_value = False
        self.length = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name in self._CELLS:
            self._start_cell(attrs)
        elif name == self._ROW:
            self.rows = max(_count(attrs.get(f"{_TABLE} number-rows-repeated"), default=1), 1)
            self.col = 0
        elif name == self._TABLE_NAME:
            if self.depth == 0:
                self.sheet = attrs.get(f"{_TABLE} name")
                self.extent, self.text, self.row = _Extent(), 0, 0
            self.depth += 1

    def _start_cell(self, attrs: dict[str, str]) -> None:
        if f"{_TABLE} formula" in attrs:
            raise _formula_refusal(self.sheet, _cell_ref(self.row + 1, self.col + 1))
        self.cols = max(_count(attrs.get(f"{_TABLE} number-columns-repeated"), default=1), 1)
        self.has_value = f"{_OFFICE} value-type" in attrs
        self.length = 0
        self.parser.CharacterDataHandler = self._text

    def _text(self, data: str) -> None:
        self.length += len(data)
        self.has_value = self.has_value or not data.isspace()

    def end(self, name: str) -> None:
        if name in self._CELLS:
            self.parser.CharacterDataHandler = None
            if self.has_value:
                self.extent.add(self.row + 1, self.col + 1, self.rows, self.cols)
                self.text += self.length * self.rows * self.cols
            self.col += self.cols
        elif name == self._ROW:
            self.row += self.rows
            self.rows = 1
        elif name == self._TABLE_NAME:
            self.depth -= 1
            if self.depth == 0:
                _check_extent(self.extent, self.text, self.limits)


# --- .xls (BIFF records in an OLE2 file) ----------------------------------------------------

_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x002F, 0x0200
_SST, _CONTINUE, _LABELSST, _MULRK = 0x00FC, 0x003C, 0x00FD, 0x00BD
_FORMULA = 0x0006
_FORMULA_RECORDS = {_FORMULA, 0x0206, 0x04BC, 0x0221}  # FORMULA (BIFF8, BIFF3-4), SHRFMLA, ARRAY
# NUMBER, LABEL, LABELSST, RK, MULRK, BOOLERR, RSTRING: cells holding a value.
_CELL_RECORDS = {0x0203, 0x0204, _LABELSST, 0x027E, _MULRK, 0x0205, 0x00D6}


def _check_ole(path: Path, expected: str, extension: str, limits: Limits) -> bytes:
    """Check an .xls file and return a clean copy of it for calamine.

    olefile and calamine find a stream in the OLE2 container in different ways (a directory
    can list two entries named Workbook), so calamine is given a container written here that
    holds only the stream that was checked."""
    with _unreadable():
        ole = olefile.OleFileIO(str(path))
    try:
        with _unreadable():
            actual, stream_name = _ole_kind(ole)
        if actual == "encrypted":
            raise _password_protected()
        _require_kind(expected, actual, extension)
        with _unreadable():
            stream = bytes(ole.openstream(stream_name).read())
            _XlsScan(biff8=stream_name == "Workbook", limits=limits).run(stream)
    finally:
        ole.close()
    return _compound_file(stream_name, stream)


def _ole_kind(ole: Any) -> tuple[str, str]:
    """What an OLE2 file is, and the stream holding the workbook if it is one."""
    if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
        return "encrypted", ""
    for name in ("Workbook", "Book"):
        if ole.exists(name):
            return XLS, name
    if ole.exists("WordDocument"):
        return "word", ""
    if ole.exists("PowerPoint Document"):
        return "powerpoint", ""
    return "unknown", ""


def _biff_records(stream: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(offset, type, data) of each record: a u16 type, a u16 length, then the data."""
    offset = 0
    while offset + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, offset)
        yield offset, kind, stream[offset + 4 : offset + 4 + size]
        offset += 4 + size


@dataclass
class _XlsSheet:
    name: str
    extent: _Extent = field(default_factory=_Extent)
    text: int = 0
    reserved: int = 0  # cells calamine reserves for the used range the sheet declares


class _XlsScan:
    """Stops at a formula or a password; measures each sheet as calamine reads it: the records
    from the offset its BOUNDSHEET record gives, up to the first EOF record."""

    def __init__(self, *, biff8: bool, limits: Limits) -> None:
        self.biff8 = biff8
        self.limits = limits
        self.in_globals = True  # calamine takes the SST from the globals only
        self.targets: dict[int, str] = {}  # sheet name by the offset its BOUNDSHEET gives
        self.open: list[_XlsSheet] = []  # one sheet can start inside another
        self.sst: list[bytes] | None = None  # the SST record and its CONTINUE records
        self.strings: list[int] = []
        self.unknown_string = 0  # length assumed for a string the table could not give

    def run(self, stream: bytes) -> None:
        for offset, kind, body in _biff_records(stream):
            name = self.targets.pop(offset, None)
            if name is not None:
                self.open.append(_XlsSheet(name))
            self._record(kind, body)
        self._end_strings()
        self._end_sheets()
        if self.targets:
            raise _damaged()  # a sheet said to start where no record starts

    def _record(self, kind: int, body: bytes) -> None:
        if self.sst is not None:
            if kind == _CONTINUE:
                self.sst.append(body)
                return
            self._end_strings()
        if kind in _CELL_RECORDS:
            self._cell(kind, body)
        elif kind in _FORMULA_RECORDS:
            sheet = self.open[-1].name if self.open else None
            raise _formula_refusal(sheet, _biff_cell(kind, body))
        elif kind == _EOF:
            self.in_globals = False
            self._end_sheets()
        elif kind == _BOUNDSHEET and len(body) >= 8:
            self.targets[struct.unpack_from("<I", body)[0]] = _boundsheet_name(body, self.biff8)
        elif kind == _SST and self.in_globals:
            self.sst = [body]
        elif kind == _DIMENSIONS:
            self._dimensions(body)
        elif kind == _FILEPASS:
            raise _password_protected()

    def _dimensions(self, body: bytes) -> None:
        """calamine reserves room for the used range a sheet declares, counted in wrapping
        32-bit arithmetic as calamine counts it (so an upside-down range is huge)."""
        if len(body) == 14:  # BIFF8: u32 first row, u32 last row + 1, u16 columns likewise
            top, end, left, right = struct.unpack_from("<IIHH", body)
        elif len(body) == 10:  # BIFF5: u16 everywhere
            top, end, left, right = struct.unpack_from("<HHHH", body)
        else:
            return
        cells = ((end - top) % 2**32) * ((right - left) % 2**32) if end and right else 1
        for sheet in self.open:
            sheet.reserved = max(sheet.reserved, cells)

    def _cell(self, kind: int, body: bytes) -> None:
        if len(body) < 6 or not self.open:
            return
        row, col = struct.unpack_from("<HH", body)
        last = struct.unpack_from("<H", body, len(body) - 2)[0] if kind == _MULRK else col
        text = 0
        if kind == _LABELSST and len(body) >= 10:
            index = struct.unpack_from("<I", body, 6)[0]
            text = self.strings[index] if index < len(self.strings) else self.unknown_string
        for sheet in self.open:
            sheet.extent.add(row + 1, col + 1, cols=max(last - col, 0) + 1)
            sheet.text += text

    def _end_sheets(self) -> None:
        for sheet in self.open:
            _check_extent(sheet.extent, sheet.text, self.limits, reserved=sheet.reserved)
        self.open.clear()

    def _end_strings(self) -> None:
        """Measure the strings, refusing a table that claims more strings than it can hold
        (calamine reserves room for the count it claims)."""
        if self.sst is None:
            return
        size = sum(len(segment) for segment in self.sst)
        unique = struct.unpack_from("<I", self.sst[0], 4)[0] if len(self.sst[0]) >= 8 else 0
        if unique * 3 > size:
            raise _damaged()
        self.strings = _sst_lengths(self.sst)
        self.unknown_string = size
        self.sst = None


def _biff_cell(kind: int, body: bytes) -> str | None:
    """The A1 reference of a FORMULA record, or of the first cell of a SHRFMLA/ARRAY range."""
    if len(body) < 6:
        return None
    row = struct.unpack_from("<H", body)[0]
    col = struct.unpack_from("<H", body, 2)[0] if kind == _FORMULA else body[4]
    return _cell_ref(row + 1, col + 1)


def _boundsheet_name(body: bytes, biff8: bool) -> str:
    count = body[6]
    if not biff8:  # BIFF5: bytes in the workbook's code page, most likely GBK here
        return body[7 : 7 + count].decode("gb18030", "replace")
    if body[7] & 1:
        return body[8 : 8 + 2 * count].decode("utf-16-le", "replace")
    return body[8 : 8 + count].decode("latin-1")


class _Segments:
    """Reads across an SST record and its CONTINUE records; ValueError past the end."""

    def __init__(self, segments: list[bytes]) -> None:
        self.segments = segments
        self.index = 0
        self.pos = 8  # after the total and unique string counts

    def more(self) -> bool:
        while self.pos >= len(self.segments[self.index]) and self.index + 1 < len(self.segments):
            self.index, self.pos = self.index + 1, 0
        return self.pos < len(self.segments[self.index])

    def take(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            if not self.more():
                raise ValueError("SST ends early")
            piece = self.segments[self.index][self.pos : self.pos + size - len(data)]
            self.pos += len(piece)
            data += piece
        return data

    def skip(self, size: int) -> None:
        while size > 0:
            if not self.more():
                raise ValueError("SST ends early")
            step = min(size, len(self.segments[self.index]) - self.pos)
            self.pos += step
            size -= step

    def skip_characters(self, count: int, wide: bool) -> None:
        """Characters may continue in the next record, which then starts with a flags byte."""
        while count > 0:
            segment = self.segments[self.index]
            if self.pos >= len(segment):
                if self.index + 1 >= len(self.segments):
                    raise ValueError("SST ends early")
                self.index, self.pos = self.index + 1, 1
                wide = bool(self.segments[self.index][0] & 0x01)
                continue
            width = 2 if wide else 1
            step = min(count, (len(segment) - self.pos) // width)
            if step == 0:
                raise ValueError("a character is split")
            self.pos += step * width
            count -= step


def _sst_lengths(segments: list[bytes]) -> list[int]:
    """The length, in characters, of each string of the shared string table (SST)."""
    lengths: list[int] = []
    if len(segments[0]) < 8:
        return lengths
    unique = struct.unpack_from("<I", segments[0], 4)[0]
    reader = _Segments(segments)
    try:
        while len(lengths) < unique and reader.more():
            count, flags = struct.unpack("<HB", reader.take(3))
            runs = struct.unpack("<H", reader.take(2))[0] if flags & 0x08 else 0
            extra = struct.unpack("<I", reader.take(4))[0] if flags & 0x04 else 0
            reader.skip_characters(count, wide=bool(flags & 0x01))
            reader.skip(4 * runs + extra)
            lengths.append(count)
    except ValueError:
        pass  # the strings not measured count as long as the whole table
    return lengths


_SECTOR = 4096  # version 4 compound files: 4 KB sectors, up to 109 FAT sectors without DIFAT
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _compound_file(name: str, stream: bytes) -> bytes:
    """A compound (OLE2) file holding one stream: header, FAT, directory, the stream padded to
    at least 4 KB (so that it lives in ordinary sectors), then an empty sector for the root's
    mini stream, which calamine wants for a version 4 file."""
    data = stream.ljust(max(_SECTOR, -(-len(stream) // _SECTOR) * _SECTOR), b"\0")
    data_sectors = len(data) // _SECTOR
    fat_sectors = 1
    while fat_sectors * _SECTOR // 4 < fat_sectors + data_sectors + 2:
        fat_sectors += 1
    if fat_sectors > 109:
        raise _damaged()  # over 450 MB: cannot come from a file within the size limit
    directory = fat_sectors
    mini_stream = directory + 1 + data_sectors
    fat = [_FAT_SECTOR] * fat_sectors + [_END_OF_CHAIN]
    fat += [directory + 2 + index for index in range(data_sectors - 1)] + [_END_OF_CHAIN]
    fat += [_END_OF_CHAIN] + [_FREE] * (fat_sectors * _SECTOR // 4 - len(fat) - 1)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        _OLE_MAGIC, b"", 0x3E, 4, 0xFFFE, 12, 6, b"", 1, fat_sectors, directory, 0,
        _SECTOR, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0,
    )  # fmt: skip
    difat = struct.pack("<109I", *range(fat_sectors), *[_FREE] * (109 - fat_sectors))
    entries = (
        _directory_entry("Root Entry", 5, child=1, start=mini_stream, size=0)
        + _directory_entry(name, 2, child=_NO_STREAM, start=directory + 1, size=len(data))
    ).ljust(_SECTOR, b"\0")
    return b"".join(
        (
            (header + difat).ljust(_SECTOR, b"\0"),
            struct.pack(f"<{len(fat)}I", *fat),
            entries,
            data,
            bytes(_SECTOR),
        )
    )


def _directory_entry(name: str, kind: int, *, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), kind, 1, _NO_STREAM, _NO_STREAM, child)
        + bytes(16 + 4 + 16)  # class id, state bits, creation and modification times
        + struct.pack("<IQ", start, size)
    )


# --- Reading a workbook with calamine -------------------------------------------------------


def _open_workbook(path: Path, kind: str) -> Table:
    with _unreadable(), CalamineWorkbook.from_path(path) as workbook:
        name = _first_visible_sheet(workbook)
        sheet = workbook.get_sheet_by_name(name)
    return Table(kind=kind, sheet_name=name, read=partial(_sheet_rows, sheet))


def _open_xls(workbook: bytes) -> Table:
    with tempfile.TemporaryDirectory(prefix="canlian-xls-") as folder:
        copy = Path(folder) / "workbook.xls"
        copy.write_bytes(workbook)
        return _open_workbook(copy, XLS)  # the sheet is in memory once this returns


def _first_visible_sheet(workbook: CalamineWorkbook) -> str:
    for metadata in workbook.sheets_metadata:
        if metadata.typ == SheetTypeEnum.WorkSheet and metadata.visible == SheetVisibleEnum.Visible:
            return metadata.name
    raise FileRefused(
        _(
            "The workbook has no visible worksheet. Unhide the sheet with the data, save, "
            "and upload again."
        )
    )


def _sheet_rows(sheet: CalamineSheet) -> Generator[Row, None, None]:
    start = sheet.start
    if start is None:
        return
    first_row, first_col = start
    # python-calamine's iter_rows() yields a blank row for each row above the data, so row
    # numbers count from the top, but each row starts at the first column holding data.
    leading: list[Cell] = [None] * first_col
    for index, values in enumerate(_guarded(sheet.iter_rows())):
        if index < first_row:
            continue
        cells = _clean(values)
        if cells:
            yield index + 1, leading + cells


def _guarded(items: Iterable[list[Any]]) -> Iterator[list[Any]]:
    """The items, with any failure of the reader turned into FileRefused."""
    iterator = iter(items)
    while True:
        with _unreadable():
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


def _clean(values: Sequence[Cell]) -> list[Cell]:
    """The cells with blanks as None and trailing blanks dropped."""
    # _blank inlined: this runs for every cell of a file.
    cells = [
        None if value is None or (type(value) is str and not value.strip()) else value
        for value in values
    ]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- CSV and tab-separated text -----------------------------------------------------------


def _open_csv(path: Path, head: bytes) -> Table:
    encoding = _csv_encoding(path, head)
    delimiter = _delimiter(path, encoding)
    return Table(kind=CSV, encoding=encoding, read=partial(_csv_rows, path, encoding, delimiter))


def _csv_encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        if _decodes(path, encoding):
            return encoding
    raise FileRefused(
        _(
            "The text of the file is not in UTF-8 or GB18030 (GBK). Open it in Excel or WPS, "
            "save it as “CSV UTF-8” and upload again."
        )
    )


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes, read 1 MB at a time."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as stream:
        try:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _delimiter(path: Path, encoding: str) -> str:
    with path.open(newline="", encoding=encoding) as stream:
        for line in stream:
            if line.strip():
                return "\t" if "\t" in line and "," not in line else ","
    return ","


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Generator[Row, None, None]:
    """Records numbered over all records, blank ones included, as Excel numbers them."""
    with path.open(newline="", encoding=encoding) as stream:
        records = csv.reader(stream, delimiter=delimiter)
        number = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as error:
                raise _bad_record(number + 1) from error
            number += 1
            if any("\x00" in field for field in record):
                raise _bad_record(number)
            cells = _clean(record)
            if cells:
                yield number, cells


def _bad_record(number: int) -> FileRefused:
    return FileRefused(
        _(
            "Row %(row)s of the file cannot be read (an unclosed quote, a cell that is too "
            "long, or binary data). Correct that row, save the file as “CSV UTF-8” and "
            "upload again."
        )
        % {"row": number}
    )


# --- Cell values ------------------------------------------------------------------------------


def cell_text(value: Cell) -> str:
    """Text of a cell as a person would read it: None → ""; text stripped; True/False → 是/否;
    a whole number below 1e15 without ".0"; a number of 1e15 or more as Excel shows it
    (4.10825199001011E+17), since its last digits are lost; dates in ISO form, with the time
    unless it is midnight."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return f"{value.date().isoformat()} {value:%H:%M:%S}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _number_text(value: float) -> str:
    if math.isfinite(value) and abs(value) >= 1e15:
        mantissa, exponent = f"{value:.14E}".split("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"
    if value.is_integer():
        return str(int(value))
    return repr(value)


_TIME_SUFFIX = r"(?:[ T]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?"
_YEAR_MONTH_DAY = r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
_CHINESE = r"(?P<y>[0-9]{4}) *年 *(?P<m>[0-9]{1,2}) *月 *(?P<d>[0-9]{1,2}) *日?"
_DATE_PATTERNS = (
    re.compile(_YEAR_MONTH_DAY + _TIME_SUFFIX),
    re.compile(_CHINESE + _TIME_SUFFIX),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
)
_SERIAL_TEXT = re.compile(r"[0-9]{1,7}(?:\.[0-9]+)?")


def cell_date(value: Cell) -> datetime.date | None:
    """A date from a cell, or None if it is blank; ValueError if it is not a date.

    Accepts dates and datetimes; text such as 2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日 and
    20200105 (full-width digits too), optionally followed by a time; and an Excel serial day
    number (1900 date system) as a number or as text. An eight-digit whole number such as
    20200105, far beyond the last serial, is read as that date too."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, int | float):
        return _number_date(value)
    if isinstance(value, str):
        return _text_date(value)
    raise ValueError(f"not a date: {value!r}")


def _number_date(value: float) -> datetime.date:
    if 10_000_101 <= value <= 99_991_231 and float(value).is_integer():
        text = str(int(value))
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return _serial_date(value)


def _serial_date(serial: float) -> datetime.date:
    """Excel's day number: 1 is 1900-01-01, and Excel counts a 1900-02-29 that never was (60)."""
    if not 1 <= serial <= _EXCEL_MAX_SERIAL:
        raise ValueError(f"not an Excel date serial: {serial!r}")
    day = int(serial)
    if day == 60:
        raise ValueError("Excel's 1900-02-29 does not exist")
    return _EXCEL_EPOCH + datetime.timedelta(days=day if day > 60 else day + 1)


def _text_date(value: str) -> datetime.date | None:
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    if _SERIAL_TEXT.fullmatch(text):
        return _serial_date(float(text))
    raise ValueError(f"not a date: {value!r}")
