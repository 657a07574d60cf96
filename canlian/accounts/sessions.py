"""Session lifetimes: idle and absolute expiry, and ending every session of an account."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from canlian.accounts.models import User
from canlian.audit import records as audit

SIGNED_IN_AT = "canlian_signed_in_at"
SEEN_AT = "canlian_seen_at"
# Set in the new, signed-out session after an expiry: the login page says why.
EXPIRED = "canlian_expired"
# The last request is written to the session at most this often (a write per request is
# wasted work; the idle limit is counted in minutes).
SEEN_RESOLUTION = 60


class Expiry:
    IDLE = "idle"
    ABSOLUTE = "absolute"


def start(request: HttpRequest) -> None:
    """Mark the session as signed in now (the absolute limit counts from here)."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


def end_all(user: User) -> None:
    """End every session of `user`, on every device: the session epoch folded into
    User.get_session_auth_hash changes, so Django flushes each old session on its next
    request. Call inside the transaction that disables the account."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def expiry(request: HttpRequest, now: float) -> str | None:
    """Which limit the signed-in session has passed, if any."""
    session = request.session
    signed_in = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if signed_in is None or seen is None:
        # A session begun without the login page (a test's force_login, or from before
        # these limits): count from now.
        start(request)
        return None
    if now - seen > settings.SESSION_IDLE_MINUTES * 60:
        return Expiry.IDLE
    if now - signed_in > settings.SESSION_ABSOLUTE_HOURS * 3600:
        return Expiry.ABSOLUTE
    if now - seen >= SEEN_RESOLUTION:
        session[SEEN_AT] = int(now)
    return None


class SessionExpiryMiddleware:
    """Sign out a session idle for SESSION_IDLE_MINUTES or older than SESSION_ABSOLUTE_HOURS,
    log it, and send the visitor to the login page, which says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        signing_out = request.path == reverse("logout")
        if isinstance(user, User) and user.is_authenticated and not signing_out:
            reason = expiry(request, time.time())
            if reason is not None:
                audit.record(
                    acting_user=user,
                    action="signin.expired",
                    target=user,
                    detail={"reason": reason},
                    region=user.scope_prefix or "",
                )
                logout(request)
                request.session[EXPIRED] = reason
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
