"""CSV and tab-separated text: decoded in this process, streamed, never loaded whole.

UTF-8 with or without a BOM, GB18030 (which covers GBK and GB2312) or UTF-16 with a BOM,
checked by decoding the whole file in chunks; comma-separated unless the first non-blank line
has tabs and no commas.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Generator
from functools import partial
from pathlib import Path

from django.utils.translation import gettext as _

from canlian.spreadsheets.isolated.protocol import clean
from canlian.spreadsheets.reading.refusals import CSV, FileRefused
from canlian.spreadsheets.reading.table import MB, Row, Table

_CHUNK = MB


def open_csv(path: Path, head: bytes) -> Table:
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
            cells = clean(record)
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
