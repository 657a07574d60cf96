"""The jurisdiction tree (行政区划): province → city → county → township → village."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Significant digits of a 12-digit statistical code at each level.
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village")


def level_of(code: str) -> Level:
    """Return the level a 12-digit statistical code denotes by its trailing zeros."""
    if code[9:] != "000":
        return Level.VILLAGE
    if code[6:9] != "000":
        return Level.TOWNSHIP
    if code[4:6] != "00":
        return Level.COUNTY
    if code[2:4] != "00":
        return Level.CITY
    return Level.PROVINCE


def prefix_of(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


class Place(models.Model):
    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    prefix = models.CharField(max_length=12, unique=True)
    invented = models.BooleanField(
        default=False, help_text="Sample data made up for the demo, not a real division."
    )
    # The disabled persons' federation's office at this place (a township's or a county's), as
    # printed on receipts: where an applicant calls about an application.
    phone = models.CharField(_("office phone"), max_length=32, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("place")

    def __str__(self) -> str:
        return self.name

    @property
    def county_code(self) -> str:
        return self.code[:6]

    def lineage(self, *, down_to: Level | None = None) -> list[Place]:
        """The place and its parents, nearest first; with `down_to`, only those at that level
        or below it (the walk stops there: no parent above is read)."""
        chain: list[Place] = []
        node: Place | None = self
        while node is not None and (down_to is None or node.level >= down_to):
            chain.append(node)
            node = node.parent
        return chain

    def full_name(self) -> str:
        """The names from the county down to the place, joined (a village: county, township
        and village); "" for a place above the county."""
        return "".join(p.name for p in reversed(self.lineage(down_to=Level.COUNTY)))
