"""The jurisdiction tree app."""

from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "canlian.places"
    verbose_name = "行政区划"
