from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "canlian.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # Each area's module registers its figures in the catalogue.
        from canlian.stats import figures  # noqa: F401
