"""Pinyin initials of a person's name, stored beside it for search (张三 → zs)."""

from __future__ import annotations

import functools
import os


@functools.lru_cache(maxsize=65536)
def _initial(char: str) -> str:
    # Imported on first use, without the phrase dictionary (characters are read one at a
    # time): loading it took about a second of every process's start, web and commands alike.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    from pypinyin import Style, lazy_pinyin

    letters = "".join(lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")).lower()
    return "".join(ch for ch in letters if "a" <= ch <= "z")


def name_initials(name: str) -> str:
    """Lower-case pinyin initials of a name (张三 → zs); characters without pinyin are dropped.

    Read character by character (each character's usual reading, remembered): a pypinyin call
    costs ~40 µs, too much for a 100,000-row import, and a name is not a phrase of the
    dictionary anyway (the same initials as whole-name conversion for all 22,111 distinct
    names of a 100,000-person demo)."""
    return "".join(_initial(char) for char in name)
