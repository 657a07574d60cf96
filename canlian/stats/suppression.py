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

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings

Cell = tuple[int, int]


def threshold() -> int:
    return int(getattr(settings, "CANLIAN_SMALL_COUNT", 5))


def suppress(table: Sequence[Sequence[int]], limit: int | None = None) -> set[Cell]:
    """The cells (row, column) of `table` to hide: the small counts and their complements.
    Every row and every column is taken to have its total published."""
    limit = threshold() if limit is None else limit
    small = {(r, c) for r, row in enumerate(table) for c, value in enumerate(row) if value < limit}
    return complete(table, small, limit)


def complete(
    table: Sequence[Sequence[int | Decimal]], hidden: set[Cell], limit: int | None = None
) -> set[Cell]:
    """`hidden` with the complementary cells of `table` that keep them hidden: along every
    line (row or column, its total published) holding exactly one hidden cell, or, for
    counts below `limit`, hidden cells that would not leave each small one anywhere below it
    (`protected`), the smallest other cell is hidden too, until none does. For amounts as for
    counts (an amount hidden with its count; no `limit`)."""
    height = len(table)
    width = max((len(row) for row in table), default=0)
    lines = [[(r, c) for c in range(len(table[r]))] for r in range(height)]
    lines += [[(r, c) for r in range(height) if c < len(table[r])] for c in range(width)]
    return _close(
        lines, hidden, lambda cell: (table[cell[0]][cell[1]], cell),
        lambda cell: table[cell[0]][cell[1]], limit,
    )  # fmt: skip


def with_totals(values: Mapping[Cell, int | Decimal | None], limit: int | None = None) -> set[Cell]:
    """The cells to hide of a table published with its totals, laid out as `values` maps
    them: the body, then a last row of column totals and, for more than one column, a last
    column of row totals, the grand total in the corner (one column: the last row is the
    grand total). Every count below the threshold, a total as any other, then the cells
    that keep them hidden (`close`)."""
    limit = threshold() if limit is None else limit
    small = {cell for cell, value in values.items() if (value or 0) < limit}
    return close(values, small, limit)


def close(
    values: Mapping[Cell, int | Decimal | None], hidden: set[Cell], limit: int | None = None
) -> set[Cell]:
    """`hidden` with the cells of `values` (laid out as for `with_totals`) that keep each one
    hidden: along every row and column holding exactly one hidden cell (which would be its
    total less the others, or a total the sum of the others), the smallest other cell, a
    total only when no other is left, until no line holds exactly one."""
    if not values:
        return set(hidden)
    bottom = max(r for r, _c in values)
    right = max(c for _r, c in values)
    rows = [[cell for cell in values if cell[0] == r] for r in range(bottom + 1)]
    columns = [[cell for cell in values if cell[1] == c] for c in range(right + 1)]

    def rank(cell: Cell) -> tuple[bool, int | Decimal, Cell]:
        is_total = cell[0] == bottom or (right > 0 and cell[1] == right)
        return (is_total, values[cell] or 0, cell)

    lines = [line for line in rows + columns if len(line) > 1]
    return _close(lines, hidden, rank, lambda cell: values[cell] or 0, limit)


def protected(hidden: Sequence[int | Decimal], limit: int) -> bool:
    """Whether the hidden cells of a line, whose sum a reader has from the line's total,
    still leave each small one (below `limit`, written "<5") anywhere from 0 to `limit` - 1:
    the other hidden cells, each small one below `limit` and each withheld one at least
    `limit`, can always make up the rest. Otherwise "<5" beside "withheld" would say too much:
    0 and 5 hidden in a line say the 0 exactly (together 5, the withheld one at least 5), as
    4 and 4 (together 8, each at most 4) do."""
    small = [v for v in hidden if v < limit]
    if not small:
        return True
    if len(hidden) < 2:
        return False
    together = sum(hidden)
    withheld = len(hidden) - len(small)
    if withheld == 0:
        return limit - 1 <= together <= (limit - 1) * (len(small) - 1)
    return together >= limit * withheld + limit - 1


def _close(
    lines: list[list[Cell]],
    hidden: set[Cell],
    rank: Callable[[Cell], Any],
    value: Callable[[Cell], Any],
    limit: int | None,
) -> set[Cell]:
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [cell for cell in line if cell in hidden]
            if not inside:
                continue
            others = [cell for cell in line if cell not in hidden]
            if not others:
                continue
            if len(inside) > 1 and (
                limit is None or protected([value(cell) for cell in inside], limit)
            ):
                continue
            hidden.add(min(others, key=rank))
            changed = True
    return hidden


def shown(value: int, limit: int | None = None) -> str:
    """How a suppressed count is written: "<5"."""
    return f"<{threshold() if limit is None else limit}"
