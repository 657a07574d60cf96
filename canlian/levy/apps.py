"""Employment security fund (残疾人就业保障金): employers, declarations, the formula by year."""

from django.apps import AppConfig


class LevyConfig(AppConfig):
    name = "canlian.levy"
    verbose_name = "残疾人就业保障金"
