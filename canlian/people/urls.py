"""Registry URLs."""

from django.urls import include, path

from canlian.people import views
from canlian.people.exchange import urls as exchange

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("export.csv", views.person_export, name="export"),
    path("export.xlsx", views.person_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("exports/", include(exchange.exports)),
    path("import/", include(exchange.imports)),
    path("new/", views.person_create, name="create"),
    path("<int:person_id>/", views.person_detail, name="detail"),
    path("<int:person_id>/reveal/", views.person_reveal, name="reveal"),
    path("<int:person_id>/edit/", views.person_edit, name="edit"),
    path("<int:person_id>/history/", views.person_history, name="history"),
    path("<int:person_id>/status/new/", views.status_create, name="status_create"),
    path("<int:person_id>/status/<int:period_id>/end/", views.status_end, name="status_end"),
]
