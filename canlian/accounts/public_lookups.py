"""Guessing limits of the public lookup pages (/portal/): one budget for all of them.

An applicant opens their application, signed out, with its receipt code and the last six
characters of their ID number: on the subsidy page (benefits.progress) or on the certificate
page (certificates.progress). Both count their attempts here, together: a client (a keyed
digest of its address, never the address) gets ``CLIENT_FAILURES`` failed lookups per
``WINDOW`` on all the pages at once, and a code ``CODE_FAILURES`` failed lookups per
``WINDOW`` from all clients together, so that a second page does not double a guesser's
budget. Past either limit every lookup is refused until the window moves on, right or wrong.

The limits hold under concurrency: an attempt counts, evaluates and records in one transaction
holding its client's and its code's lock, so concurrent guesses (on any page) are taken one at
a time. The record serves the limits only and keeps a day; lookups that found an application
are in the audit log for good (each page records its own access).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from canlian.accounts.models import PublicLookup

__all__ = [
    "CLIENT_FAILURES",
    "CODE_FAILURES",
    "KEPT",
    "WINDOW",
    "TooManyAttempts",
    "attempt",
    "client_of",
]

CLIENT_FAILURES = 5
CODE_FAILURES = 10
WINDOW = datetime.timedelta(minutes=15)
KEPT = datetime.timedelta(days=1)
# Any constants: they name the two kinds of lock of these pages on PostgreSQL.
_CLIENT_LOCKS = 0x50524F43
_CODE_LOCKS = 0x50524F52

T = TypeVar("T")


class TooManyAttempts(Exception):
    """Too many failed lookups from this client, or on this code, in the window."""


def client_of(address: str) -> str:
    """What a client is known by in the record: a keyed digest of its address."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _refused(client: str, code: str, now: datetime.datetime) -> bool:
    failed = PublicLookup.objects.filter(found=False, at__gte=now - WINDOW)
    return (
        failed.filter(client=client).count() >= CLIENT_FAILURES
        or failed.filter(code=code).count() >= CODE_FAILURES
    )


def _lock_number(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big", signed=True)


def _take_turn(client: str, code: str) -> None:
    """Hold the client's, then the code's lock until the transaction ends: attempts of one
    client or on one code are counted, evaluated and recorded one at a time, whichever page
    they come from, so none slips past a limit between another's count and its record.
    (Always in this order, so two attempts never wait on each other's lock. SQLite needs
    none: its transactions take the one write lock as they begin.)"""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for space, name in ((_CLIENT_LOCKS, client), (_CODE_LOCKS, code)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space, _lock_number(name)])


@transaction.atomic
def attempt(*, page: str, client: str, code: str, find: Callable[[], T | None]) -> T | None:
    """What ``find`` finds for ``code`` (normalised), an attempt by ``client`` on ``page``;
    None when it finds nothing, which counts as a failure. Raises TooManyAttempts past either
    limit, before ``find`` is called. The locks are held until the caller's transaction ends:
    whatever the caller records of a found application is written under them."""
    _take_turn(client, code)
    now = timezone.now()
    if _refused(client, code, now):
        raise TooManyAttempts
    found = find()
    PublicLookup.objects.filter(at__lt=now - KEPT).delete()
    PublicLookup.objects.create(page=page, client=client, code=code, found=found is not None)
    return found
