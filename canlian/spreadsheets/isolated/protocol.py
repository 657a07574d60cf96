"""What the parent asks the child reader and what the child answers.

The child writes frames to its standard output: an 8-byte little-endian length, then a pickle.
Once the file has passed its checks, the first frame is (SHEET, the sheet's name); then come
frames of up to `ROWS_PER_FRAME` rows, a list of (row number, cells); the last frame is the
outcome, a tuple whose first item is one of the codes below. A file refused before its rows
are sent has only the outcome. The parent unpickles
with `load_frame`, which builds nothing but plain values and the four `datetime` types, so a
child that a hostile file had taken over still could not make the parent run code.
"""

from __future__ import annotations

import datetime
import io
import pickle
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

XLSX, XLS, ODS = "xlsx", "xls", "ods"
ROWS_PER_FRAME = 2000
# Read by the child only, in tests: makes it allocate ("allocate"), sleep ("sleep"), spin
# ("spin") or crash ("crash") before reading, to prove that the limits hold.
TEST_HOOK = "CANLIAN_READER_TEST_HOOK"

# Outcomes: (OK,) | (KIND, what the file really is) | (PASSWORD,) | (FORMULA, sheet or None,
# cell or None) | (HIDDEN,) | (CELLS,) | (TEXT,) | (MEMORY,) | (DAMAGED,)
SHEET = "sheet"
OK = "ok"
KIND = "kind"
PASSWORD = "password"  # noqa: S105 (a code, not a password)
FORMULA = "formula"
HIDDEN = "hidden"
CELLS = "cells"
TEXT = "text"
MEMORY = "memory"
DAMAGED = "damaged"

LENGTH = struct.Struct("<Q")
_DATETIME_TYPES = {"date", "datetime", "time", "timedelta"}


@dataclass(frozen=True)
class Request:
    """One file to read. `identify` asks the child to tell what an OLE2 file holds first (an
    .xls workbook, or a Word document, an encrypted package…) and to read it only if it is
    `kind`; a zip is identified by the parent from its directory. `max_seconds` is processor
    time; `max_text` counts the characters of the text cells sent."""

    path: str
    kind: str
    identify: bool
    max_cells: int
    max_text: int
    max_memory: int
    max_seconds: float

    def argv(self) -> list[str]:
        return [
            self.path,
            self.kind,
            "1" if self.identify else "0",
            str(self.max_cells),
            str(self.max_text),
            str(self.max_memory),
            repr(self.max_seconds),
        ]

    @classmethod
    def from_argv(cls, argv: list[str]) -> Request:
        path, kind, identify, cells, text, memory, seconds = argv
        return cls(path, kind, identify == "1", int(cells), int(text), int(memory), float(seconds))


def write_frame(out: IO[bytes], value: object) -> int:
    """Write one frame; return its size in bytes."""
    data = pickle.dumps(value, protocol=5)
    out.write(LENGTH.pack(len(data)))
    out.write(data)
    return len(data)


class _PlainUnpickler(pickle.Unpickler):
    """Builds plain values and dates only: no other class or function can be named."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _DATETIME_TYPES:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def load_frame(frame: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(frame)).load()


def clean(values: Sequence[Any]) -> list[Any]:
    """The cells with blanks (empty or whitespace-only text) as None, trailing ones dropped."""
    cells = [
        None if value is None or (type(value) is str and not value.strip()) else value
        for value in values
    ]
    while cells and cells[-1] is None:
        cells.pop()
    return cells
