"""Account changes that take effect at once: only the security administrator grants roles,
never an administrator role, and never a sensitive one alone (see accounts.approvals)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import sessions
from canlian.accounts.access import require
from canlian.accounts.models import AccountRequest, User
from canlian.accounts.roles import ROLE_LEVELS, Perm, Role, is_sensitive
from canlian.audit import records as audit
from canlian.places.models import Level, Place

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def check_grant(
    *, acting_user: User | None, role: str, place: Place | None, target: User | None
) -> None:
    """Refuse unless `acting_user` may give `target` (None: a new account) `role` in `place`:
    the accounts permission, not their own account, no administrator role, a place inside
    their jurisdiction. Installation (acting_user None) may do anything."""
    if acting_user is None:
        return  # installation commands run as the system
    require(acting_user, Perm.MANAGE_ACCOUNTS)
    errors: dict[str, list[str]] = {}
    if target is not None and target.pk == acting_user.pk:
        raise PermissionDenied(_("You cannot change your own account."))
    if target is not None and target.role in ADMIN_ROLES:
        raise PermissionDenied(_("Administrator accounts are managed only at installation."))
    if role in ADMIN_ROLES:
        errors["role"] = [_("Administrator roles are assigned only at installation.")]
    prefix = acting_user.scope_prefix
    if place is None or not prefix or not place.code.startswith(prefix):
        errors["place"] = [_("Choose a place inside your jurisdiction.")]
    if errors:
        raise ValidationError(errors)


def validate_state(role: str, place: Place | None) -> None:
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Choose a role.")]
    if place is None:
        errors["place"] = [_("Choose the jurisdiction of this account.")]
    elif role in ROLE_LEVELS and place.level not in ROLE_LEVELS[role]:
        levels = "、".join(str(Level(n).label) for n in sorted(ROLE_LEVELS[role]))
        errors["place"] = [
            _("An account of this role belongs to a %(levels)s.") % {"levels": levels}
        ]
    if errors:
        raise ValidationError(errors)


def needs_approval(*, account: User | None, role: str, place: Place, is_active: bool) -> bool:
    """Whether giving `account` (None: a new account) this state takes a second
    administrator: it grants a sensitive role, and a new account, another role, another
    jurisdiction or a disabled account made active. Taking rights away never does."""
    if not is_sensitive(role):
        return False
    if account is None:
        return True
    return (
        role != account.role
        or place.pk != account.place_id
        or (is_active and not account.is_active)
    )


NEEDS_APPROVAL = gettext_lazy(
    "This role reads the audit log or reveals full values: another security administrator "
    "must approve it."
)


def clean_username(username: str) -> str:
    """`username` stripped, or a refusal when it is empty, taken, or asked for."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": [_("Enter a user name.")]})
    pending = AccountRequest.objects.filter(username=username, status=AccountRequest.Status.PENDING)
    if User.objects.filter(username=username).exists() or pending.exists():
        raise ValidationError({"username": [_("This user name is taken.")]})
    return username


def _refuse_unapproved(
    acting_user: User | None,
    account: User | None,
    *,
    role: str,
    place: Place | None,
    is_active: bool,
) -> None:
    """The at-once writers refuse what takes a second administrator (installation excepted)."""
    if (
        acting_user is not None
        and place is not None
        and needs_approval(account=account, role=role, place=place, is_active=is_active)
    ):
        raise ValidationError({"role": [str(NEEDS_APPROVAL)]})


@transaction.atomic
def create_account(
    *,
    username: str,
    password: str | None,
    role: str,
    place: Place | None,
    full_name: str = "",
    is_active: bool = True,
    acting_user: User | None,
    check_password: bool = True,
) -> User:
    """Create an account at once: at installation (acting_user None) with any role, or by the
    security administrator with a role that needs no approval. A password of None leaves the
    account without one (its holder sets it with an activation code)."""
    validate_state(role, place)
    check_grant(acting_user=acting_user, role=role, place=place, target=None)
    _refuse_unapproved(acting_user, None, role=role, place=place, is_active=is_active)
    username = clean_username(username)
    user = User(
        username=username,
        role=role,
        place=place,
        full_name=full_name.strip(),
        is_active=is_active,
    )
    if password is None:
        user.set_unusable_password()
    else:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    return insert_account(user=user, acting_user=acting_user)


def insert_account(
    *, user: User, acting_user: User | None, request: AccountRequest | None = None
) -> User:
    """Save the new account `user` and record it; the callers checked everything."""
    user.save()
    detail: dict[str, Any] = {
        "username": user.username,
        "role": user.role,
        "place": user.place.code if user.place else None,
    }
    if request is not None:
        detail["request"] = request.pk
    audit.record(
        acting_user=acting_user,
        action="account.create",
        target=user,
        detail=detail,
        region=user.place.prefix if user.place else "",
    )
    return user


@transaction.atomic
def update_account(
    *,
    user: User,
    role: str,
    place: Place | None,
    is_active: bool,
    full_name: str,
    acting_user: User | None,
) -> dict[str, list[Any]]:
    """Change an account at once; a change that needs approval is refused (ask for it with
    accounts.approvals.change_account). Returns the changes, field by field."""
    validate_state(role, place)
    check_grant(acting_user=acting_user, role=role, place=place, target=user)
    _refuse_unapproved(acting_user, user, role=role, place=place, is_active=is_active)
    return apply_change(
        user=user,
        state={"role": role, "place": place, "is_active": is_active, "full_name": full_name},
        acting_user=acting_user,
    )


def account_state(user: User) -> dict[str, Any]:
    """What a change request records of an account as it stands (JSON-ready)."""
    return {
        "role": user.role,
        "place": user.place_id,
        "is_active": user.is_active,
        "full_name": user.full_name,
    }


def apply_change(
    *,
    user: User,
    state: dict[str, Any],
    acting_user: User | None,
    request: AccountRequest | None = None,
) -> dict[str, list[Any]]:
    """Give `user` the `state` (role, place, is_active, full_name) and record what changed;
    the callers checked everything."""
    place: Place | None = state["place"]
    before = account_state(user)
    after = {**state, "place": place.code if place else None}
    changes = audit.changes(before, after, before)
    if changes:
        user.role, user.place = state["role"], place
        user.is_active, user.full_name = state["is_active"], state["full_name"]
        user.save()
        detail: dict[str, Any] = {"changes": changes}
        if request is not None:
            detail["request"] = request.pk
        if "is_active" in changes and not user.is_active:
            sessions.end_all(user)  # and for good: enabling it again revives none
        audit.record(
            acting_user=acting_user,
            action="account.update",
            target=user,
            detail=detail,
            region=place.prefix if place else "",
        )
    return changes
