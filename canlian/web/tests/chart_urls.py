"""The project's URLs plus a page of sample charts, for the chart component's browser test
(templates/_chart.html, static/charts.js): no page of the project draws a chart of made-up
numbers."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from canlian.lib.charts import Chart, Series
from config.urls import urlpatterns as project_urls

PAGE = """{% extends "base.html" %}
{% block title %}Charts{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Charts</h1>
{% for chart in charts %}{% include "_chart.html" with chart=chart %}{% endfor %}
{% endblock %}"""


def yuan(amount: str) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def sample_charts() -> list[Chart]:
    return [
        Chart(
            key="persons-by-county",
            kind="bar",
            title="持证残疾人（按县）",
            unit="人",
            category_label="县（市、区）",
            categories=["孟州市", "温县", "沁阳市"],
            series=[
                Series(
                    "持证残疾人",
                    [12345, 2001, 5432],
                    urls=["/people/?county=410883", "/people/?county=410825", None],
                    total_url="/people/",
                )
            ],
        ),
        Chart(
            key="persons-by-grade",
            kind="stacked_bar",
            title="持证残疾人（按县、性别）",
            unit="人",
            category_label="县（市、区）",
            categories=["孟州市", "温县"],
            series=[Series("男", [7000, 1100]), Series("女", [5345, 901])],
        ),
        Chart(
            key="paid-by-month",
            kind="line",
            title="补贴发放金额（按月）",
            unit="元",
            category_label="月份",
            categories=["2026年1月", "2026年2月", "2026年3月", "2026年4月"],
            series=[
                Series("生活补贴", [yuan("69440.00"), yuan("70100.00"), None, yuan("71020.50")]),
                Series("护理补贴", [yuan(a) for a in ("52000", "51880", "52400", "50000")]),
            ],
            sum_categories=False,
        ),
    ]  # fmt: skip


def charts_page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"charts": sample_charts()}, request))


urlpatterns = [
    *project_urls,
    path("test-charts/", charts_page),
]
