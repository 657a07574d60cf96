"""Small counts in published outputs (小数抑制).

A table marked for publication shows each count below the threshold (the setting
``CANLIAN_SMALL_COUNT``, default 5) as "<5", and then suppresses complementary cells so that
no suppressed count can be recomputed from a total: along every line of the table (a row or
a column, each with its total shown) that holds exactly one suppressed cell, the smallest
other cell of that line is suppressed too, until no line holds exactly one. Zero counts are
suppressed like any other small count (an empty cell tells as much as a small one). An
amount is suppressed where the count of the same cell is.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

Cell = tuple[int, int]


def threshold() -> int:
    return int(getattr(settings, "CANLIAN_SMALL_COUNT", 5))


def suppress(table: Sequence[Sequence[int]], limit: int | None = None) -> set[Cell]:
    """The cells (row, column) of `table` to hide: the small counts and their complements.
    Every row and every column is taken to have its total published."""
    limit = threshold() if limit is None else limit
    small = {(r, c) for r, row in enumerate(table) for c, value in enumerate(row) if value < limit}
    return complete(table, small)


def complete(table: Sequence[Sequence[int | Decimal]], hidden: set[Cell]) -> set[Cell]:
    """`hidden` with the complementary cells of `table` that keep them hidden: along every
    line (row or column, its total published) holding exactly one hidden cell, the smallest
    other cell is hidden too, until no line holds exactly one. For amounts as for counts (an
    amount hidden with its count)."""
    hidden = set(hidden)
    height = len(table)
    width = max((len(row) for row in table), default=0)
    lines = [[(r, c) for c in range(len(table[r]))] for r in range(height)]
    lines += [[(r, c) for r in range(height) if c < len(table[r])] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [cell for cell in line if cell in hidden]
            if len(inside) != 1:
                continue
            others = [cell for cell in line if cell not in hidden]
            if not others:
                continue
            smallest = min(others, key=lambda cell: (table[cell[0]][cell[1]], cell))
            hidden.add(smallest)
            changed = True
    return hidden


def shown(value: int, limit: int | None = None) -> str:
    """How a suppressed count is written: "<5"."""
    return f"<{threshold() if limit is None else limit}"
