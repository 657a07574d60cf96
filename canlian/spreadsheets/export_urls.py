"""Background export URLs, under /people/exports/."""

from django.urls import path

from canlian.spreadsheets import export_views as views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("<uuid:job_id>/", views.export_detail, name="detail"),
    path("<uuid:job_id>/status.json", views.export_status, name="status"),
    path("<uuid:job_id>/download/", views.export_download, name="download"),
]
