"""Account changes by the security administrators, two of them where a sensitive role is
granted (maker-checker): create, change, reset a password, approve, reject."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts import activation, services
from canlian.accounts.access import require
from canlian.accounts.models import AccountRequest, User
from canlian.accounts.roles import Perm, is_sensitive
from canlian.audit import records as audit
from canlian.places.models import Place

REASON_MAX = 500


@dataclass(frozen=True)
class Outcome:
    """What an administrator's action did: the account as it now stands (None when it is
    created only on approval), the request that awaits approval, and the activation code
    this administrator hands to the holder ("" when none)."""

    account: User | None = None
    request: AccountRequest | None = None
    code: str = ""
    changes: dict[str, list[Any]] = field(default_factory=dict)


def _record_request(request: AccountRequest, acting_user: User) -> None:
    audit.record(
        acting_user=acting_user,
        action="account.request",
        target=request,
        detail={
            "kind": request.kind,
            "username": request.username,
            "account": request.account_id,
            "role": request.role,
            "place": request.place_id,
            "is_active": request.is_active,
            "before": request.before,
        },
        region=request.place.prefix,
    )


def _save_request(request: AccountRequest) -> None:
    """Insert `request`; a second pending request for the same user name (asked at the same
    moment by someone else) is refused in words, not as a database error."""
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"username": [_("A request for this user name already awaits approval.")]}
        ) from exc


def _refuse_if_pending(user: User) -> None:
    if AccountRequest.objects.filter(account=user, status=AccountRequest.Status.PENDING).exists():
        raise ValidationError(
            _("A request for this account awaits approval: approve or reject it first.")
        )


@transaction.atomic
def create_account(
    *,
    username: str,
    full_name: str,
    role: str,
    place: Place | None,
    is_active: bool,
    acting_user: User,
) -> Outcome:
    """Create an account without a password: at once for a role that needs no approval (the
    code returned is the holder's only one), otherwise as a request that another security
    administrator approves (the code returned is the first of two)."""
    services.validate_state(role, place)
    services.check_grant(acting_user=acting_user, role=role, place=place, target=None)
    assert place is not None  # validate_state
    if not services.needs_approval(account=None, role=role, place=place, is_active=is_active):
        account = services.create_account(
            username=username, password=None, role=role, place=place, full_name=full_name,
            is_active=is_active, acting_user=acting_user,
        )  # fmt: skip
        return Outcome(account=account, code=activation.issue(user=account))
    code = activation.new_code()
    request = AccountRequest(
        kind=AccountRequest.Kind.CREATE, username=services.clean_username(username),
        full_name=full_name.strip(), role=role, place=place, is_active=is_active,
        code_digest=activation.digest(code), requested_by=acting_user,
    )  # fmt: skip
    _save_request(request)
    _record_request(request, acting_user)
    return Outcome(request=request, code=code)


@transaction.atomic
def change_account(
    *,
    user: User,
    role: str,
    place: Place | None,
    is_active: bool,
    full_name: str,
    acting_user: User,
) -> Outcome:
    """Change an account: at once when no approval is needed, otherwise as a request. When
    the account did not hold a sensitive role, approval also replaces its password by two
    codes (the code returned is the first), so that nobody who knew it keeps the account."""
    services.validate_state(role, place)
    services.check_grant(acting_user=acting_user, role=role, place=place, target=user)
    assert place is not None  # validate_state
    _refuse_if_pending(user)
    if not services.needs_approval(account=user, role=role, place=place, is_active=is_active):
        changes = services.update_account(
            user=user, role=role, place=place, is_active=is_active, full_name=full_name,
            acting_user=acting_user,
        )  # fmt: skip
        return Outcome(account=user, changes=changes)
    code = "" if is_sensitive(user.role) else activation.new_code()
    request = AccountRequest(
        kind=AccountRequest.Kind.CHANGE, account=user, username=user.username,
        full_name=full_name.strip(), role=role, place=place, is_active=is_active,
        before=services.account_state(user), code_digest=activation.digest(code) if code else "",
        requested_by=acting_user,
    )  # fmt: skip
    _save_request(request)
    _record_request(request, acting_user)
    return Outcome(account=user, request=request, code=code)


@transaction.atomic
def reset_password(*, user: User, acting_user: User) -> Outcome:
    """Replace an account's password by activation codes: at once for an account without a
    sensitive role (one code), otherwise as a request (the code returned is the first of
    two; the password stays until another administrator approves)."""
    services.check_grant(acting_user=acting_user, role=user.role, place=user.place, target=user)
    assert user.place is not None  # check_grant
    _refuse_if_pending(user)
    if not is_sensitive(user.role):
        code = activation.issue(user=user)
        audit.record(
            acting_user=acting_user,
            action="account.reset_password",
            target=user,
            detail={"username": user.username},
            region=user.place.prefix,
        )
        return Outcome(account=user, code=code)
    code = activation.new_code()
    request = AccountRequest(
        kind=AccountRequest.Kind.RESET, account=user, username=user.username,
        full_name=user.full_name, role=user.role, place=user.place, is_active=user.is_active,
        before=services.account_state(user), code_digest=activation.digest(code),
        requested_by=acting_user,
    )  # fmt: skip
    _save_request(request)
    _record_request(request, acting_user)
    return Outcome(account=user, request=request, code=code)


def visible_accounts(user: User) -> models.QuerySet[User]:
    """The accounts `user` may manage: those of their jurisdiction, for the accounts
    permission; none otherwise."""
    prefix = user.scope_prefix if user.can(Perm.MANAGE_ACCOUNTS) else None
    if not prefix:
        return User.objects.none()
    return User.objects.filter(place__code__startswith=prefix).select_related("place")


def refusal(*, request: AccountRequest, action: str, acting_user: User) -> str | None:
    """Why `acting_user` may not `approve` or `reject` `request` as it stands (the rule
    behind both the services and the pages' buttons), or None. Its maker may reject (withdraw)
    it, never approve it."""
    if not request.is_pending:
        return _("This request was already decided.")
    if action == "approve" and request.requested_by_id == acting_user.pk:
        return _("You asked for this: another security administrator must approve it.")
    if action == "approve" and request.account_id == acting_user.pk:
        return _("You cannot change your own account.")
    return None


def _take(request_id: int, acting_user: User, action: str) -> AccountRequest:
    require(acting_user, Perm.MANAGE_ACCOUNTS)
    request = (
        AccountRequest.objects.visible_to(acting_user)
        .select_for_update(of=("self",))
        .select_related("account", "place")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise PermissionDenied(_("This request is outside your jurisdiction."))
    if reason := refusal(request=request, action=action, acting_user=acting_user):
        raise ValidationError(reason)
    return request


def _decide(request: AccountRequest, status: str, acting_user: User, reason: str = "") -> None:
    request.status = status
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(
        acting_user=acting_user,
        action="account.approve" if status == AccountRequest.Status.APPROVED else "account.reject",
        target=request,
        detail={"kind": request.kind, "username": request.username, "reason": reason},
        region=request.place.prefix,
    )


def _new_account(request: AccountRequest) -> User:
    if User.objects.filter(username=request.username).exists():
        raise ValidationError(
            _("This user name was taken meanwhile: reject the request and ask again.")
        )
    account = User(
        username=request.username, role=request.role, place=request.place,
        full_name=request.full_name, is_active=request.is_active,
    )  # fmt: skip
    account.set_unusable_password()
    return account


@transaction.atomic
def approve(*, request_id: int, acting_user: User) -> Outcome:
    """Make a request effective, as a security administrator other than its maker. Returns
    the second activation code when the request gave the holder a first one."""
    request = _take(request_id, acting_user, "approve")
    # The grant is checked again as the approver: their jurisdiction, no administrator role.
    services.check_grant(
        acting_user=acting_user, role=request.role, place=request.place, target=request.account
    )
    account = request.account
    if request.kind == AccountRequest.Kind.CREATE:
        account = _new_account(request)
        services.insert_account(user=account, acting_user=acting_user, request=request)
        request.account = account
        request.save(update_fields=["account"])
    else:
        assert account is not None  # a change or a reset names its account
        if services.account_state(account) != request.before:
            raise ValidationError(
                _("The account changed since this was asked: reject the request and ask again.")
            )
    if request.kind == AccountRequest.Kind.CHANGE:
        services.apply_change(
            user=account,
            state={"role": request.role, "place": request.place,
                   "is_active": request.is_active, "full_name": request.full_name},
            acting_user=acting_user,
            request=request,
        )  # fmt: skip
    code = ""
    if request.code_digest:
        code = activation.issue(user=account, first_digest=request.code_digest)
    if request.kind == AccountRequest.Kind.RESET:
        audit.record(
            acting_user=acting_user,
            action="account.reset_password",
            target=account,
            detail={"username": account.username, "request": request.pk},
            region=request.place.prefix,
        )
    _decide(request, AccountRequest.Status.APPROVED, acting_user)
    return Outcome(account=account, request=request, code=code)


@transaction.atomic
def reject(*, request_id: int, reason: str, acting_user: User) -> AccountRequest:
    """Refuse a request, with the reason; nothing it asked for happens. Its maker may reject
    it too (to withdraw it)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Enter the reason for rejecting the request.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}]}
        )
    request = _take(request_id, acting_user, "reject")
    _decide(request, AccountRequest.Status.REJECTED, acting_user, reason)
    return request
