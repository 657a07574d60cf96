"""Jurisdiction tree URLs."""

from django.urls import path

from canlian.places import views

app_name = "places"
urlpatterns = [
    path("", views.place_list, name="list"),
    path("import/", views.place_import, name="import"),
]
