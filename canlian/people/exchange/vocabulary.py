"""The registry's words: category, grade, ethnicity, sex and life status as offices type them,
codes or words, Chinese or English, and the reader of each column of the exchange format.

Each reader takes a cell and returns the value, or raises `BadValue` with the reason shown to
the user (canlian.spreadsheets.values reads text, flags and dates).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from canlian.people.ethnicity import Ethnicity
from canlian.people.exchange.columns import STATUS_COLUMNS
from canlian.people.models import Category, Grade, LifeStatus, Sex
from canlian.spreadsheets.reading import Cell, cell_text
from canlian.spreadsheets.values import BadValue, choice_words, fold, read_date, read_flag

_CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4}


@lru_cache(maxsize=1)
def _category_words() -> dict[str, int]:
    words = choice_words(Category)
    for value, label in Category.choices:
        with translation.override("zh-hans"):
            chinese = fold(str(label))
        words[chinese.removesuffix("残疾")] = value  # 肢体
        words[chinese.removesuffix("残疾") + "残"] = value  # 肢体残
    return words


@lru_cache(maxsize=1)
def _grade_words() -> dict[str, int]:
    words = choice_words(Grade)
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
    words = choice_words(Sex)
    words |= {"男性": Sex.MALE, "女性": Sex.FEMALE}
    return words


@lru_cache(maxsize=1)
def _life_status_words() -> dict[str, str]:
    words = choice_words(LifeStatus)
    words |= {
        "注销": LifeStatus.CANCELLED,
        "已故": LifeStatus.DECEASED,
        "去世": LifeStatus.DECEASED,
    }
    return words


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


# The reader of each coded column; the others are text.
READERS: dict[str, Callable[[Cell], Any]] = {
    "sex": read_sex,
    "ethnicity": read_ethnicity,
    "birth_date": read_date,
    "category": read_category,
    "grade": read_grade,
    "certificate_issued_on": read_date,
    "certificate_expires_on": read_date,
    "life_status": read_life_status,
    "life_status_date": read_date,
    **{key: read_flag for key in STATUS_COLUMNS},
}
