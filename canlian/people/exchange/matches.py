"""An import's rows that match persons already on the registry, for roles that may not reveal.

An import check says, row by row, whether an ID number is new or someone's: for a role that
may not open ID numbers, a file of candidate numbers would be a look-up of each. So for such a
role the rows an import matches (in its jurisdiction or outside it) are recorded, one access
entry a run, and limited to IMPORT_MATCHES_PER_DAY a day; past it the run is refused whole,
without saying which rows matched (accounts.lookups does the same for searches).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.audit.models import Entry

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

ACTION = "person.import.matched"


def counted(user: Actor) -> bool:
    """Whether `user`'s imports count their matches: staff roles that may not reveal (the
    command line's operator holds the database and the keys already)."""
    return getattr(user, "pk", None) is not None and not user.can(Perm.REVEAL_PERSON)


def _today(user: Actor) -> Any:
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Entry.objects.filter(action=ACTION, actor_id=user.pk, at__gte=since)


def spent_today(user: Actor, *, besides: str = "") -> int:
    """Matches recorded for `user` since midnight (local time), but for the file `besides`
    (its digest): applying a file after its check counts it once."""
    entries = _today(user)
    if besides:
        entries = entries.exclude(detail__sha256=besides)
    total = entries.aggregate(n=Sum(Cast(KeyTextTransform("matched", "detail"), IntegerField())))[
        "n"
    ]
    return int(total or 0)


def over_budget(user: Actor, matched: int, *, sha256: str) -> bool:
    spent = spent_today(user, besides=sha256) if counted(user) else 0
    return counted(user) and spent + matched > settings.IMPORT_MATCHES_PER_DAY


def record(user: Actor, *, filename: str, sha256: str, matched: int, refused: bool) -> None:
    """One access entry for a run whose rows matched `matched` persons (in its own
    transaction: it stays when the run is rolled back)."""
    if not counted(user) or not matched:
        return
    if _today(user).filter(detail__sha256=sha256, detail__refused=False).exists():
        return  # the same file, checked before and counted then
    with transaction.atomic():
        audit.record_access(
            acting_user=user, action=ACTION, target=None, region=user.scope_prefix or "",
            detail={"file": filename, "sha256": sha256, "matched": matched, "refused": refused},
        )  # fmt: skip


def refusal() -> str:
    return _(
        "This file names more persons already on the registry than you may update by file "
        "today (%(limit)s). Nothing was checked in detail or written: give the file to the "
        "county federation, or import it tomorrow."
    ) % {"limit": settings.IMPORT_MATCHES_PER_DAY}
