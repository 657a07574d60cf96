"""A figure's page marked for publication: every small count hidden, the totals as any
other count, and nothing on the page that gives a hidden count back: no row or column of
the table (its total included) with exactly one hidden cell, no amount or ratio beside a
hidden count, no link to the records."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canlian.conftest import client_for
from canlian.payroll.models import LineKind
from canlian.stats import catalogue, suppression
from canlian.stats.catalogue import Query, Result
from canlian.stats.tests.helpers import roll
from canlian.stats.tests.test_views import text
from canlian.stats.views import Cell, Table, table_of

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2025, 6, 30)
WEN, MENG, XIUWU = "410825", "410883", "410821"


def certified(cells: dict[tuple[str, int], int]) -> Result:
    """persons.certified by county and grade, its rows as given."""
    figure = catalogue.figure("persons.certified")
    query = Query(region="4108", as_of=DAY, by=("county", "grade"))
    rows = [{"county": c, "grade": g, "persons": n} for (c, g), n in cells.items()]
    return Result(figure, query, rows)


def grid(table: Table) -> list[list[Cell]]:
    """The table as shown: the body with each row's total, then the row of totals."""
    rows = [[*cells, total] if len(cells) > 1 else cells for _label, cells, total in table.rows]
    return [*rows, [*table.column_totals, table.total]]


def lines_giving_one_away(shown: list[list[Cell]]) -> list[str]:
    found = []
    for r, row in enumerate(shown):
        if len(row) > 1 and sum(c.hidden for c in row) == 1:
            found.append(f"row {r}")
    for c in range(len(shown[0])):
        column = [row[c] for row in shown if c < len(row)]
        if len(column) > 1 and sum(cell.hidden for cell in column) == 1:
            found.append(f"column {c}")
    return found


def test_a_small_count_takes_its_row_and_column_complements_and_says_which_is_which() -> None:
    table = table_of(
        certified({(WEN, 1): 10, (WEN, 2): 3, (MENG, 1): 12, (MENG, 2): 11}), publish=True
    )
    shown = grid(table)
    assert shown[0][1].text == "<5" and shown[0][1].small
    # Its complements are withheld, not written as small: 10 is not below 5.
    withheld = [c for row in shown for c in row if c.hidden and not c.small]
    assert len(withheld) == 3 and {c.text for c in withheld} == {"不公布"}
    assert lines_giving_one_away(shown) == []
    # The totals are at least 5: shown, the grand total 36.
    assert table.total.text == "36" and not table.total.hidden
    assert not [c for row in shown for c in row if c.url]


def test_a_small_total_is_hidden_with_what_would_give_it_away() -> None:
    table = table_of(
        certified({(WEN, 1): 2, (WEN, 2): 2, (MENG, 1): 10, (MENG, 2): 10, (XIUWU, 1): 9,
                   (XIUWU, 2): 8}),
        publish=True,
    )  # fmt: skip
    shown = grid(table)
    wen = next(i for i, (label, _c, _t) in enumerate(table.rows) if label == "温县")
    assert shown[wen][-1].hidden and shown[wen][-1].text == "<5"  # 温县's total, 4
    assert lines_giving_one_away(shown) == []
    assert "4" not in [c.text for row in shown for c in row]


def test_a_figure_without_a_breakdown_hides_a_small_total() -> None:
    figure = catalogue.figure("persons.certified")
    result = Result(figure, Query(region="4108", as_of=DAY), [{"persons": 3}])
    table = table_of(result, publish=True)
    assert table.total.hidden and table.total.text == "<5"
    assert table_of(result).total.text == "3"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(min_value=0, max_value=30), min_size=4, max_size=4),
    st.lists(st.integers(min_value=0, max_value=30), min_size=4, max_size=4),
)
def test_no_published_table_gives_a_small_count_away(wen: list[int], meng: list[int]) -> None:
    cells = {(WEN, g): n for g, n in enumerate(wen, 1)} | {
        (MENG, g): n for g, n in enumerate(meng, 1)
    }
    shown = grid(table_of(certified(cells), publish=True))
    for row in shown:
        for cell in row:
            assert cell.hidden or int(cell.text.replace(",", "")) >= suppression.threshold()
    assert lines_giving_one_away(shown) == []


def test_an_amount_is_withheld_where_its_count_is_small(make_person: Any, city_staff: Any) -> None:
    """Three persons paid in 温县, six in 孟州: the amounts of both counties are withheld (the
    total would give one from the other); the city's total amount is shown."""
    wen = [make_person(grade=2) for _ in range(3)]
    meng = [make_person(grade=2, place_code="410883001001") for _ in range(6)]
    regular = LineKind.REGULAR
    roll(WEN, D(2025, 6, 1), [(p, regular, Decimal("60.00")) for p in wen])
    roll(MENG, D(2025, 6, 1), [(p, regular, Decimal("80.00")) for p in meng])
    client = client_for(city_staff)
    url = reverse("stats:figure", args=["subsidies.amount_paid"])
    period = {"start": "2025-06-01", "end": "2025-06-30", "by": ["county"]}
    published = text(client.get(url, {**period, "publish": "on"}))
    assert "180.00" not in published and "480.00" not in published
    assert published.count("不公布") == 2 and "660.00" in published
    plain = text(client.get(url, period))
    assert "180.00" in plain and "480.00" in plain


def test_a_ratio_is_withheld_where_either_count_is_small() -> None:
    figure = catalogue.figure("subsidies.coverage")
    query = Query(region="4108", start=D(2025, 6, 1), end=D(2025, 6, 30), by=("county",))
    rows = [
        {"county": WEN, "value": Decimal("0.3"), "numerator": 3, "denominator": 10},
        {"county": MENG, "value": Decimal("0.5"), "numerator": 20, "denominator": 40},
        {"county": XIUWU, "value": Decimal("0.6"), "numerator": 30, "denominator": 50},
    ]
    table = table_of(Result(figure, query, rows), publish=True)
    shown = {label: cells[0] for label, cells, _total in table.rows}
    assert shown["温县"].hidden and shown["温县"].text == "不公布"
    # 孟州's 20 paid is the complement that keeps 温县's 3 from the total's 53.
    assert shown["孟州市"].hidden
    assert not shown["修武县"].hidden and shown["修武县"].text == "60.00%"


def test_a_ratios_total_counted_again_hides_with_its_own_counts(monkeypatch: Any) -> None:
    """Coverage by month: the same 2 persons paid in each of three months, of 40 eligible.
    Each month hides (2 paid); the total is counted again (2 persons, not 6), so it hides
    too: shown, 5.00% beside the eligible total would give the 2 away."""
    figure = catalogue.figure("subsidies.coverage")
    assert not figure.additive
    query = Query(region="4108", start=D(2025, 6, 1), end=D(2025, 8, 31), by=("month",))
    rows = [
        {"month": m, "value": Decimal("0.05"), "numerator": 2, "denominator": 40}
        for m in ("2025-06", "2025-07", "2025-08")
    ]
    recounted = [{"value": Decimal("0.05"), "numerator": 2, "denominator": 40}]
    monkeypatch.setattr(catalogue, "rows_of", lambda f, q: recounted if not q.by else rows)
    result = Result(figure, query, rows)
    table = table_of(result, publish=True)
    assert all(cells[0].hidden for _label, cells, _total in table.rows)
    assert table.total.hidden and table.total.text == "不公布"
