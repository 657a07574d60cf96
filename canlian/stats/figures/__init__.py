"""The figures of each area, registered in the catalogue when the app is ready."""

from canlian.stats.figures import persons, subsidies

__all__ = ["persons", "subsidies"]
