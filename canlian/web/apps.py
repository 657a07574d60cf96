"""Shared page furniture: layout, navigation, form rendering, response headers."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "canlian.web"

    def ready(self) -> None:
        from canlian.web import (
            deploy_checks,  # noqa: F401 (registers the checks)
            preferences,  # noqa: F401 (signing in and out keeps them)
        )
