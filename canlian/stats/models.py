"""What the statistics keep: each figure's results, and the generation of the tables they were
computed from (canlian/stats/kept.py)."""

from __future__ import annotations

from django.db import models


class Generation(models.Model):
    """How many transactions have changed a table the figures read (`source`, its name in
    the database). On PostgreSQL the changes since the last fold wait in :class:`Change`."""

    source = models.CharField(max_length=63, primary_key=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source} {self.n}"


class Change(models.Model):
    """One committed transaction that changed `source` (PostgreSQL: written by the table's
    trigger once per transaction, without waiting on any other writer)."""

    source = models.CharField(max_length=63)

    class Meta:
        indexes = [models.Index(fields=["source"], name="stats_change_source")]

    def __str__(self) -> str:
        return self.source


class Kept(models.Model):
    """A figure's rows for one query (`key`: a digest of the figure and the query), valid
    while the generations of the figure's sources are still `generation`."""

    key = models.CharField(max_length=64, primary_key=True)
    figure = models.CharField(max_length=64)
    generation = models.TextField()
    rows = models.TextField()  # JSON, Decimals tagged (kept.encode)
    computed_at = models.DateTimeField(db_index=True)
    seconds = models.FloatField()  # how long the computation took

    def __str__(self) -> str:
        return f"{self.figure} {self.key[:8]}"
