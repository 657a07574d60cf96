"""The registry's words: category, grade, ethnicity, sex and life status as offices type them,
codes or words, Chinese or English, and the reader of each column of the exchange format. The
words come from the vocabularies' data (canlian/people/terms.py), not from translations.

Each reader takes a cell and returns the value, or raises `BadValue` with the reason shown to
the user (canlian.spreadsheets.values reads text, flags and dates).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from canlian.people.exchange.columns import STATUS_COLUMNS
from canlian.people.terms import CATEGORY, ETHNICITY, GRADE, LIFE_STATUS, SEX, Term, Vocabulary
from canlian.spreadsheets.reading import Cell, cell_text
from canlian.spreadsheets.values import BadValue, fold, read_date, read_flag


def words_of(
    vocabulary: Vocabulary[Any], more: Callable[[Term[Any]], Iterable[str]] | None = None
) -> dict[str, Any]:
    """{folded spelling: stored code} of every term (with `more` spellings of a term): read
    from the data, never from the translation catalogue, so that 男 and 汉族 read the same
    under any locale (decision 0016). A spelling that would name two terms is a mistake in the
    data: ValueError, rather than reading it as whichever term came last."""
    words: dict[str, Any] = {}
    for term in vocabulary:
        for spelling in (*term.spellings(), *(more(term) if more else ())):
            key = fold(spelling)
            if words.setdefault(key, term.code) != term.code:
                raise ValueError(
                    f"{spelling!r} names two terms of {vocabulary.source or 'a vocabulary'}: "
                    f"{words[key]!r} and {term.code!r}"
                )
    return words


def _short_ethnic_names(term: Term[Any]) -> tuple[str, ...]:
    """1 for 01, and 汉 for 汉族 (never 族 alone)."""
    return str(int(term.code)), term.zh.removesuffix("族")


@lru_cache(maxsize=1)
def _category_words() -> dict[str, int]:
    return words_of(CATEGORY)


@lru_cache(maxsize=1)
def _grade_words() -> dict[str, int]:
    return words_of(GRADE)


@lru_cache(maxsize=1)
def _ethnicity_words() -> dict[str, str]:
    return words_of(ETHNICITY, _short_ethnic_names)


@lru_cache(maxsize=1)
def _sex_words() -> dict[str, str]:
    return words_of(SEX)


@lru_cache(maxsize=1)
def _life_status_words() -> dict[str, str]:
    return words_of(LIFE_STATUS)


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
    raise BadValue(_("Not one of the 56 ethnic groups (GB/T 3304), e.g. 汉族, 01, HA or Han."))


def read_sex(cell: Cell) -> str | None:
    text = fold(cell_text(cell))
    if not text:
        return None
    if text in _sex_words():
        return _sex_words()[text]
    # GB/T 2261.1's 0 (unknown) and 9 (unspecified) are refused on purpose: a certificate
    # holder's sex is known from the ID number.
    raise BadValue(_("Enter 男 or 女, or the code 1 or 2 of GB/T 2261.1."))


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
