"""Account changes: only the security administrator grants roles, and never an admin role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.accounts import sessions
from canlian.accounts.models import User
from canlian.accounts.roles import Perm, Role
from canlian.audit import records as audit
from canlian.places.models import Place

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def _check_grant(*, acting_user: Any, role: str, place: Place | None, target: User | None) -> None:
    if acting_user is None:
        return  # installation commands run as the system
    if not acting_user.can(Perm.MANAGE_ACCOUNTS):
        raise PermissionDenied(_("You do not have permission to do this."))
    errors: dict[str, list[str]] = {}
    if target is not None and target.pk == acting_user.pk:
        raise PermissionDenied(_("You cannot change your own account."))
    if role in ADMIN_ROLES:
        errors["role"] = [_("Administrator roles are assigned only at installation.")]
    prefix = acting_user.scope_prefix
    if place is None or not prefix or not place.code.startswith(prefix):
        errors["place"] = [_("Choose a place inside your jurisdiction.")]
    if errors:
        raise ValidationError(errors)


def _validate(role: str, place: Place | None) -> None:
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Choose a role.")]
    if place is None:
        errors["place"] = [_("Choose the jurisdiction of this account.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_account(
    *,
    username: str,
    password: str,
    role: str,
    place: Place | None,
    full_name: str = "",
    acting_user: Any,
    check_password: bool = True,
) -> User:
    _validate(role, place)
    _check_grant(acting_user=acting_user, role=role, place=place, target=None)
    username = username.strip()
    if not username:
        raise ValidationError({"username": [_("Enter a user name.")]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This user name is taken.")]})
    user = User(username=username, role=role, place=place, full_name=full_name.strip())
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    audit.record(
        acting_user=acting_user,
        action="account.create",
        target=user,
        detail={"username": username, "role": role, "place": place.code if place else None},
        region=place.prefix if place else "",
    )
    return user


@transaction.atomic
def update_account(
    *, user: User, role: str, place: Place | None, is_active: bool, full_name: str, acting_user: Any
) -> dict[str, list[Any]]:
    _validate(role, place)
    _check_grant(acting_user=acting_user, role=role, place=place, target=user)
    if user.role in ADMIN_ROLES:
        raise PermissionDenied(_("Administrator accounts are managed only at installation."))
    before = {"role": user.role, "place": user.place_id, "is_active": user.is_active,
              "full_name": user.full_name}  # fmt: skip
    user.role, user.place, user.is_active, user.full_name = role, place, is_active, full_name
    after = {"role": role, "place": place.code if place else None, "is_active": is_active,
             "full_name": full_name}  # fmt: skip
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        user.save()
        if "is_active" in changes and not is_active:
            sessions.end_all(user)  # and for good: enabling it again revives none
        audit.record(
            acting_user=acting_user,
            action="account.update",
            target=user,
            detail={"changes": changes},
            region=place.prefix if place else "",
        )
    return changes
