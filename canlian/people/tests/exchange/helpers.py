"""Build import files for tests: rows of the exchange format as CSV or .xlsx."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from canlian.lib import idcard

HEADER = [
    "姓名",
    "公民身份号码",
    "民族",
    "户籍所在乡镇（街道）",
    "残疾类别",
    "残疾等级",
    "发证日期",
]


def id_for(sequence: int, *, region: str = "410825", born: datetime.date | None = None) -> str:
    return idcard.build(
        region_code=region, birth_date=born or datetime.date(1970, 5, 17), sequence=sequence
    )


def row(sequence: int, **overrides: Any) -> dict[str, Any]:
    """A valid row for an adult of 测试一镇 (温县), physical disability grade 2."""
    values: dict[str, Any] = {
        "姓名": f"测试{sequence}",
        "公民身份号码": id_for(sequence),
        "民族": "汉族",
        "户籍所在乡镇（街道）": "测试一镇",
        "残疾类别": "4",
        "残疾等级": "2",
        "发证日期": "2019-03-01",
    }
    values.update(overrides)
    return values


def write_csv(
    path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8-sig", header: Any = None
) -> Path:
    columns = header or list(dict.fromkeys(k for r in rows for k in r)) or HEADER
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for values in rows:
            writer.writerow([values.get(c, "") for c in columns])
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]], *, title: str | None = None) -> Path:
    """Rows under a header row; with `title`, a title row above it (as offices do)."""
    columns = list(dict.fromkeys(k for r in rows for k in r)) or HEADER
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("Sheet1")
    top = 0
    if title:
        sheet.write_string(0, 0, title)
        top = 1
    for c, name in enumerate(columns):
        sheet.write_string(top, c, name)
    for r, values in enumerate(rows, start=top + 1):
        for c, name in enumerate(columns):
            value = values.get(name, "")
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime(value.year, value.month, value.day))
            elif isinstance(value, float | int):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, str(value))
    book.close()
    return path
