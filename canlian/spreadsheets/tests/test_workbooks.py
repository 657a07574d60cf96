"""Workbooks are read in a child process: whatever it does, this process gets rows or a
`FileRefused`, quickly, and lives on.

The child reads `protocol.TEST_HOOK` to misbehave on purpose before it reads the file. Each
misbehaviour is bounded (4 GB of address space, a sleep or a spin of a few seconds), so if the
limits were removed, or the file read in this process, the file would be read after all and
these tests would fail."""

from __future__ import annotations

import io
import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.utils import translation

from canlian.spreadsheets.isolated import protocol
from canlian.spreadsheets.reading import FileRefused, Limits, open_table, process, workbooks

LIMITS = Limits(
    max_bytes=5 * 2**20,
    max_uncompressed=64 * 2**20,
    max_ratio=200,
    max_memory=512 * 2**20,
    max_seconds=1,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("名单").write_row("A1", ["姓名", "王芳"])
    book.close()
    path = tmp_path / "a.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def refused_within(path: Path, seconds: float, limits: Limits = LIMITS) -> str:
    started = time.monotonic()
    with pytest.raises(FileRefused) as caught:
        open_table(path, filename=path.name, limits=limits)
    assert time.monotonic() - started < seconds
    return caught.value.message


def test_the_workbook_is_read_when_the_child_behaves(workbook: Path) -> None:
    assert list(open_table(workbook, filename="a.xlsx", limits=LIMITS).rows()) == [
        (1, ["姓名", "王芳"])
    ]


def test_a_reader_exceeding_its_memory_is_refused_and_this_process_lives_on(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(protocol.TEST_HOOK, "allocate")
    assert "more than 20,000,000 cells" in refused_within(workbook, 20)
    monkeypatch.delenv(protocol.TEST_HOOK)
    assert list(open_table(workbook, filename="a.xlsx", limits=LIMITS).rows())


def test_a_reader_exceeding_its_time_is_killed_and_refused(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(protocol.TEST_HOOK, "sleep")
    assert "more than 20,000,000 cells" in refused_within(workbook, 6)  # it would sleep 8 s


def test_a_reader_exceeding_its_processor_time_is_refused(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(protocol.TEST_HOOK, "spin")
    assert "more than 20,000,000 cells" in refused_within(workbook, 6)  # it would spin 8 s


def test_a_crashing_reader_is_refused_as_damaged(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(protocol.TEST_HOOK, "crash")
    assert "damaged or cannot be read" in refused_within(workbook, 20)


def test_a_small_file_gets_little_processor_time(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"x" * 2**20)
    assert workbooks._seconds(path, Limits(2**30, 2**30, 200)) == 7
    assert workbooks._seconds(path, LIMITS) == 1


def test_the_reader_gets_none_of_this_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CANLIAN_FIELD_KEY", "secret")
    assert set(process.environment()) == {"PATH", "LANG", "RUST_BACKTRACE"}
    monkeypatch.setenv(protocol.TEST_HOOK, "sleep")
    assert process.environment()[protocol.TEST_HOOK] == "sleep"


class _Exploit:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("true",))


def test_a_frame_naming_anything_but_a_date_type_is_not_unpickled() -> None:
    frame = pickle.dumps([(1, [_Exploit()])])
    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system is not allowed"):
        protocol.load_frame(frame)
