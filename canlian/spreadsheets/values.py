"""Read cell values as offices type them: text, yes/no flags and dates, and `fold` for matching
words (an app matches its vocabularies' words from their data, never from translations).

Each reader takes a cell and returns the value, or raises `BadValue` with the reason shown to
the user. Words are matched after NFKC (full-width letters and digits) and without spaces.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils.translation import gettext as _

from canlian.spreadsheets.reading import Cell, cell_date, cell_text

_SPACES_RE = re.compile(r"\s+")


class BadValue(ValueError):
    """The cell cannot be read as the column's value; the message says why."""


def fold(text: str) -> str:
    return _SPACES_RE.sub("", unicodedata.normalize("NFKC", text)).lower()


_YES = frozenset({"是", "y", "yes", "1", "√", "✓", "有", "true"})
_NO = frozenset({"否", "n", "no", "0", "×", "✗", "无", "false"})


_ESCAPED_RE = re.compile(r"^'[=+\-@\t\r]")


def read_text(cell: Cell) -> str:
    """The text of a cell; the apostrophe an export puts before a leading = + - @ is removed."""
    text = cell.strip() if type(cell) is str else cell_text(cell)
    return text[1:] if text[:1] == "'" and _ESCAPED_RE.match(text) else text


def read_flag(cell: Cell) -> bool | None:
    text = fold(cell_text(cell))
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise BadValue(_("Enter 是 or 否 (or leave it empty to keep the registry's value)."))


def read_date(cell: Cell) -> datetime.date | None:
    try:
        return cell_date(cell)
    except ValueError:
        raise BadValue(_("Not a date. Write it as 2020-01-05.")) from None
