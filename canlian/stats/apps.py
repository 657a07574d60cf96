from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "canlian.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # Each area's module registers its figures in the catalogue.
        from canlian.stats import figures  # noqa: F401

        post_migrate.connect(_count_changes, sender=self)


def _count_changes(using: str = "default", **kwargs: Any) -> None:
    """After every migrate: count the changes of every table a figure reads, and forget the
    kept results (the figures' code may have changed). stats.kept."""
    from django.db import connections

    from canlian.stats import catalogue, kept

    connection = connections[using]
    if "stats_kept" not in connection.introspection.table_names():
        return  # the statistics' own tables not (or no longer) migrated
    sources = kept.tables(m for f in catalogue.figures() for m in f.sources)
    kept.install(sources, using=connection)
    kept.forget(using=using)
