"""The registry of disabled persons."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "canlian.people"
    verbose_name = "残疾人信息"
