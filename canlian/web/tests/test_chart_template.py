"""The chart include (templates/_chart.html) without a browser: the figure, its caption, the
drawing hidden from screen readers with its data island, the summary, the table with its
headers, grouped right-aligned numbers and links, and nothing the Content-Security-Policy
would refuse. The browser suite draws it (browser/test_charts.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from canlian.lib.charts import Chart, Series
from canlian.web.tests.test_templates import inline_code


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


def render(chart: Chart) -> str:
    return " ".join(render_to_string("_chart.html", {"chart": chart}).split())


def counties() -> Chart:
    return Chart(
        key="persons-by-county",
        kind="bar",
        title="持证残疾人（按县）",
        unit="人",
        category_label="县（市、区）",
        categories=["孟州市", "温县", "沁阳市"],
        series=[
            Series(
                "持证残疾人",
                [12345, None, 81772],
                urls=["/people/?county=410883", None, None],
                total_url=None,
            )
        ],
    )


def test_a_figure_with_its_caption_summary_and_table() -> None:
    html = render(counties())
    assert html.startswith(
        '<figure class="cl-chart cl-chart--beside" id="chart-persons-by-county">'
    )
    assert (
        '<figcaption class="govuk-heading-s cl-chart__title">持证残疾人（按县）</figcaption>'
        in html
    )
    # The drawing: hidden from screen readers, pointing at its data island.
    assert (
        '<div class="cl-chart__drawing" aria-hidden="true" '
        'data-chart="chart-persons-by-county-data"></div>'
    ) in html
    island = re.search(
        r'<script id="chart-persons-by-county-data" type="application/json">(.*?)</script>', html
    )
    assert island is not None
    assert json.loads(island.group(1)) == counties().data()
    assert '<p class="govuk-body">孟州市最多，12,345人；沁阳市最少，81,772人' not in html
    assert (
        '<p class="govuk-body">沁阳市最多，81,772人；孟州市最少，12,345人；温县无数据。</p>' in html
    )
    # The table: captioned, in a named scrolling region, headers with their scope.
    assert (
        '<div class="cl-table-wrap cl-chart__table" role="region" '
        'aria-labelledby="chart-persons-by-county-caption" tabindex="0">'
    ) in html
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s" '
        'id="chart-persons-by-county-caption">数据表：持证残疾人（按县）</caption>'
    ) in html
    assert '<th scope="col" class="govuk-table__header">县（市、区）</th>' in html
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">'
        "持证残疾人（人）</th>"
    ) in html
    # Numbers right-aligned and grouped; a link where the chart gives one; a missing figure
    # said in words to a screen reader.
    assert (
        '<th scope="row" class="govuk-table__header">孟州市</th> '
        '<td class="govuk-table__cell govuk-table__cell--numeric">'
        '<a class="govuk-link" href="/people/?county=410883">12,345</a></td>'
    ) in html
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric"><span aria-hidden="true">—</span>'
        '<span class="govuk-visually-hidden">无数据</span></td>'
    ) in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">81,772</td>' in html
    assert '<tr class="govuk-table__row cl-chart__total">' in html
    # The script is a file (a module: run once however many charts a page has).
    assert html.endswith('<script type="module" src="/static/charts.js"></script>')


def test_nothing_inline_and_names_are_escaped() -> None:
    chart = Chart(
        key="hostile",
        kind="stacked_bar",
        title="<b>标题</b>",
        unit="人",
        category_label="县",
        categories=["</script><script>alert(1)</script>", "温县"],
        series=[Series('<img src=x onerror="alert(1)">', [1, 2]), Series("女", [3, 4])],
    )
    html = render(chart)
    # The data island is JSON, which no browser runs (the policy does not apply to it).
    island = '<script id="chart-hostile-data" type="application/json">'
    assert inline_code(html) == [island]
    data = html[html.index(island) + len(island) : html.index("</script>", html.index(island))]
    assert "<" not in data and json.loads(data) == json.loads(json.dumps(chart.data()))
    assert "<b>标题</b>" not in html and "&lt;b&gt;标题&lt;/b&gt;" in html
    assert "<img" not in html
    assert html.count("<script") == 2  # the island and the module, nothing else
    # Several series: the table is too wide to stand beside the drawing; the total column.
    assert 'class="cl-chart" id="chart-hostile"' in html
    assert ">合计（人）</th>" in html
    assert html.count('<p class="govuk-body">') == 3


def test_in_english() -> None:
    with translation.override("en"):
        html = render(counties())
    assert ">Table: 持证残疾人（按县）</caption>" in html
    assert '<span class="govuk-visually-hidden">no figure</span>' in html
    assert ">Total</th>" in html
