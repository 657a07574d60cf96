"""`open_table`: the cheap checks made in this process, then the reading.

1. Size: an empty file, or one larger than `Limits.max_bytes`, is refused from `stat()`.
2. Extension: .xlsx, .xls, .ods, .csv or .txt (in any case).
3. Signature: the first bytes say whether the file is a zip (.xlsx, .ods), an OLE2 container
   (.xls, but also Word files and password-protected workbooks), a PDF, an image, a program
   or text; the type must agree with the extension, and the message names what the file
   really is when that is known.
4. A zip's directory, read by `zipfile` without inflating anything: at most `MAX_MEMBERS`
   members, no two names differing only in case, what the package is (from its member names
   and, for .ods, its `mimetype`), no links to other workbooks, declared sizes summing to at
   most `max_uncompressed` and no member over 1 MB packed more than `max_ratio` times.
5. A workbook is then read by python-calamine in a child process within memory and time
   limits (`workbooks`), which also refuses formulas; CSV and text are read here (`text`).
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path, PurePath

from canlian.spreadsheets.isolated.protocol import ODS, XLS, XLSX
from canlian.spreadsheets.reading import refusals
from canlian.spreadsheets.reading.refusals import CSV, FileRefused
from canlian.spreadsheets.reading.table import MAX_MEMBERS, MB, Limits, Table
from canlian.spreadsheets.reading.text import open_csv
from canlian.spreadsheets.reading.workbooks import read_workbook

_KIND_OF_EXTENSION = {".xlsx": XLSX, ".xls": XLS, ".ods": ODS, ".csv": CSV, ".txt": CSV}
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


def open_table(path: Path, *, filename: str, limits: Limits | None = None) -> Table:
    """Check the file and return a Table, or raise FileRefused. `filename` is the name the user
    gave the file (its extension matters); `path` is where its bytes are on disk."""
    limits = limits or Limits.from_settings()
    _check_size(path, limits)
    extension = PurePath(filename).suffix.lower()
    expected = _KIND_OF_EXTENSION.get(extension)
    if expected is None:
        raise refusals.not_a_spreadsheet_name(filename)
    with path.open("rb") as stream:
        head = stream.read(_HEAD)
    if head.startswith(_ZIP_MAGIC):
        _check_zip(path, expected, extension, limits)
        table = read_workbook(
            path, kind=expected, identify=False, extension=extension, limits=limits
        )
    elif head.startswith(_OLE_MAGIC):
        table = read_workbook(
            path, kind=expected, identify=True, extension=extension, limits=limits
        )
    else:
        refusals.require_kind(expected, _plain_kind(head), extension)
        table = open_csv(path, head)
    if not table.has_rows():
        raise refusals.empty(table.sheet_name)
    return table


def _check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size == 0:
        raise refusals.empty_file()
    if size > limits.max_bytes:
        raise refusals.too_large(limits)


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


def _check_zip(path: Path, expected: str, extension: str, limits: Limits) -> None:
    """Check a zip from its directory; the only bytes inflated are ODS's `mimetype`."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise refusals.too_many_members()
            names = {info.filename.lower(): info for info in infos}
            if len(names) != len(infos):
                raise refusals.damaged()  # readers look names up in different ways
            actual = _zip_kind(archive, names)
    except FileRefused:
        raise
    except Exception as error:  # zipfile raises more than BadZipFile on a broken directory
        raise refusals.damaged() from error
    refusals.require_kind(expected, actual, extension)
    if any(name.startswith("xl/externallinks/") for name in names):
        raise refusals.external_links()
    if sum(info.file_size for info in infos) > limits.max_uncompressed:
        raise refusals.too_large_unpacked(limits)
    for info in infos:
        if info.file_size > MB and info.file_size / max(info.compress_size, 1) > limits.max_ratio:
            raise refusals.zip_bomb()


def _zip_kind(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> str:
    if "xl/workbook.xml" in names:
        return XLSX
    if "xl/workbook.bin" in names:
        return "xlsb"
    mimetype = names.get("mimetype")
    if mimetype is not None:
        with archive.open(mimetype) as stream:
            if stream.read(100).strip() == _ODS_MIMETYPE:
                return ODS
    if "word/document.xml" in names:
        return "word"
    if "ppt/presentation.xml" in names:
        return "powerpoint"
    return "archive"
