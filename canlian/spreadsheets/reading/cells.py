"""Cell values as a person reads them: text, and dates written in the ways people write them."""

from __future__ import annotations

import datetime
import math
import re
import unicodedata

from canlian.spreadsheets.reading.table import Cell

_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31


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
