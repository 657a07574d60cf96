"""The second factor (TOTP by django-otp, recovery codes as its static tokens): who needs it,
enrolment, verification, and the gate that keeps an unverified session on its pages."""

from __future__ import annotations

import re
import time
from base64 import b32encode
from binascii import unhexlify
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from canlian.accounts import sessions
from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.audit import records as audit

# The three administrators and finance officers may not work without a second factor; the
# other roles may enrol from their profile page.
SECOND_FACTOR_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.FINANCE}
)
RECOVERY_CODES = 10
# The secret of an enrolment under way, kept in the session until a code confirms it.
PENDING_KEY = "canlian_otp_pending_key"
# Recovery codes just made, shown once by the recovery codes page.
NEW_CODES = "canlian_otp_new_codes"


def requires_second_factor(user: User) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator (TOTP device), if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def pending_step(user: User) -> str | None:
    """What an authenticated but unverified session must do first: "verify" (enrolled),
    "enrol" (not enrolled, and the role requires it) or nothing."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return "verify"
    return "enrol" if requires_second_factor(user) else None


def is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "otp_device", None))


# ---------------------------------------------------------------------------
# Enrolment
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Provisioning:
    """What an authenticator app needs: the otpauth URI (as a QR code) and the secret, in
    groups of four characters for reading aloud or typing."""

    uri: str
    secret_groups: str
    qr_svg: str


def new_key() -> str:
    return str(random_hex(20))


def provisioning(*, user: User, key: str, issuer: str) -> Provisioning:
    secret = b32encode(unhexlify(key)).decode()
    label = quote(f"{issuer.replace(':', '')}:{user.get_username()}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": 6, "period": 30})
    uri = f"otpauth://totp/{label}?{query}"
    name = escape(_("QR code to add Canlian to an authenticator app"))
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)
    groups = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return Provisioning(uri=uri, secret_groups=groups, qr_svg=svg)


def current_code(key: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows now for `key` (tests and the demo)."""
    totp = TOTP(unhexlify(key))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def _normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


@transaction.atomic
def enrol(*, user: User, key: str, code: str, acting_user: User | None) -> list[str]:
    """Confirm an authenticator for `user` with a code it shows, replacing any earlier one,
    and make new recovery codes; logged. Returns the recovery codes (shown once)."""
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    code = _normalise_code(code)
    if not (code.isdigit() and len(code) == 6 and totp.verify(int(code), tolerance=1)):
        message = _("This code is not right. Enter the 6 digits the app shows now.")
        raise ValidationError({"code": [message]})
    replaced = TOTPDevice.objects.filter(user=user).delete()[0] > 0
    TOTPDevice.objects.create(
        user=user, name="authenticator", key=key, confirmed=True, last_t=totp.t()
    )
    codes = _replace_recovery_codes(user)
    audit.record(
        acting_user=acting_user,
        action="otp.enrol",
        target=user,
        detail={"replaced": replaced, "recovery_codes": len(codes)},
        region=user.scope_prefix or "",
    )
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def new_recovery_codes(*, user: User, acting_user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; the old ones stop working. Logged."""
    if authenticator(user) is None:
        raise ValidationError(_("Set up an authenticator app first."))
    codes = _replace_recovery_codes(user)
    audit.record(
        acting_user=acting_user,
        action="otp.recovery_codes",
        target=user,
        detail={"recovery_codes": len(codes)},
        region=user.scope_prefix or "",
    )
    return codes


@transaction.atomic
def reset(*, user: User, reason: str, acting_user: User | None) -> int:
    """Remove the user's authenticator and recovery codes (a lost phone and lost codes); at
    the next sign-in a role that needs one enrols again. Logged with the reason. Returns the
    number of devices removed."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the second factor is reset.")]})
    apps, codes = TOTPDevice.objects.filter(user=user), StaticDevice.objects.filter(user=user)
    removed = int(apps.count() + codes.count())
    apps.delete()
    codes.delete()
    # Every session ends: one that had passed the old second factor must not enrol a new one.
    sessions.end_all(user)
    audit.record(
        acting_user=acting_user,
        action="otp.reset",
        target=user,
        detail={"devices": removed, "reason": reason.strip()},
        region=user.scope_prefix or "",
    )
    return removed


def format_code(code: str) -> str:
    """A recovery code as shown: two groups of four (abcd-efgh)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    device: Device | None
    method: str  # "totp" or "recovery_code"
    wait_seconds: int = 0  # > 0: refused without checking, too many wrong codes just before


def verify(*, user: User, code: str, action: str = "signin.second_factor") -> Verification:
    """Check a code from the authenticator app (6 digits) or a recovery code (used up), and
    log the outcome as `action`, `action`.recovery_code or `action`_failure. The devices'
    own throttling (django-otp: 1, 2, 4, … seconds after each wrong code) refuses further
    codes for a while; `wait_seconds` says how long."""
    code = _normalise_code(code)
    method = "totp" if code.isdigit() else "recovery_code"
    model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if method == "totp" else StaticDevice
    with transaction.atomic():
        # Locked, so that two requests cannot both use one code or both skip the throttle.
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        wait = 0
        if device is not None:
            allowed, data = device.verify_is_allowed()
            if not allowed:
                until = (data or {}).get("locked_until")
                wait = max(1, int(until.timestamp() - time.time()) + 1) if until else 1
            elif not device.verify_token(code):
                device = None
        detail: dict[str, object] = {"method": method}
        if wait:
            device = None
            detail["throttled"] = True
        if device is None:
            action = f"{action}_failure"
        elif method == "recovery_code":
            action = f"{action}.recovery_code"
            detail["recovery_codes_left"] = recovery_codes_left(user)
        audit.record(
            acting_user=user,
            action=action,
            target=user,
            detail=detail,
            region=user.scope_prefix or "",
        )
        return Verification(device, method, wait_seconds=wait)


# ---------------------------------------------------------------------------
# The gate
# ---------------------------------------------------------------------------

# What a signed-in session that has not passed its second factor may still open: the sign-in
# pages, signing out, static files, the display and language choices of the header, and the
# public pages.
OPEN_PREFIXES = ("/login/", "/logout/", "/static/", "/i18n/", "/ui/", "/portal/")


def step_url(step: str) -> str:
    return reverse("login_verify") if step == "verify" else reverse("accounts:second_factor")


class SecondFactorMiddleware:
    """Send a signed-in session that still owes its second factor to the page that takes it
    (the code, or the enrolment for a role that requires one), from every other URL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.is_authenticated and not is_verified(request):
            step = pending_step(user)
            # The menu is not offered to a session that may not use it yet.
            request.owes_second_factor = step is not None  # type: ignore[attr-defined]
            if step is not None:
                target = step_url(step)
                if not request.path.startswith((*OPEN_PREFIXES, target)):
                    if request.method == "GET":
                        return redirect_to_login(request.get_full_path(), target)
                    return redirect(target)
        return self.get_response(request)
