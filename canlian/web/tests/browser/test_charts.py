"""The chart component (templates/_chart.html, static/charts.js) in a real browser, on a page
of sample charts (canlian/web/tests/chart_urls.py): ECharts draws SVG under the enforced
Content-Security-Policy (conftest.new_page fails on anything the policy refuses, the
tooltip's too), the page passes axe, the drawing shows the table's numbers, the display
preferences and reduced motion are followed, focus never enters a drawing, and without
JavaScript the summary and the table are all there is."""

from __future__ import annotations

import os
from typing import Any

import pytest

from canlian.accounts.models import User
from canlian.web.tests.chart_urls import sample_charts

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server must see the data (see conftest.py).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("canlian.web.tests.chart_urls"),
]

KEYS = [chart.key for chart in sample_charts()]

# What ECharts was given to draw, chart by chart: each series' values and the options the
# display decides.
DRAWN_JS = """() => [...document.querySelectorAll('.cl-chart__drawing')].map(el => {
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  return {
    renderer: chart.getZr().painter.type,
    values: option.series.map(s => s.data),
    animation: option.animation,
    fontSize: option.textStyle.fontSize,
    textColour: option.textStyle.color,
    decals: option.aria.decal.show,
  };
})"""

# The table's numbers, chart by chart, column by column (the total row left out): "—" (no
# figure) as null, grouped figures read back as numbers.
TABLE_JS = """() => [...document.querySelectorAll('.cl-chart')].map(figure => {
  const rows = [...figure.querySelectorAll('tbody tr:not(.cl-chart__total)')];
  const columns = figure.querySelectorAll('thead th').length - 1;
  const total = figure.querySelector('thead th:last-child').textContent.startsWith('合计');
  const series = [];
  for (let c = 0; c < columns - (total ? 1 : 0); c++) {
    series.push(rows.map(row => {
      const text = row.querySelectorAll('td')[c].textContent.trim();
      return text.startsWith('—') ? null : Number(text.replaceAll(',', ''));
    }));
  }
  return series;
})"""


# The colours of every chart: what ECharts was told and what it drew as text.
COLOURS_JS = """() => [...document.querySelectorAll('.cl-chart__drawing')].map(el => {
  const option = echarts.getInstanceByDom(el).getOption();
  return {
    page: getComputedStyle(document.body).backgroundColor,
    text: option.textStyle.color,
    palette: option.color,
    tooltipText: option.tooltip[0].textStyle.color,
    tooltipBackground: option.tooltip[0].backgroundColor,
    drawn: [...new Set([...el.querySelectorAll('svg text')].map(t => t.getAttribute('fill')))],
  };
})"""


def _rgb(colour: str) -> tuple[int, int, int]:
    if colour.startswith("#"):
        return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
    r, g, b = (int(part) for part in colour[colour.index("(") + 1 : -1].split(",")[:3])
    return (r, g, b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (#rrggbb or rgb(r, g, b))."""

    def luminance(colour: str) -> float:
        channels = [c / 255 for c in _rgb(colour)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def assert_colours_contrast(page: Any) -> None:
    """axe cannot decide the contrast of SVG text (conftest.Axe.context): every text a chart
    draws has one of two colours, each 4.5:1 against what lies behind it (the page, the
    tooltip's box), and every series colour 3:1 against the page (WCAG 1.4.3, 1.4.11)."""
    for chart in page.evaluate(COLOURS_JS):
        assert set(chart["drawn"]) <= {chart["text"], chart["tooltipText"]}, chart
        assert contrast(chart["text"], chart["page"]) >= 4.5, chart
        assert contrast(chart["tooltipText"], chart["tooltipBackground"]) >= 4.5, chart
        for colour in chart["palette"]:
            assert contrast(colour, chart["page"]) >= 3, (colour, chart)


def _open(login_as: Any, user: User, **options: Any) -> Any:
    page = login_as(user, **options)
    page.goto("/test-charts/")
    for key in KEYS:
        page.wait_for_selector(f"#chart-{key} .cl-chart__drawing svg")
    return page


def test_the_charts_are_drawn_in_svg_with_the_tables_numbers(
    login_as: Any, axe: Any, city_staff: User
) -> None:
    page = _open(login_as, city_staff)
    drawn = page.evaluate(DRAWN_JS)
    assert [d["renderer"] for d in drawn] == ["svg", "svg", "svg"]
    assert page.locator(".cl-chart__drawing canvas").count() == 0
    # The drawing holds what the table says, number for number.
    assert [d["values"] for d in drawn] == page.evaluate(TABLE_JS)
    assert drawn[0]["values"] == [[12345, 2001, 5432]]
    assert drawn[2]["values"][0] == [69440, 70100, None, 71020.5]
    # The category names are drawn as text in the SVG.
    labels = page.locator("#chart-persons-by-county svg text").all_text_contents()
    assert {"孟州市", "温县", "沁阳市"} <= set(labels)
    # The bars of several series carry patterns (aria decals), not colour alone; one series
    # needs none; the lines have a marker and a dash of their own.
    assert [d["decals"] for d in drawn] == [False, True, False]
    assert page.locator("#chart-persons-by-grade svg pattern").count() >= 2
    dashes = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('#chart-paid-by-month "
        ".cl-chart__drawing')).getOption().series.map(s => [s.symbol, s.lineStyle.type])"
    )
    assert dashes == [["circle", "solid"], ["rect", "dashed"]]
    # Animated by default (the system asks for no reduced motion here).
    assert [d["animation"] for d in drawn] == [True, True, True]

    # The drawing is hidden from screen readers and holds nothing focusable; the summary and
    # the table are in the page.
    for key in KEYS:
        drawing = page.locator(f"#chart-{key} .cl-chart__drawing")
        assert drawing.get_attribute("aria-hidden") == "true"
        assert drawing.is_visible()
    assert page.inner_text("#chart-persons-by-county .cl-chart__summary") == (
        "孟州市最多，12,345人；温县最少，2,001人；共19,778人。"
    )
    assert page.get_attribute("#chart-persons-by-county td a >> nth=0", "href") == (
        "/people/?county=410883"
    )

    # The tooltip is drawn inside the SVG: hovering a bar is refused nothing by the policy
    # (the HTML tooltip writes style attributes; new_page fails the test on a refusal).
    box = page.locator("#chart-persons-by-county .cl-chart__drawing").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 4)
    page.wait_for_timeout(300)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)

    axe.assert_clean(page, "sample charts")
    assert_colours_contrast(page)

    # The charts follow the window's width.
    width = page.evaluate("() => document.querySelector('#chart-paid-by-month svg').clientWidth")
    page.set_viewport_size({"width": 700, "height": 900})
    page.wait_for_function(
        "w => document.querySelector('#chart-paid-by-month svg').clientWidth < w", arg=width
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 700


def test_tab_passes_the_drawings_and_leaves_the_last_chart(login_as: Any, city_staff: User) -> None:
    page = _open(login_as, city_staff)
    page.locator("main").evaluate("el => { el.tabIndex = -1; el.focus(); }")
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => {
              const el = document.activeElement;
              return {
                inDrawing: !!el.closest('.cl-chart__drawing'),
                inChart: el.closest('.cl-chart') ? el.closest('.cl-chart').id : '',
                inFooter: !!el.closest('footer'),
                tag: el.tagName,
              };
            }"""
        )
        stops.append(stop)
        if not stop["inChart"] and stops[:-1] and stops[-2]["inChart"] == "chart-paid-by-month":
            break
    assert not any(s["inDrawing"] for s in stops), stops
    visited = [s["inChart"] for s in stops if s["inChart"]]
    # Each chart's table region (and the links in the first) is reached, in order, and Tab
    # then goes on past the last chart.
    assert visited[0] == "chart-persons-by-county" and visited[-1] == "chart-paid-by-month"
    assert visited.count("chart-persons-by-county") == 4  # the region and three links
    assert stops[-1]["inChart"] == "", "focus did not leave the last chart"


def test_large_text_high_contrast_and_reduced_motion(
    login_as: Any, axe: Any, city_staff: User
) -> None:
    User.objects.filter(pk=city_staff.pk).update(
        ui_preferences={"text": "larger", "contrast": "high"}
    )
    page = _open(login_as, city_staff, reduced_motion="reduce")
    assert "cl-contrast-high" in (page.get_attribute("html", "class") or "")
    drawn = page.evaluate(DRAWN_JS)
    # 150 % text: ECharts' 16 px text at 24 px; white on the black page; no animation.
    assert {d["fontSize"] for d in drawn} == {24}
    assert {d["textColour"] for d in drawn} == {"#ffffff"}
    assert {d["animation"] for d in drawn} == {False}
    # The largest text stacks the table under the drawing.
    drawing = page.locator("#chart-persons-by-county .cl-chart__drawing").bounding_box()
    table = page.locator("#chart-persons-by-county table").bounding_box()
    assert drawing is not None and table is not None
    assert table["y"] >= drawing["y"] + drawing["height"]
    axe.assert_clean(page, "sample charts, largest text and high contrast")
    assert_colours_contrast(page)
    # Reflow (WCAG 1.4.10): at 320 px the page does not scroll sideways; the drawings
    # narrow with the window and a wide table scrolls in its own region.
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_function(
        "() => document.querySelector('#chart-persons-by-county svg').clientWidth <= 320"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    if os.environ.get("CANLIAN_CHART_SCREENSHOTS"):
        page.screenshot(path=os.environ["CANLIAN_CHART_SCREENSHOTS"], full_page=True)


def test_without_javascript_the_summary_and_the_table_are_the_chart(
    login_as: Any, city_staff: User
) -> None:
    # The markup is the same as with JavaScript (axe checks it there); axe itself cannot run
    # in a page without scripts.
    page = login_as(city_staff, java_script_enabled=False)
    page.goto("/test-charts/")
    for key in KEYS:
        figure = f"#chart-{key}"
        assert not page.is_visible(f"{figure} .cl-chart__drawing")
        assert page.locator(f"{figure} .cl-chart__drawing svg").count() == 0
        assert page.is_visible(f"{figure} .cl-chart__summary")
        assert page.is_visible(f"{figure} table")
    assert page.inner_text("#chart-persons-by-county figcaption") == "持证残疾人（按县）"
    rows = page.locator("#chart-persons-by-county tbody tr").all_inner_texts()
    assert [" ".join(r.split()) for r in rows] == [
        "孟州市 12,345",
        "温县 2,001",
        "沁阳市 5,432",
        "合计 19,778",
    ]
    assert "2026年3月无数据" in page.inner_text("#chart-paid-by-month .cl-chart__summary")
