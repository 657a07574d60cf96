"""Failed sign-ins, counted by django-axes per (user name, client address) pair: the client's
address, the lockout that grows, the locked pairs and their unlocking."""

from __future__ import annotations

import datetime
import ipaddress
import unicodedata
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.audit import records as audit
from canlian.lib.clients import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the rest of Canlian sees it (TRUSTED_PROXIES), for axes;
    None when it is not an IP address (axes stores addresses in an address column)."""
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


def lockout_duration(failures: int) -> datetime.timedelta:
    """How long a pair stays locked after its `failures`-th failure: SIGNIN_LOCKOUT_MINUTES at
    the limit, doubled by each failure after it, at most SIGNIN_LOCKOUT_MAX_HOURS."""
    longest = datetime.timedelta(hours=settings.SIGNIN_LOCKOUT_MAX_HOURS)
    beyond = max(0, failures - settings.AXES_FAILURE_LIMIT)
    if beyond > 32:
        return longest
    first = datetime.timedelta(minutes=int(settings.SIGNIN_LOCKOUT_MINUTES))
    doubled: datetime.timedelta = first * 2**beyond
    return min(doubled, longest)


def _username(request: HttpRequest) -> str:
    """The user name of the attempt, as the login form cleans it (NFKC, stripped); the
    signed-in user's when they confirm their current password."""
    typed = request.POST.get("username")
    if typed is None and request.user.is_authenticated:
        return request.user.get_username()
    return unicodedata.normalize("NFKC", (typed or "").strip())


def _failures(username: str, ip: str | None) -> int:
    found = AccessAttempt.objects.filter(username=username, ip_address=ip).aggregate(
        n=Sum("failures_since_start")
    )
    return int(found["n"] or 0)


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: the lockout of the request's pair, from the failures it has made."""
    if request is None:
        return datetime.timedelta(minutes=settings.SIGNIN_LOCKOUT_MINUTES)
    return lockout_duration(_failures(_username(request), client_ip(request)))


class PairHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """axes' database handler, except that a pair's failures are forgotten only
    SIGNIN_LOCKOUT_MAX_HOURS after its last one. axes would delete every pair's failures
    older than the cool-off of whichever request came last, which differs per pair here."""

    def clean_expired_user_attempts(
        self, request: HttpRequest | None = None, credentials: dict[str, object] | None = None
    ) -> int:
        oldest = timezone.now() - datetime.timedelta(hours=settings.SIGNIN_LOCKOUT_MAX_HOURS)
        count, _ = AccessAttempt.objects.filter(attempt_time__lt=oldest).delete()
        return int(count)


def lockout_response(
    request: HttpRequest, response: HttpResponse | None, credentials: object = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page that asked for the password (the login page, the
    password change) already says that the pair is locked; keep it."""
    return response if response is not None else HttpResponse(status=429)


def locked_until(request: HttpRequest) -> datetime.datetime | None:
    """When the lockout of the request's pair ends (None when it is not locked)."""
    return _until(_username(request), client_ip(request))


def _until(username: str, ip: str | None) -> datetime.datetime | None:
    found = AccessAttempt.objects.filter(username=username, ip_address=ip).aggregate(
        n=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures = int(found["n"] or 0)
    if failures < settings.AXES_FAILURE_LIMIT or found["last"] is None:
        return None
    until: datetime.datetime = found["last"] + lockout_duration(failures)
    return until if until > timezone.now() else None


def lockout_message(request: HttpRequest) -> str:
    """The refusal of a locked pair: the same words whether the account exists or not."""
    until = locked_until(request)
    when = date_format(timezone.localtime(until), "SHORT_DATETIME_FORMAT") if until else ""
    return _(
        "Too many failed sign-ins with this user name from this computer: signing in is "
        "paused until %(when)s. Try again then, or ask the security administrator to unlock "
        "it."
    ) % {"when": when}


@dataclass(frozen=True)
class LockedPair:
    id: int  # one of the pair's attempt rows, to name the pair in a URL
    username: str
    address: str
    failures: int
    last_failure: datetime.datetime
    until: datetime.datetime
    account: User | None


def locked_pairs(*, user: User) -> list[LockedPair]:
    """The pairs locked now whose user name is an account in `user`'s jurisdiction or no
    account at all, most recent first; nothing without the permission to manage accounts."""
    if not user.can(Perm.MANAGE_ACCOUNTS):
        return []
    rows = (
        AccessAttempt.objects.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"), id=Min("id"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    names = {row["username"] for row in rows}
    accounts = {u.username: u for u in User.objects.filter(username__in=names)}
    visible = set(
        scoped(User.objects.filter(username__in=names), user,
               perm=Perm.MANAGE_ACCOUNTS, field="place__code").values_list("username", flat=True)
    )  # fmt: skip
    now = timezone.now()
    pairs = []
    for row in rows:
        name = row["username"] or ""
        until = row["last"] + lockout_duration(row["failures"])
        if until <= now or (name in accounts and name not in visible):
            continue
        pairs.append(
            LockedPair(
                id=row["id"], username=name, address=row["ip_address"] or "",
                failures=row["failures"], last_failure=row["last"], until=until,
                account=accounts.get(name),
            )
        )  # fmt: skip
    return pairs


def locked_pair(*, user: User, pair_id: int) -> LockedPair | None:
    return next((p for p in locked_pairs(user=user) if p.id == pair_id), None)


@transaction.atomic
def unlock(*, pair: LockedPair, reason: str, acting_user: User) -> int:
    """Forget the failures of a locked pair, so that it may sign in again at once; logged with
    the reason. Returns the number of failures forgotten."""
    require(acting_user, Perm.MANAGE_ACCOUNTS)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the sign-in is unlocked.")]})
    AccessAttempt.objects.filter(username=pair.username, ip_address=pair.address or None).delete()
    audit.record(
        acting_user=acting_user,
        action="signin.unlock",
        target=pair.account,
        detail={"username": pair.username, "address": pair.address,
                "failures": pair.failures, "reason": reason},
        region=(pair.account.scope_prefix or "") if pair.account else "",
    )  # fmt: skip
    return pair.failures
