"""Look-ups by a full ID or certificate number: recorded, and limited per person and hour.

The masks leave at least fifty valid numbers for a person whose birth date, sex and place a
page shows (canlian.lib.masks); a search box that finds a person by their exact number would
tell which of them is theirs. Each such search is therefore an access record (the number
masked), and past NUMBER_SEARCHES_PER_HOUR in the last hour a person's searches by number are
refused: enough for the window, too few to rebuild numbers in bulk. The new-person and edit
forms count too: their "already on the registry" answers whether a typed number is someone's.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.actors import Actor
from canlian.audit import records as audit
from canlian.audit.models import Entry
from canlian.lib import crypto, masks

ACTION = "search.by_number"
WINDOW = datetime.timedelta(hours=1)


class TooManyNumberSearches(PermissionDenied):
    """More searches by number in the last hour than NUMBER_SEARCHES_PER_HOUR."""


def record(*, user: Actor, number: str, where: str) -> None:
    """Record that `user` looked a full number up (a search, a number typed on a form that is
    compared with the registry); raise TooManyNumberSearches (recorded too) past the hourly
    limit. The count is taken under the audit log's lock, so concurrent lookups cannot slip
    past it."""
    with transaction.atomic():
        audit.record_access(
            acting_user=user, action=ACTION, target=None, region=user.scope_prefix or "",
            detail={"number": masks.id_number(number), "where": where},
        )  # fmt: skip
        since = timezone.now() - WINDOW
        done = Entry.objects.filter(action=ACTION, actor_id=user.pk, at__gte=since).count()
    if done > settings.NUMBER_SEARCHES_PER_HOUR:
        raise TooManyNumberSearches(too_many())


def too_many() -> str:
    return _(
        "You have searched by ID number (whole or its last characters) or certificate number "
        "%(count)s times in the last hour, the most allowed. Search by name, or try again "
        "later."
    ) % {"count": settings.NUMBER_SEARCHES_PER_HOUR}


def search_index(*, user: Actor, number: str, context: str, where: str) -> str:
    """The blind index to search `number` by, after `record`."""
    record(user=user, number=number, where=where)
    return crypto.blind_index(number, context=context)
