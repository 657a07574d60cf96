"""Activation codes: how an account's holder sets a password that no administrator knows."""

from __future__ import annotations

import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django.utils.translation import gettext_lazy

from canlian.accounts.models import Activation, User
from canlian.audit import records as audit

# Crockford's base 32: no I, L, O or U to misread; typed letters are read leniently.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits: beyond guessing within VALID_FOR, even with no limit on tries
VALID_FOR = datetime.timedelta(days=7)
_MISREAD = str.maketrans("OIL", "011")


def new_code() -> str:
    """A random code, grouped by four for reading aloud: "7KQ2-M9XD-4TRB"."""
    raw = get_random_string(CODE_LENGTH, ALPHABET)
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise(text: str) -> str:
    """The code as typed, upper case, without spaces or dashes, O read as 0, I and L as 1."""
    return "".join(c for c in text.upper().translate(_MISREAD) if c in ALPHABET)


def digest(code: str) -> str:
    """What is stored of a code: a keyed hash (the secret key is not in the database)."""
    return salted_hmac(
        "canlian.accounts.activation", normalise(code), algorithm="sha256"
    ).hexdigest()


def issue(*, user: User, first_digest: str = "") -> str:
    """Make `user`'s password unusable and give the account new codes, replacing any
    earlier ones. Returns the code to hand over: the only one, or the second when
    `first_digest` holds the digest of the first (handed over by the maker)."""
    code = new_code()
    now = timezone.now()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    Activation.objects.update_or_create(
        user=user,
        defaults={
            "first_digest": first_digest or digest(code),
            "second_digest": digest(code) if first_digest else "",
            "issued_at": now,
            "expires_at": now + VALID_FOR,
        },
    )
    return code


def _matches(activation: Activation, first: str, second: str) -> bool:
    first_ok = constant_time_compare(digest(first), activation.first_digest)
    if not activation.second_digest:
        return first_ok and not normalise(second)
    return first_ok and constant_time_compare(digest(second), activation.second_digest)


REFUSED = gettext_lazy(
    "The user name or the activation codes are not right, or the codes have expired."
)


def activate(*, username: str, first_code: str, second_code: str, password: str) -> User:
    """Set the password of the account `username` with its activation codes, which are then
    used up. Every refusal of the codes has the same words, whatever was wrong, so that nobody
    learns which accounts exist; a wrong try on an account that awaits activation is
    recorded. A password that breaks the rules is refused on the field "password"."""
    with transaction.atomic():
        activation = (
            Activation.objects.select_for_update(of=("self",))
            .select_related("user", "user__place")
            .filter(user__username=username.strip())
            .first()
        )
        valid = (
            activation is not None
            and _matches(activation, first_code, second_code)
            and activation.expires_at > timezone.now()
            and activation.user.is_active
        )
        if activation is not None and valid:
            return _set_password(activation, password)
        if activation is not None:
            audit.record(
                acting_user=None,
                action="account.activate_refused",
                target=activation.user,
                detail={"username": activation.user.username},
                region=activation.user.place.prefix if activation.user.place else "",
            )
    raise ValidationError(str(REFUSED))


def _set_password(activation: Activation, password: str) -> User:
    user = activation.user
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    activation.delete()
    audit.record(
        acting_user=user,
        action="account.activate",
        target=user,
        detail={"username": user.username, "codes": 2 if activation.second_digest else 1},
        region=user.place.prefix if user.place else "",
    )
    return user


def awaiting(user_ids: list[int]) -> set[int]:
    """Which of these accounts have codes not yet used (their holder has no password yet)."""
    return set(Activation.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
