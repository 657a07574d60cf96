"""Import URLs, under /people/import/."""

from django.urls import path

from canlian.spreadsheets import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
    path("<uuid:job_id>/", views.detail, name="detail"),
    path("<uuid:job_id>/status.json", views.status, name="status"),
    path("<uuid:job_id>/confirm/", views.confirm, name="confirm"),
    path("<uuid:job_id>/report.xlsx", views.report, name="report"),
]
