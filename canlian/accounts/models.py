"""Staff users: one role, one node of the jurisdiction tree."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
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
    # Raised to end every session of the account (canlian.accounts.sessions.end_all).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    def can(self, perm: str) -> bool:
        """Whether this user holds `perm`. An inactive user or one with no role holds nothing."""
        return bool(self.is_active and perm in permissions_for(self.role))

    @property
    def scope_prefix(self) -> str | None:
        """Region-code prefix of the subtree this user may see; None means nothing."""
        return self.place.prefix if self.place_id and self.place else None

    def get_session_auth_hash(self) -> str:
        """Django's HMAC of the password hash with the session epoch folded in: a new
        password or a new epoch ends every session signed in before it."""
        return self._session_hash(None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(str(secret))

    def _session_hash(self, secret: str | None) -> str:
        value = f"{self.password}:{self.session_epoch}"
        return salted_hmac(
            "canlian.accounts.User.session", value, secret=secret, algorithm="sha256"
        ).hexdigest()
