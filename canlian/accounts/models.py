"""Staff users: one role, one node of the jurisdiction tree; requests to change them and the
codes with which their holders set a password; the record of attempts on the public lookup
pages, which limits guessing there (canlian.accounts.public_lookups)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm, Role, permissions_for
from canlian.accounts.scoping import scoped
from canlian.lib import receipt_codes

if TYPE_CHECKING:
    from canlian.accounts.access import Reader


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


class AccountRequestQuerySet(models.QuerySet["AccountRequest"]):
    def visible_to(self, user: Reader) -> AccountRequestQuerySet:
        """The requests of `user`'s jurisdiction, for the accounts permission; none otherwise."""
        return scoped(self, user, perm=Perm.MANAGE_ACCOUNTS, field="place__code", sees_all=False)


class AccountRequest(models.Model):
    """A change of an account that takes two administrators: asked by one holder of the
    accounts permission, effective only when another approves it (accounts.approvals)."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Create an account")
        CHANGE = "change", _("Change an account")
        RESET = "reset", _("Reset a password")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # None until a creation is approved.
    account = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    # What is asked: the whole state of the account once approved.
    username = models.CharField(max_length=150)
    full_name = models.CharField(max_length=64, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)
    # The account's state when asked (role, place, is_active, full_name), for a change.
    before = models.JSONField(default=dict, blank=True)
    # Digest of the first activation code, given by the maker; empty when approval keeps the
    # account's password.
    code_digest = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    objects = AccountRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["username"],
                condition=models.Q(status="pending"),
                name="accounts_one_pending_request_per_username",
            ),
            # The database itself refuses an approval by the administrator who asked.
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (models.Q(decided_by__isnull=False) & ~models.Q(decided_by=F("requested_by"))),
                name="accounts_request_approved_by_another",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class Activation(models.Model):
    """The codes with which an account's holder sets their own password: one code, or two
    (each handed over by one of the two administrators who made the change)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="activation")
    first_digest = models.CharField(max_length=64)
    second_digest = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user}"


class PublicLookup(models.Model):
    """One attempt, on a public page (/portal/), to open an application with its receipt code
    and the ID number's last six characters: what the failed attempts of a client (a keyed
    digest of its address) and on a code are limited by, every page counted together. Kept a
    day (canlian.accounts.public_lookups)."""

    page = models.CharField(max_length=16)  # the page the attempt was made on, for the record
    client = models.CharField(max_length=64)
    code = models.CharField(max_length=receipt_codes.LENGTH)
    found = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "at"]),
            models.Index(fields=["code", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.page} {'found' if self.found else 'not found'} {self.at:%Y-%m-%d %H:%M}"
