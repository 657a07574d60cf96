"""Read a workbook (.xlsx, .xls, .ods) in a child process with memory and time limits.

python-calamine is fast, but it is native code reading hostile bytes, and it holds a sheet
as a dense grid: a file of a few kilobytes can ask it for gigabytes, or crash it. So it runs
in a fresh interpreter (`canlian.spreadsheets.isolated`), which lowers its own address space
and processor time before it reads the file; this process waits for it no longer than
`Limits.max_seconds`, keeps no more of its output than a sheet within the limits can make,
and turns every way it can fail into the same `FileRefused` a user sees for a bad file.
"""

from __future__ import annotations

import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from canlian.spreadsheets import isolated
from canlian.spreadsheets.isolated import protocol
from canlian.spreadsheets.isolated.protocol import Request
from canlian.spreadsheets.reading import refusals
from canlian.spreadsheets.reading.refusals import FileRefused
from canlian.spreadsheets.reading.table import MB, Limits, Row, Table

logger = logging.getLogger(__name__)

# The folder holding the `canlian` package, so the child imports the same code.
_ROOT = Path(isolated.__file__).resolve().parents[3]
_READ = 1024 * 1024
_ERRORS_KEPT = 16 * 1024


def read_workbook(
    path: Path, kind: str, *, identify: bool, extension: str, limits: Limits
) -> Table:
    """Read `path` as a `kind` workbook in a child process. With `identify`, the file is an
    OLE2 container that the child first identifies (see `protocol.Request`)."""
    with tempfile.TemporaryDirectory(prefix="canlian-read-") as folder:
        # calamine picks its reader by the extension; the upload is stored under its own name
        link = Path(folder) / f"book.{kind}"
        link.symlink_to(path.resolve())
        run = _run(_request(link, kind, identify, limits, _seconds(path, limits)), limits)
    frames = _frames(run, limits, path)
    try:
        outcome = protocol.load_frame(frames[-1])
    except Exception as error:
        raise refusals.damaged() from error
    if not isinstance(outcome, tuple) or not outcome:
        raise refusals.damaged()
    if outcome[0] == protocol.OK:
        return Table(kind=kind, sheet_name=str(outcome[1]), read=partial(_rows, frames[:-1]))
    raise _refusal(outcome, kind, extension, limits)


def _seconds(path: Path, limits: Limits) -> float:
    """The processor time the child may take: 5 s and 2 s a megabyte, at most
    `Limits.max_seconds`. Reading takes about 0.5 s a megabyte; a small hostile file is
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


@dataclass
class _Run:
    output: bytearray = field(default_factory=bytearray)
    errors: bytearray = field(default_factory=bytearray)
    returncode: int = 0
    timed_out: bool = False
    overflowed: bool = False


def _run(request: Request, limits: Limits) -> _Run:
    """Run the child, collecting its output until it exits or its time is up (a child still
    running then is killed). Its output is cut at what a sheet within the limits can make:
    each character of text takes at most 4 bytes, each cell far less than 16."""
    run = _Run()
    most = 4 * limits.max_uncompressed + 16 * limits.max_cells
    # Twice the processor time in wall-clock time: the machine may be busy.
    deadline = time.monotonic() + 2 * request.max_seconds
    argv = [sys.executable, "-B", "-E", "-s", "-m", isolated.__name__, *request.argv()]
    with subprocess.Popen(  # noqa: S603 (our own module, with arguments we made)
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_ROOT,
        env=_environment(),
    ) as process:
        try:
            _collect(process, run, deadline, most)
        finally:
            if process.poll() is None:
                process.kill()
            run.returncode = process.wait()
    return run


def _environment() -> dict[str, str]:
    """Nothing of this process's environment (database addresses, keys) but the test hook."""
    environment = {"PATH": os.defpath, "LANG": "C.UTF-8", "RUST_BACKTRACE": "0"}
    hook = os.environ.get(protocol.TEST_HOOK)
    if hook:
        environment[protocol.TEST_HOOK] = hook
    return environment


def _collect(process: subprocess.Popen[bytes], run: _Run, deadline: float, most: int) -> None:
    assert process.stdout is not None and process.stderr is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, run.output)
        selector.register(process.stderr, selectors.EVENT_READ, run.errors)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                run.timed_out = True
                return
            for key, _events in selector.select(left):
                data = os.read(key.fd, _READ)
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                key.data.extend(data)
                del run.errors[:-_ERRORS_KEPT]
                if len(run.output) > most:
                    run.overflowed = True
                    return
    try:
        process.wait(timeout=max(deadline - time.monotonic(), 0))
    except subprocess.TimeoutExpired:
        run.timed_out = True


def _frames(run: _Run, limits: Limits, path: Path) -> list[memoryview]:
    """The child's frames, or the refusal its failure means."""
    if run.timed_out or run.overflowed or run.returncode != 0:
        _log_failure(run, path)
    if run.overflowed:
        raise refusals.too_large_unpacked(limits)
    # Out of memory (Rust aborts) or out of time: the grid, or the text, is too large.
    if run.timed_out or run.returncode in (-signal.SIGABRT, -signal.SIGXCPU, -signal.SIGKILL):
        raise refusals.too_many_cells(limits)
    if run.returncode != 0:
        raise refusals.damaged()
    try:
        frames = protocol.split_frames(run.output)
    except ValueError as error:
        raise refusals.damaged() from error
    if not frames:
        raise refusals.damaged()
    return frames


def _log_failure(run: _Run, path: Path) -> None:
    logger.warning(
        "The spreadsheet reader failed on %s (exit %s%s%s): %s",
        path.name,
        run.returncode,
        ", out of time" if run.timed_out else "",
        ", too much output" if run.overflowed else "",
        run.errors.decode("utf-8", "replace")[-2000:],
    )


def _refusal(outcome: tuple[object, ...], kind: str, extension: str, limits: Limits) -> FileRefused:
    code, details = outcome[0], [None if d is None else str(d) for d in outcome[1:3]]
    if code == protocol.KIND and details and details[0] == "encrypted":
        return refusals.password_protected()
    if code == protocol.KIND and details and details[0]:
        refusals.require_kind(kind, details[0], extension)
    simple: dict[object, Callable[[], FileRefused]] = {
        protocol.PASSWORD: refusals.password_protected,
        protocol.HIDDEN: refusals.no_visible_sheet,
        protocol.CELLS: partial(refusals.too_many_cells, limits),
        protocol.MEMORY: partial(refusals.too_many_cells, limits),
        protocol.TEXT: partial(refusals.too_large_unpacked, limits),
    }
    if code == protocol.FORMULA and len(details) == 2:
        return refusals.formulas(*details)
    return simple.get(code, refusals.damaged)()


def _rows(frames: list[memoryview]) -> Generator[Row, None, None]:
    for frame in frames:
        try:
            rows = protocol.load_frame(frame)
        except Exception as error:
            raise refusals.damaged() from error
        yield from rows
