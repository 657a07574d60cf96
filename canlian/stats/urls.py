"""The statistics pages (/stats/)."""

from django.urls import path

from canlian.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/", views.figure_list, name="figures"),
    path("figures/<str:figure_id>/", views.figure_detail, name="figure"),
    path("figures/<str:figure_id>/records/", views.records, name="records"),
]
