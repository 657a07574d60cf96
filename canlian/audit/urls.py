"""Audit log URLs."""

from django.urls import path

from canlian.audit import views

app_name = "audit"
urlpatterns = [path("", views.entry_list, name="list")]
