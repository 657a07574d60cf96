"""The reading process, seen from the process that started it.

A thread collects the child's output as it comes, frame by frame, so that rows can be read
while the child still sends the next ones; it kills the child when its time is up or its
output grows past what a sheet within the limits can make, and once the child has ended it
knows what its end means (see `failure`).
"""

from __future__ import annotations

import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from canlian.spreadsheets import isolated
from canlian.spreadsheets.isolated import protocol
from canlian.spreadsheets.isolated.protocol import Request
from canlian.spreadsheets.reading import refusals
from canlian.spreadsheets.reading.refusals import FileRefused
from canlian.spreadsheets.reading.table import Limits

logger = logging.getLogger("canlian.spreadsheets.reading.workbooks")

# The folder holding the `canlian` package, so the child imports the same code.
_ROOT = Path(isolated.__file__).resolve().parents[3]
_READ = 1024 * 1024
_ERRORS_KEPT = 16 * 1024


@dataclass
class _End:
    """How the child's run ended, as seen from here."""

    returncode: int = 0
    timed_out: bool = False
    overflowed: bool = False
    cut: bool = False  # its output stops inside a frame
    errors: bytearray = field(default_factory=bytearray)


class ReaderProcess:
    """Start the child for `request` and collect its frames; `done` runs once it has ended."""

    def __init__(self, request: Request, *, limits: Limits, done: Callable[[], None]) -> None:
        self._frames: list[bytes] = []
        self._end: _End | None = None  # once the child has ended
        self._changed = threading.Condition()
        self._limits = limits
        self._done = done
        # Twice the processor time in wall-clock time: the machine may be busy.
        self._deadline = time.monotonic() + 2 * request.max_seconds
        # Each character of text takes at most 4 bytes, each cell far less than 16.
        self._most = 4 * limits.max_uncompressed + 16 * limits.max_cells
        self._process = subprocess.Popen(  # noqa: S603 (our own module, with arguments we made)
            [sys.executable, "-B", "-E", "-s", "-m", isolated.__name__, *request.argv()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=_ROOT,
            env=environment(),
        )
        threading.Thread(target=self._watch, name="canlian-sheet-reader", daemon=True).start()

    def frame(self, index: int) -> bytes:
        """The child's `index`th frame, once it has come; FileRefused if the child ended
        without sending it."""
        with self._changed:
            while index >= len(self._frames) and self._end is None:
                self._changed.wait()
            if index < len(self._frames):
                return self._frames[index]
            assert self._end is not None
            raise self._failure(self._end)  # translated here, in the language of the asker

    def _watch(self) -> None:
        end = _End()
        try:
            self._collect(end)
        finally:
            if self._process.poll() is None:
                self._process.kill()
            end.returncode = self._process.wait()
            for stream in (self._process.stdout, self._process.stderr):
                if stream is not None:
                    stream.close()
            self._done()
            _log(end)
            with self._changed:
                self._end = end
                self._changed.notify_all()

    def _collect(self, end: _End) -> None:
        process, output = self._process, bytearray()
        assert process.stdout is not None and process.stderr is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ, True)
            selector.register(process.stderr, selectors.EVENT_READ, False)
            while selector.get_map():
                left = self._deadline - time.monotonic()
                if left <= 0:
                    end.timed_out = True
                    return
                for key, _events in selector.select(left):
                    data = os.read(key.fd, _READ)
                    if not data:
                        selector.unregister(key.fileobj)
                    elif key.data:
                        output.extend(data)
                        if not self._take_frames(output):
                            end.overflowed = True
                            return
                    else:
                        end.errors.extend(data)
                        del end.errors[:-_ERRORS_KEPT]
        end.cut = bool(output)
        try:
            process.wait(timeout=max(self._deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            end.timed_out = True

    def _take_frames(self, output: bytearray) -> bool:
        """Move the whole frames at the start of `output` to the frames; False once the
        output is larger than the limits allow."""
        taken, frames = 0, []
        while len(output) - taken >= protocol.LENGTH.size:
            (size,) = protocol.LENGTH.unpack_from(output, taken)
            if size > self._most:
                return False
            if len(output) - taken - protocol.LENGTH.size < size:
                break
            start = taken + protocol.LENGTH.size
            frames.append(bytes(output[start : start + size]))
            taken = start + size
        del output[:taken]
        if frames:
            with self._changed:
                self._frames.extend(frames)
                self._most -= sum(map(len, frames))
                self._changed.notify_all()
        return self._most >= len(output)

    def _failure(self, end: _End) -> FileRefused:
        """What a user is told if the frames stop before the outcome."""
        if end.overflowed:
            return refusals.too_large_unpacked(self._limits)
        # Out of memory (Rust aborts) or out of time: the grid, or the text, is too large.
        if end.timed_out or end.returncode in (-signal.SIGABRT, -signal.SIGXCPU, -signal.SIGKILL):
            return refusals.too_many_cells(self._limits)
        return refusals.damaged()


def _log(end: _End) -> None:
    if end.timed_out or end.overflowed or end.cut or end.returncode != 0:
        logger.warning(
            "The spreadsheet reader failed (exit %s%s%s%s): %s",
            end.returncode,
            ", out of time" if end.timed_out else "",
            ", too much output" if end.overflowed else "",
            ", output cut inside a frame" if end.cut else "",
            end.errors.decode("utf-8", "replace")[-2000:],
        )


def environment() -> dict[str, str]:
    """Nothing of this process's environment (database addresses, keys) but the test hook."""
    values = {"PATH": os.defpath, "LANG": "C.UTF-8", "RUST_BACKTRACE": "0"}
    hook = os.environ.get(protocol.TEST_HOOK)
    if hook:
        values[protocol.TEST_HOOK] = hook
    return values
