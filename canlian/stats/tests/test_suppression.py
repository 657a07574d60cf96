"""Small counts hidden in published tables, and never recoverable from a total."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canlian.stats.suppression import suppress


def lines_with_one_hidden(table: list[list[int]], hidden: set[tuple[int, int]]) -> list[str]:
    """Rows and columns (of more than one cell) where exactly one cell is hidden: its value
    would follow from the line's total."""
    found = []
    for r, row in enumerate(table):
        inside = [c for c in range(len(row)) if (r, c) in hidden]
        if len(row) > 1 and len(inside) == 1:
            found.append(f"row {r}")
    for c in range(len(table[0])):
        inside = [r for r in range(len(table)) if (r, c) in hidden]
        if len(table) > 1 and len(inside) == 1:
            found.append(f"column {c}")
    return found


def test_a_small_count_in_a_list_takes_the_next_smallest_with_it() -> None:
    table = [[10], [3], [20], [7]]
    assert suppress(table, 5) == {(1, 0), (3, 0)}


def test_zero_is_a_small_count() -> None:
    assert suppress([[0], [9], [12]], 5) == {(0, 0), (1, 0)}


def test_nothing_is_hidden_without_small_counts() -> None:
    assert suppress([[10, 20], [30, 40]], 5) == set()


def test_a_two_way_table_hides_enough_along_rows_and_columns() -> None:
    table = [[2, 30, 40], [25, 26, 50], [60, 70, 80]]
    hidden = suppress(table, 5)
    assert (0, 0) in hidden
    assert lines_with_one_hidden(table, hidden) == []
    # The fewest: the small cell, one in its row, one in its column, one to close the square.
    assert len(hidden) == 4


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(min_value=0, max_value=40), min_size=width, max_size=width),
            min_size=1,
            max_size=6,
        )
    )
)
def test_no_line_ever_holds_a_single_hidden_cell(table: list[list[int]]) -> None:
    hidden = suppress(table, 5)
    assert {(r, c) for r, row in enumerate(table) for c, v in enumerate(row) if v < 5} <= hidden
    assert lines_with_one_hidden(table, hidden) == []


@pytest.mark.parametrize("limit", [3, 10])
def test_the_threshold_is_a_setting(limit: int) -> None:
    assert suppress([[4], [50], [60]], limit) == (set() if limit == 3 else {(0, 0), (1, 0)})


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        # 0 and 5 hidden beside 30 and 40 (total 75): together 5, the withheld one at least 5,
        # so the small one would be exactly 0. A third cell makes any of 0–4 possible again.
        ([[0], [5], [30], [40]], {(0, 0), (1, 0), (2, 0)}),
        # 4 and 4 (total 8), both "<5": each would be exactly 4 (at most 4, together 8).
        ([[4], [4], [30]], {(0, 0), (1, 0), (2, 0)}),
    ],
)
def test_what_is_hidden_leaves_each_small_count_anywhere_below_the_limit(
    line: list[list[int]], hidden: set[tuple[int, int]]
) -> None:
    assert suppress(line, 5) == hidden


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=8))
def test_no_line_narrows_a_small_count(values: list[int]) -> None:
    """For a line whose total is published: every small hidden count could be any of 0–4
    given the other hidden cells' labels ("<5": 0–4; withheld: 5 or more) and their sum."""
    hidden = suppress([[v] for v in values], 5)
    inside = [values[r] for r, _c in hidden]
    if len(inside) == len(values) or not inside:
        return
    together = sum(inside)
    for index, value in enumerate(inside):
        if value >= 5:
            continue
        others = inside[:index] + inside[index + 1 :]
        low = sum(5 for v in others if v >= 5)
        high = float("inf") if any(v >= 5 for v in others) else 4 * len(others)
        assert all(low <= together - x <= high for x in range(5)), (values, hidden)
