"""The one way spreadsheets are written: safe cells, CSV, and .xlsx workbooks."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import python_calamine

from canlian.spreadsheets import writing


def test_cells_that_would_run_as_formulas_get_an_apostrophe() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert writing.safe_cell(text) == "'" + text
    assert writing.safe_cell("张三") == "张三"
    assert writing.safe_cell(None) == ""
    assert writing.safe_cell(12) == "12"


def test_csv_text_writes_dates_and_amounts_plainly() -> None:
    assert writing.csv_text(None) == ""
    assert writing.csv_text(datetime.date(2020, 1, 5)) == "2020-01-05"
    assert writing.csv_text(Decimal("1E+2")) == "100"
    assert writing.csv_text(Decimal("-5.00")) == "-5.00"
    assert writing.csv_text("=cmd") == "'=cmd"


def test_csv_lines_start_with_a_bom_and_the_header_row() -> None:
    lines = list(writing.csv_lines(["姓名", "日期"], [["=x", datetime.date(2020, 1, 5)]]))
    assert lines == ["\ufeff", "姓名,日期\r\n", "'=x,2020-01-05\r\n"]


def test_write_csv_counts_the_rows_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert writing.write_csv(path, ["a", "b"], [["1", "2"], ["3", "4"]]) == 2
    assert path.read_bytes() == "\ufeffa,b\r\n1,2\r\n3,4\r\n".encode()
    assert writing.write_csv(path, ["a"], []) == 0


def test_a_csv_response_is_a_streamed_download() -> None:
    response = writing.csv_response(iter(["\ufeff", "a\r\n"]), "x.csv")
    assert response["Content-Type"] == writing.CSV
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert b"".join(response.streaming_content) == "\ufeffa\r\n".encode()


def test_write_table_keeps_dates_numbers_and_escaped_text(tmp_path: Path) -> None:
    rows = [["=1+1", datetime.date(2020, 1, 5), 3, Decimal("2.50"), None, ""]]
    target = io.BytesIO()
    written = writing.write_table(
        rows, target, sheet="表", headers=list("ABCDEF"), widths=[10] * 6, in_memory=True
    )
    assert written == 1
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(target.getvalue()))
    assert book.sheet_names == ["表"]
    header, row = book.get_sheet_by_index(0).to_python()
    assert header == list("ABCDEF")
    assert row[:4] == ["'=1+1", datetime.date(2020, 1, 5), 3, 2.5]
    assert row[4:] == ["", ""]


def test_a_book_makes_each_named_format_once(tmp_path: Path) -> None:
    book = writing.Book(str(tmp_path / "b.xlsx"))
    assert book.format("bold") is book.format("bold")
    assert book.format("text", border=1) is book.format("text", border=1)
    assert book.format("text", border=1) is not book.format("text")
    book.sheet("x")
    book.close()
