"""The statistics pages (/stats/)."""

from django.urls import path

from canlian.stats import report_views, views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", report_views.report_page, name="report"),
    path("report/report.xlsx", report_views.report_xlsx, name="report_xlsx"),
    path("report/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("figures/", views.figure_list, name="figures"),
    path("figures/<str:figure_id>/", views.figure_detail, name="figure"),
    path("figures/<str:figure_id>/records/", views.records, name="records"),
]
