"""Staff users: one role, one node of the jurisdiction tree."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Role, permissions_for


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    ui_preferences = models.JSONField(default=dict, blank=True)

    def can(self, perm: str) -> bool:
        """Whether this user holds `perm`. An inactive user or one with no role holds nothing."""
        return bool(self.is_active and perm in permissions_for(self.role))

    @property
    def scope_prefix(self) -> str | None:
        """Region-code prefix of the subtree this user may see; None means nothing."""
        return self.place.prefix if self.place_id and self.place else None
