"""Columns of an exchange format, and the matching of a file's header row to them.

A header matches its column whatever its spacing, full-width brackets, letter case or the "*"
templates put after required columns; each column may also accept aliases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

StrOrPromise = str | Promise

_SPACES_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    sensitive: bool = False
    width: int = 14
    note: str = ""
    # How an import's problem list shows the file's value (None: its first 60 characters).
    mask: Callable[[str], str] | None = None


def header_key(text: str) -> str:
    """Comparable form of a header: NFKC (full-width brackets), no spaces, no trailing "*"
    (templates mark required columns with it), lower case for English headers."""
    folded = unicodedata.normalize("NFKC", text)
    return _SPACES_RE.sub("", folded).rstrip("*").lower()


class ColumnSet:
    """The columns of one format. `one_of`: keys of which a file needs at least one (when
    none is there, the first is named as missing, the others as its alternatives);
    `no_header`: what a file without a header row is told (naming a few of the columns)."""

    def __init__(
        self, columns: tuple[Column, ...], *, no_header: StrOrPromise, one_of: tuple[str, ...] = ()
    ) -> None:
        self.columns = columns
        self.no_header = no_header
        self.by_key = {c.key: c for c in columns}
        self.one_of = one_of
        self.aliases: dict[str, str] = {}
        for column in columns:
            for name in (column.header, *column.aliases):
                self.aliases[header_key(name)] = column.key

    def match(self, cells: list[str]) -> tuple[dict[str, int], list[str]]:
        """({column key: index}, [headers not recognised]) for a header row. The first column
        of a key wins; a repeated column is listed as not recognised."""
        found: dict[str, int] = {}
        unknown: list[str] = []
        for index, cell in enumerate(cells):
            if not cell:
                continue
            key = self.aliases.get(header_key(cell))
            if key is None or key in found:
                unknown.append(cell)
            else:
                found[key] = index
        return found, unknown

    def missing(self, found: dict[str, int]) -> list[str]:
        """Headers of the required columns `found` lacks."""
        missing = [c.header for c in self.columns if c.required and c.key not in found]
        if self.one_of and not any(k in found for k in self.one_of):
            first, *others = (self.by_key[k].header for k in self.one_of)
            missing.append(f"{first}（或{'、'.join(others)}）")
        return missing
