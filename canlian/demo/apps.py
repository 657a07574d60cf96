"""The demo: a synthetic city built through the apps' services (`canlian demo`)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "canlian.demo"
    verbose_name = "演示数据"
