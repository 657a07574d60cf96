"""Following an application without an account: the public progress page.

At the window the applicant is given the application's receipt code (ten characters, random).
With it and the last six characters of their ID number, anyone holding the receipt can see
where the application is: its steps, dates, decisions and, for a rejection, the reason. The
page shows nothing else of the person (the name masked, no ID number, account or officers'
names).

Guessing is limited: a client (a digest of its address, never the address) gets
``CLIENT_FAILURES`` failed lookups per ``WINDOW``, and a receipt ``RECEIPT_FAILURES`` failed
lookups per ``WINDOW`` from all clients together; past either limit every lookup is refused
until the window moves on, right or wrong. The limits hold under concurrency: a lookup counts,
evaluates and records in one transaction holding its client's and its receipt's lock, so
concurrent guesses are taken one at a time. A lookup that finds an application is an access
record in the audit log.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from canlian.accounts import reveal as gate
from canlian.audit import records as audit
from canlian.benefits.models import ApplicationStep, ProgressLookup, SubsidyApplication
from canlian.lib import masks

__all__ = [
    "CLIENT_FAILURES",
    "RECEIPT_FAILURES",
    "WINDOW",
    "Found",
    "TooManyAttempts",
    "client_of",
    "lookup",
]

CLIENT_FAILURES = 5
RECEIPT_FAILURES = 10
WINDOW = datetime.timedelta(minutes=15)
KEPT = datetime.timedelta(days=1)
# Any constants: they name this page's two kinds of lock on PostgreSQL.
_CLIENT_LOCKS = 0x50524F43
_RECEIPT_LOCKS = 0x50524F52


class TooManyAttempts(Exception):
    """Too many failed lookups from this client, or on this receipt, in the window."""


@dataclasses.dataclass(frozen=True)
class Found:
    application: SubsidyApplication
    masked_name: str
    steps: list[ApplicationStep]


def client_of(address: str) -> str:
    """What a client is known by in the lookup record: a keyed digest of its address."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _refused(client: str, receipt: str, now: datetime.datetime) -> bool:
    since = now - WINDOW
    failed = ProgressLookup.objects.filter(found=False, at__gte=since)
    return (
        failed.filter(client=client).count() >= CLIENT_FAILURES
        or failed.filter(receipt=receipt).count() >= RECEIPT_FAILURES
    )


def _lock_number(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big", signed=True)


def _take_turn(client: str, receipt: str) -> None:
    """Hold the client's, then the receipt's lock until the transaction ends: lookups of one
    client or of one receipt are counted, evaluated and recorded one at a time, so none slips
    past a limit between another's count and its record. (Always in this order, so two lookups
    never wait on each other's lock. SQLite needs none: its transactions take the one write
    lock as they begin.)"""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for space, name in ((_CLIENT_LOCKS, client), (_RECEIPT_LOCKS, receipt)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space, _lock_number(name)])


@transaction.atomic
def lookup(*, receipt: str, id_tail: str, client: str) -> Found | None:
    """The application with this receipt code whose person's ID number ends in ``id_tail``
    (both normalised), or None. Raises TooManyAttempts past the limits, before looking."""
    _take_turn(client, receipt)
    now = timezone.now()
    if _refused(client, receipt, now):
        raise TooManyAttempts
    application = (
        SubsidyApplication.objects.filter(receipt=receipt).select_related("person").first()
    )
    found = application is not None and gate.ends_with(
        target=application.person, field="id_number", tail=id_tail
    )
    # The record only serves the limits: a day of it is kept (the lookups that found an
    # application are in the audit log for good), so the table stays small.
    ProgressLookup.objects.filter(at__lt=now - KEPT).delete()
    ProgressLookup.objects.create(client=client, receipt=receipt, found=found)
    if not found or application is None:
        return None
    audit.record_access(
        acting_user=None,
        action="subsidy.progress_viewed",
        target=application,
        detail={"by": "receipt code and ID number's last six characters"},
        region=application.region,
    )
    steps = list(application.steps.order_by("acted_on", "id"))
    return Found(application, masks.name(application.person.name), steps)
