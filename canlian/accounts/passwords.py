"""Password rules of 等保 level 3 beyond Django's own validators, and changing one's password."""

from __future__ import annotations

import unicodedata

from django.contrib.auth import password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_password_validators.password_history.password_validation import (
    UniquePasswordsValidator,
)

from canlian.accounts.models import User
from canlian.audit import records as audit


def rules_text() -> str:
    """The password rules in one sentence, for the help text beside every new-password field."""
    return " ".join(password_validation.password_validators_help_texts())


def character_class(char: str) -> str:
    """One of "lower", "upper", "digit", "other" (symbols, spaces, Chinese characters…)."""
    if char.isdigit():
        return "digit"
    if char.isalpha() and char.islower():
        return "lower"
    if char.isalpha() and char.isupper():
        return "upper"
    return "other"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, in words our catalogue translates (Django 5.2 changed its message, and its
    Chinese catalogue does not have the new one)."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(n)d character.",
            "This password is too short: it needs at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must have at least %(n)d character.",
            "Your password must have at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}


class CharacterClassesValidator:
    """At least `min_classes` of the four classes: small letters, capital letters, digits,
    other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        text = unicodedata.normalize("NFKC", password)
        if len({character_class(c) for c in text}) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(n)d kind of characters: small letters, "
            "capital letters, digits, other characters.",
            "Your password must mix at least %(n)d of these kinds of characters: small "
            "letters, capital letters, digits, other characters.",
            self.min_classes,
        ) % {"n": self.min_classes}


class RecentPasswordsValidator(UniquePasswordsValidator):  # type: ignore[misc]
    """No reuse of the account's last `last_passwords` passwords (the current one included),
    by django-password-validators' history; in our words."""

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if getattr(user, "pk", None) is None:
            return  # a new account has no history (the package would warn)
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError(self.get_help_text(), code="password_used") from exc

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must differ from your last password.",
            "Your password must differ from your last %(n)d passwords.",
            self.last_passwords,
        ) % {"n": self.last_passwords}


@transaction.atomic
def change_password(*, user: User, new_password: str, acting_user: User) -> None:
    """Give `user` a new password that passes every rule; every other session of the account
    ends (the session hash follows the password), the caller keeps its own with
    update_session_auth_hash. Logged."""
    if acting_user.pk != user.pk:
        raise ValidationError(_("Only the account holder changes their password here."))
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    if user.check_password(new_password):
        message = _("Your new password must differ from your current password.")
        raise ValidationError({"new_password1": [message]})
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(
        acting_user=acting_user,
        action="password.change",
        target=user,
        detail={},
        region=user.scope_prefix or "",
    )
