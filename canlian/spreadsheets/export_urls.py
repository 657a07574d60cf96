"""Registry export URLs, under /people/: the list's export and the background exports."""

from django.urls import path

from canlian.spreadsheets import export_views as views

app_name = "exports"
urlpatterns = [
    path("export.csv", views.registry_export, name="registry"),
    path("export.xlsx", views.registry_export, {"fmt": "xlsx"}, name="registry_xlsx"),
    path("exports/", views.export_list, name="list"),
    path("exports/<uuid:job_id>/", views.export_detail, name="detail"),
    path("exports/<uuid:job_id>/status.json", views.export_status, name="status"),
    path("exports/<uuid:job_id>/download/", views.export_download, name="download"),
]
