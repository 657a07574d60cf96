"""Read a workbook (.xlsx, .xls, .ods) in a child process with memory and time limits.

python-calamine is fast, but it is native code reading hostile bytes, and it holds a sheet
as a dense grid: a file of a few kilobytes can ask it for gigabytes, or crash it. So it runs
in a fresh interpreter (`canlian.spreadsheets.isolated`), which lowers its own address space
and processor time before it reads the file (`process` starts and watches it). Every way it
can fail becomes the `FileRefused` a user sees for a bad file: when the table is opened for
what the child finds first (formulas, a grid too large, a crash while parsing), while its rows
are read for what it finds later (too much text, a crash while sending).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Generator
from functools import partial
from pathlib import Path
from typing import Any

from canlian.spreadsheets.isolated import protocol
from canlian.spreadsheets.isolated.protocol import Request
from canlian.spreadsheets.reading import refusals
from canlian.spreadsheets.reading.process import ReaderProcess
from canlian.spreadsheets.reading.refusals import FileRefused
from canlian.spreadsheets.reading.table import MB, Limits, Row, Table


def read_workbook(
    path: Path, kind: str, *, identify: bool, extension: str, limits: Limits
) -> Table:
    """Read `path` as a `kind` workbook in a child process. With `identify`, the file is an
    OLE2 container that the child first identifies (see `protocol.Request`)."""
    folder = Path(tempfile.mkdtemp(prefix="canlian-read-"))
    # calamine picks its reader by the extension; the upload is stored under its own name
    link = folder / f"book.{kind}"
    link.symlink_to(path.resolve())
    child = ReaderProcess(
        _request(link, kind, identify, limits, _seconds(path, limits)),
        limits=limits,
        done=partial(shutil.rmtree, folder, ignore_errors=True),
    )
    refuse = partial(_refusal, kind=kind, extension=extension, limits=limits)
    first = _load(child.frame(0))
    if first[0] != protocol.SHEET:
        raise refuse(first)
    return Table(kind=kind, sheet_name=str(first[1]), read=partial(_rows, child, refuse))


def _seconds(path: Path, limits: Limits) -> float:
    """The processor time the child may take: 5 s and 2 s a megabyte, at most
    `Limits.max_seconds`. Reading takes about 0.3 s a megabyte; a small hostile file is
    stopped in seconds, which matters where a file is read during a web request."""
    return min(limits.max_seconds, 5 + 2 * path.stat().st_size / MB)


def _request(path: Path, kind: str, identify: bool, limits: Limits, seconds: float) -> Request:
    return Request(
        path=str(path),
        kind=kind,
        identify=identify,
        max_cells=limits.max_cells,
        max_text=limits.max_uncompressed,
        max_memory=limits.max_memory,
        max_seconds=seconds,
    )


def _load(frame: bytes) -> Any:
    """A frame's rows (a list) or an outcome (a tuple starting with a code)."""
    try:
        value = protocol.load_frame(frame)
    except Exception as error:
        raise refusals.damaged() from error
    if isinstance(value, list) or (isinstance(value, tuple) and value):
        return value
    raise refusals.damaged()


def _rows(
    child: ReaderProcess, refuse: Callable[[tuple[Any, ...]], FileRefused]
) -> Generator[Row, None, None]:
    """The rows, frame by frame after the sheet's name, as they come; each call from the top."""
    index = 1
    while True:
        value = _load(child.frame(index))
        if isinstance(value, tuple):
            if value[0] != protocol.OK:
                raise refuse(value)
            return
        yield from value
        index += 1


def _refusal(outcome: tuple[Any, ...], *, kind: str, extension: str, limits: Limits) -> FileRefused:
    code, details = outcome[0], [None if d is None else str(d) for d in outcome[1:3]]
    if code == protocol.KIND and details and details[0] == "encrypted":
        return refusals.password_protected()
    if code == protocol.KIND and details and details[0]:
        refusals.require_kind(kind, details[0], extension)
    if code == protocol.FORMULA and len(details) == 2:
        return refusals.formulas(*details)
    simple: dict[object, Callable[[], FileRefused]] = {
        protocol.PASSWORD: refusals.password_protected,
        protocol.HIDDEN: refusals.no_visible_sheet,
        protocol.CELLS: partial(refusals.too_many_cells, limits),
        protocol.MEMORY: partial(refusals.too_many_cells, limits),
        protocol.TEXT: partial(refusals.too_large_unpacked, limits),
    }
    return simple.get(code, refusals.damaged)()
