"""URLs of the registry's imports (/people/import/, namespace people:imports) and background
exports (/people/exports/, namespace people:exports), included by people/urls.py."""

from django.urls import path

from canlian.people.exchange import views

imports = (
    [
        path("", views.upload, name="upload"),
        path("template.xlsx", views.template, name="template"),
        path("<uuid:job_id>/", views.detail, name="detail"),
        path("<uuid:job_id>/status.json", views.status, name="status"),
        path("<uuid:job_id>/confirm/", views.confirm, name="confirm"),
        path("<uuid:job_id>/report.xlsx", views.report, name="report"),
    ],
    "imports",
)
exports = (
    [
        path("", views.export_list, name="list"),
        path("<uuid:job_id>/", views.export_detail, name="detail"),
        path("<uuid:job_id>/status.json", views.export_status, name="status"),
        path("<uuid:job_id>/download/", views.export_download, name="download"),
    ],
    "exports",
)
