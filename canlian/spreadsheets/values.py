"""Read the values of one registry row: codes or words, Chinese or English, as offices type them.

Each reader takes a cell and returns the value, or raises `BadValue` with the reason shown to
the user. Words are matched after NFKC (full-width letters and digits) and without spaces.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from canlian.people.ethnicity import Ethnicity
from canlian.people.models import Category, Grade, LifeStatus, Sex
from canlian.spreadsheets.reading import Cell, cell_date, cell_text

_SPACES_RE = re.compile(r"\s+")
_CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4}


class BadValue(ValueError):
    """The cell cannot be read as the column's value; the message says why."""


def fold(text: str) -> str:
    return _SPACES_RE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _labels(choices: type[Category] | type[Grade] | type[LifeStatus] | type[Sex]) -> dict:  # type: ignore[type-arg]
    """{folded label: value} for the English and the Chinese label of every choice."""
    words = {}
    for value, label in choices.choices:
        words[fold(str(value))] = value
        with translation.override("en"):
            words[fold(str(label))] = value
        with translation.override("zh-hans"):
            words[fold(str(label))] = value
    return words


@lru_cache(maxsize=1)
def _category_words() -> dict[str, int]:
    words = _labels(Category)
    for value, label in Category.choices:
        with translation.override("zh-hans"):
            chinese = fold(str(label))
        words[chinese.removesuffix("残疾")] = value  # 肢体
        words[chinese.removesuffix("残疾") + "残"] = value  # 肢体残
    return words


@lru_cache(maxsize=1)
def _grade_words() -> dict[str, int]:
    words = _labels(Grade)
    for numeral, value in _CHINESE_NUMERALS.items():
        words[numeral] = value
        words[numeral + "级"] = value
    for value in Grade.values:
        words[f"{value}级"] = value
    return words


@lru_cache(maxsize=1)
def _ethnicity_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for value, label in Ethnicity.choices:
        words[value] = value
        words[str(int(value))] = value
        with translation.override("en"):
            words[fold(str(label))] = value
        with translation.override("zh-hans"):
            chinese = fold(str(label))
        words[chinese] = value
        if chinese.endswith("族") and len(chinese) >= 2:
            words[chinese.removesuffix("族")] = value  # 汉 for 汉族, not 族 alone
    return words


@lru_cache(maxsize=1)
def _sex_words() -> dict[str, str]:
    words = _labels(Sex)
    words |= {"男性": Sex.MALE, "女性": Sex.FEMALE}
    return words


@lru_cache(maxsize=1)
def _life_status_words() -> dict[str, str]:
    words = _labels(LifeStatus)
    words |= {
        "注销": LifeStatus.CANCELLED,
        "已故": LifeStatus.DECEASED,
        "去世": LifeStatus.DECEASED,
    }
    return words


_YES = frozenset({"是", "y", "yes", "1", "√", "✓", "有", "true"})
_NO = frozenset({"否", "n", "no", "0", "×", "✗", "无", "false"})


_ESCAPED_RE = re.compile(r"^'[=+\-@\t\r]")


def read_text(cell: Cell) -> str:
    """The text of a cell; the apostrophe an export puts before a leading = + - @ is removed."""
    text = cell.strip() if type(cell) is str else cell_text(cell)
    return text[1:] if text[:1] == "'" and _ESCAPED_RE.match(text) else text


def read_category(cell: Cell) -> int | None:
    text = fold(cell_text(cell))
    if not text:
        return None
    if text in _category_words():
        return _category_words()[text]
    raise BadValue(_("Enter the category as a code from 1 to 7 or its name, e.g. 4 or 肢体残疾."))


def read_grade(cell: Cell) -> int | None:
    text = fold(cell_text(cell))
    if not text:
        return None
    if text in _grade_words():
        return _grade_words()[text]
    raise BadValue(_("Enter the grade as a code from 1 to 4 or its name, e.g. 2 or 二级."))


def read_ethnicity(cell: Cell) -> str | None:
    text = fold(cell_text(cell))
    if not text:
        return None
    if text in _ethnicity_words():
        return _ethnicity_words()[text]
    raise BadValue(_("Not one of the 56 ethnic groups (GB/T 3304), e.g. 汉族 or 01."))


def read_sex(cell: Cell) -> str | None:
    text = fold(cell_text(cell))
    if not text:
        return None
    if text in _sex_words():
        return _sex_words()[text]
    raise BadValue(_("Enter 男 or 女."))


def read_life_status(cell: Cell) -> str | None:
    text = fold(cell_text(cell))
    if not text:
        return None
    if text in _life_status_words():
        return _life_status_words()[text]
    raise BadValue(_("Enter 正常, 死亡, 迁出 or 残疾人证注销."))


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
