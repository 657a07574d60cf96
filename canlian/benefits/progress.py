"""Following a subsidy application without an account: the public progress page.

At the window the applicant is given the application's receipt code (canlian.lib.receipt_codes).
With it and the last six characters of their ID number, anyone holding the receipt can see
where the application is: its steps, dates, decisions and, for a rejection, the reason. The
page shows nothing else of the person (the name masked, no ID number, account or officers'
names).

Guessing is limited by canlian.accounts.public_lookups, one budget shared with the
certificate page: failed lookups per client and per code in a window, under concurrency. A
lookup that finds an application is an access record in the audit log, written under the
limiter's locks.
"""

from __future__ import annotations

import dataclasses

from django.db import transaction

from canlian.accounts import public_lookups
from canlian.accounts import reveal as gate
from canlian.audit import records as audit
from canlian.benefits.models import ApplicationStep, SubsidyApplication
from canlian.lib import masks

__all__ = ["PAGE", "Found", "lookup"]

PAGE = "subsidy"  # in the limiter's record


@dataclasses.dataclass(frozen=True)
class Found:
    application: SubsidyApplication
    masked_name: str
    steps: list[ApplicationStep]


def _matching(receipt: str, id_tail: str) -> SubsidyApplication | None:
    application = (
        SubsidyApplication.objects.filter(receipt=receipt).select_related("person").first()
    )
    if application is None:
        return None
    if not gate.ends_with(target=application.person, field="id_number", tail=id_tail):
        return None
    return application


@transaction.atomic
def lookup(*, receipt: str, id_tail: str, client: str) -> Found | None:
    """The application with this receipt code whose person's ID number ends in ``id_tail``
    (both normalised), or None. Raises public_lookups.TooManyAttempts past the limits, before
    looking."""
    application = public_lookups.attempt(
        page=PAGE, client=client, code=receipt, find=lambda: _matching(receipt, id_tail)
    )
    if application is None:
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
