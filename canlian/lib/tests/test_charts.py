"""A chart's summary and table (canlian/lib/charts.py): the numbers, their order, Chinese
wording and punctuation, ties, zeros, a single category, missing figures, lines, stacks."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from canlian.lib.charts import Chart, Number, Series, figure
from canlian.web.templatetags.cl_text import grouped

COUNTIES = ["孟州市", "温县", "沁阳市"]


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


def bar(values: Sequence[Number | None], categories: Sequence[str] = COUNTIES, **kw: Any) -> Chart:
    return Chart(
        key="persons",
        kind=kw.pop("kind", "bar"),
        title="持证残疾人",
        unit=kw.pop("unit", "人"),
        category_label="县（市、区）",
        categories=categories,
        series=[Series("持证残疾人", values, **kw.pop("series_kw", {}))],
        **kw,
    )


def table_values(chart: Chart) -> list[tuple[str, list[Any]]]:
    return [(row.header, [cell.value for cell in row.cells]) for row in chart.table().rows]


# --- summary: a bar of one series ------------------------------------------------------


def test_the_largest_the_smallest_and_the_total_in_chinese() -> None:
    chart = bar([12345, 2001, 81772])
    assert chart.summary() == "沁阳市最多，81,772人；温县最少，2,001人；共96,118人。"


def test_the_same_in_english() -> None:
    with translation.override("en"):
        chart = bar([12345, 2001, 81772], unit="persons")
        assert chart.summary() == (
            "沁阳市 has the most, 81,772 persons; 温县 has the fewest, 2,001 persons; "
            "total 96,118 persons."
        )


def test_ties_name_every_category_that_shares_the_value() -> None:
    assert (
        bar([500, 500, 20]).summary()
        == "孟州市、温县并列最多，各500人；沁阳市最少，20人；共1,020人。"
    )
    assert (
        bar([500, 20, 20]).summary() == "孟州市最多，500人；温县、沁阳市并列最少，各20人；共540人。"
    )
    with translation.override("en"):
        chart = bar([5, 5, 5, 1], categories=["A", "B", "C", "D"], unit="persons")
        assert chart.summary().startswith("A, B and C have the most, 5 persons each; ")


def test_all_equal_and_all_zero() -> None:
    assert bar([7, 7, 7]).summary() == "孟州市、温县、沁阳市均为7人；共21人。"
    assert bar([0, 0, 0]).summary() == "孟州市、温县、沁阳市均为0人；共0人。"


def test_a_zero_is_the_smallest_value_not_a_missing_one() -> None:
    assert bar([3, 0, 1]).summary() == "孟州市最多，3人；温县最少，0人；共4人。"
    assert table_values(bar([3, 0, 1]))[-1] == ("合计", [4])


def test_one_category_is_stated_without_extremes_or_total() -> None:
    chart = bar([12345], categories=["孟州市"])
    assert chart.summary() == "孟州市：12,345人。"
    assert table_values(chart) == [("孟州市", [12345]), ("合计", [12345])]


def test_a_missing_figure_is_named_and_leaves_the_total_unknown() -> None:
    chart = bar([10, None, 4])
    assert chart.summary() == "孟州市最多，10人；沁阳市最少，4人；温县无数据。"
    assert table_values(chart) == [
        ("孟州市", [10]), ("温县", [None]), ("沁阳市", [4]), ("合计", [None])
    ]  # fmt: skip
    assert bar([None, None, None]).summary() == "无数据。"


def test_values_that_do_not_add_up_have_no_total() -> None:
    chart = bar([12, 10, 11], sum_categories=False)
    assert chart.summary() == "孟州市最多，12人；温县最少，10人。"
    assert [row.header for row in chart.table().rows] == COUNTIES


def test_decimals_are_printed_as_the_grouped_filter_prints_them() -> None:
    # To the fen with two places, as every amount of the project (and the table's cells,
    # through the `grouped` filter); more places as they are.
    chart = bar([Decimal("69440.00"), Decimal("1200.50")], categories=["一月", "二月"], unit="元")
    assert chart.summary() == "一月最多，69,440.00元；二月最少，1,200.50元；共70,640.50元。"
    assert figure(Decimal("87.5")) == "87.50" == grouped(Decimal("87.5"))
    assert figure(Decimal("1234.125")) == "1,234.125" == grouped(Decimal("1234.125"))
    assert figure(1234567) == "1,234,567" == grouped(1234567)
    rates = bar(
        [Decimal("87.5"), Decimal("90.25")], ["温县", "孟州市"], unit="%", sum_categories=False
    )
    assert rates.summary() == "孟州市最多，90.25%；温县最少，87.50%。"


def test_no_unit() -> None:
    assert bar([2, 1], ["甲", "乙"], unit="").summary() == "甲最多，2；乙最少，1；共3。"


# --- summary: lines and several series ---------------------------------------------------


def line(*series: Series, months: Sequence[str] = ("1月", "2月", "3月"), **kw: Any) -> Chart:
    return Chart(
        key="paid", kind="line", title="发放人数", unit="人", category_label="月份",
        categories=months, series=list(series), **kw,
    )  # fmt: skip


def test_a_line_says_where_it_starts_and_ends_and_by_how_much_it_changed() -> None:
    up = line(Series("生活补贴", [1000, 1300, 1200]), sum_categories=False)
    assert (
        up.summary()
        == "从1月的1,000人到3月的1,200人，增加200人；2月最多，1,300人；1月最少，1,000人。"
    )
    down = line(Series("生活补贴", [1200, 1300, 1000]), sum_categories=False)
    assert down.summary().startswith("从1月的1,200人到3月的1,000人，减少200人；")
    flat = line(Series("生活补贴", [5, 9, 5]), sum_categories=False)
    assert flat.summary().startswith("从1月的5人到3月的5人，没有变化；")
    with translation.override("en"):
        english = line(Series("Living", [1000, 1300, 1200]), sum_categories=False)
        assert english.summary().startswith("from 1,000 人 in 1月 to 1,200 人 in 3月, up 200 人; ")


def test_a_line_with_a_gap_runs_from_the_first_to_the_last_known_value() -> None:
    chart = line(Series("生活补贴", [None, 10, 12]), sum_categories=False)
    assert (
        chart.summary()
        == "从2月的10人到3月的12人，增加2人；3月最多，12人；2月最少，10人；1月无数据。"
    )


def test_several_series_get_a_sentence_each_named() -> None:
    chart = line(Series("生活补贴", [1, 2, 3]), Series("护理补贴", [3, 3, 3]))
    assert chart.summary_sentences() == [
        "生活补贴：从1月的1人到3月的3人，增加2人；3月最多，3人；1月最少，1人；共6人。",
        "护理补贴：从1月的3人到3月的3人，没有变化；1月、2月、3月均为3人；共9人。",
    ]
    assert chart.summary() == "".join(chart.summary_sentences())
    with translation.override("en"):
        assert chart.summary().count(". ") == 1 and chart.summary().endswith(".")


def stacked(**kw: Any) -> Chart:
    return Chart(
        key="by-sex",
        kind="stacked_bar",
        title="持证残疾人（按性别）",
        unit="人",
        category_label="县（市、区）",
        categories=["孟州市", "温县"],
        series=[
            Series("男", [7000, 1100], urls=["/m/meng", "/m/wen"], total_url="/m"),
            Series("女", [5345, 901], urls=["/f/meng", None]),
        ],
        **kw,
    )


def test_a_stacked_bar_sums_each_category_first() -> None:
    assert stacked().summary_sentences() == [
        "合计：孟州市最多，12,345人；温县最少，2,001人；共14,346人。",
        "男：孟州市最多，7,000人；温县最少，1,100人；共8,100人。",
        "女：孟州市最多，5,345人；温县最少，901人；共6,246人。",
    ]


# --- the table ---------------------------------------------------------------------------


def test_the_table_keeps_the_categories_order_and_adds_the_totals() -> None:
    chart = stacked(category_total_urls=["/all/meng", "/all/wen"], grand_total_url="/all")
    table = chart.table()
    assert table.caption == "数据表：持证残疾人（按性别）"
    assert table.head == ["县（市、区）", "男（人）", "女（人）", "合计（人）"]
    assert [(r.header, [(c.value, c.url) for c in r.cells], r.is_total) for r in table.rows] == [
        ("孟州市", [(7000, "/m/meng"), (5345, "/f/meng"), (12345, "/all/meng")], False),
        ("温县", [(1100, "/m/wen"), (901, None), (2001, "/all/wen")], False),
        ("合计", [(8100, "/m"), (6246, None), (14346, "/all")], True),
    ]


def test_grouped_bars_have_no_total_column_unless_asked() -> None:
    series = [Series("男", [1, 2]), Series("女", [3, 4])]
    grouped = Chart("sex", "bar", "性别", "人", "县", ["甲", "乙"], series)
    assert grouped.table().head == ["县", "男（人）", "女（人）"]
    assert grouped.summary_sentences()[0].startswith("男：")
    summed = Chart("sex", "bar", "性别", "人", "县", ["甲", "乙"], series, sum_series=True)
    assert summed.table().head[-1] == "合计（人）"
    assert table_values(summed)[-1] == ("合计", [3, 7, 10])


def test_the_table_in_english() -> None:
    with translation.override("en"):
        table = stacked().table()
        assert table.caption == "Table: 持证残疾人（按性别）"
        assert table.head[-1] == "Total (人)"
        assert table.rows[-1].header == "Total"


# --- the data island ---------------------------------------------------------------------


def test_the_data_island_holds_json_numbers_and_the_labels_of_the_summary() -> None:
    chart = line(
        Series("金额", [Decimal("69440.00"), None, Decimal("12.5")]),
        Series("人数", [3, 4, 5]),
    )
    data = chart.data()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "kind": "line",
        "unit": "人",
        "categories": ["1月", "2月", "3月"],
        "series": [
            {
                "name": "金额",
                "values": [69440, None, 12.5],
                "labels": ["69,440.00人", None, "12.50人"],
            },
            {"name": "人数", "values": [3, 4, 5], "labels": ["3人", "4人", "5人"]},
        ],
    }  # fmt: skip


# --- what a chart may not be --------------------------------------------------------------


def test_every_problem_of_a_chart_is_reported_at_once() -> None:
    with pytest.raises(ValueError) as caught:
        Chart(
            key="Bad key",
            kind="pie",  # type: ignore[arg-type]
            title="",
            unit="",
            category_label="",
            categories=["a", "b"],
            series=[
                Series("x", [1]),
                Series("x", [1, 2], urls=["/a"]),
            ],
            category_total_urls=["/t"],
        )
    message = str(caught.value)
    for part in (
        "key 'Bad key'",
        "kind 'pie'",
        "series 'x': 1 values for 2 categories",
        "series 'x': 1 links for 2 categories",
        "1 total links for 2 categories",
        "two series have the same name",
    ):
        assert part in message, part


@pytest.mark.parametrize("value", [True, 1.5, "12", Decimal("NaN")])
def test_a_value_is_a_whole_number_a_decimal_or_none(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        bar([value, 1, 2])


def test_a_chart_needs_categories_and_series() -> None:
    with pytest.raises(ValueError, match="no categories; no series"):
        Chart("empty", "bar", "空", "人", "县", [], [])
