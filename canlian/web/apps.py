"""Shared page furniture: layout, navigation, form rendering."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "canlian.web"
