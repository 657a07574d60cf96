"""Recoveries (追回): a line of an approved roll paid for a month after the person's death,
moving out or cancellation (recorded later) becomes a recovery item, closed as recovered or
written off with a note."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.actors import Actor
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.benefits.models import Enrolment
from canlian.payroll.actors import account_of
from canlian.payroll.models import Line, LineKind, Recovery, RecoveryStatus, Roll, RollStatus
from canlian.people.models import LifeStatus, Person

__all__ = ["ENDING_EVENTS", "RECOVERY_CHUNK", "find_recoveries", "resolve_recovery"]

ENDING_EVENTS = (LifeStatus.DECEASED, LifeStatus.MOVED_OUT, LifeStatus.CANCELLED)
RECOVERY_CHUNK = 2000  # persons whose lines one query reads

# (line, month paid for, ending event, its date, county)
Candidate = tuple[int, datetime.date, str, datetime.date, str]
Ended = tuple[int, str, datetime.date | None]  # (person, ending event, its date)


def find_recoveries(*, county_list: Iterable[str], acting_user: Actor) -> int:
    """Open a recovery item for every line of an approved roll paid for a month after the
    person's death, moving out or cancellation; return how many were opened."""
    # From the few persons with such an event to their lines, never from every approved line
    # (those grow by a million a month): the enrolled persons with an ending event, in order of
    # its date, then their lines after the earliest date of each chunk through the unique
    # (person, programme, month) index (adjustments excluded, as in its condition), the exact
    # date and the roll checked here. Written as steps so that no query plan can turn it round.
    # A line's month is its first day: after the event's date means a month after the event's
    # month, the event's own month being paid.
    rolls_in_scope = dict(
        Roll.objects.filter(county__in=list(county_list), status=RollStatus.APPROVED).values_list(
            "pk", "county"
        )
    )
    if not rolls_in_scope:
        return 0
    candidates = _candidates(_ended_persons(), rolls_in_scope)
    known = set(
        Recovery.objects.filter(line_id__in=[c[0] for c in candidates]).values_list(
            "line_id", flat=True
        )
    )
    return _open(sorted(c for c in candidates if c[0] not in known), acting_user)


def _ended_persons() -> list[Ended]:
    """The enrolled persons with an ending event, in order of its date."""
    return list(
        Person.objects.filter(
            life_status__in=ENDING_EVENTS,
            life_status_date__isnull=False,
            pk__in=Enrolment.objects.values("person_id"),
        )
        .order_by("life_status_date", "pk")
        .values_list("pk", "life_status", "life_status_date")
    )


def _candidates(ended: list[Ended], rolls_in_scope: dict[int, str]) -> list[Candidate]:
    """The lines of approved rolls in scope paid for a month after their person's event, read
    a chunk of persons at a time."""
    event_of: dict[int, tuple[str, datetime.date]] = {
        pk: (status, date) for pk, status, date in ended if date is not None
    }
    candidates: list[Candidate] = []
    for at in range(0, len(ended), RECOVERY_CHUNK):
        chunk = ended[at : at + RECOVERY_CHUNK]
        lines = (
            Line.objects.filter(person_id__in=[pk for pk, _s, _d in chunk])
            .exclude(kind=LineKind.ADJUSTMENT)
            .filter(month__gt=chunk[0][2])
            .values_list("pk", "person_id", "month", "roll_id")
        )
        for pk, person, month, roll in lines:
            status, date = event_of[person]
            if month > date and roll in rolls_in_scope:
                candidates.append((pk, month, status, date, rolls_in_scope[roll]))
    return candidates


def _open(candidates: list[Candidate], acting_user: Actor) -> int:
    """A recovery item for each candidate line, with its reason, audited."""
    words = {
        LifeStatus.DECEASED: _("paid for %(month)s after death on %(date)s"),
        LifeStatus.MOVED_OUT: _("paid for %(month)s after moving out on %(date)s"),
        LifeStatus.CANCELLED: _(
            "paid for %(month)s after the certificate was cancelled on %(date)s"
        ),
    }
    for pk, paid_month, status, date, county in candidates:
        reason = words[LifeStatus(status)] % {"month": f"{paid_month:%Y-%m}", "date": date}
        recovery = Recovery.objects.create(line_id=pk, reason=reason)
        audit.record(
            acting_user=acting_user,
            action="payroll.recovery_opened",
            target=recovery,
            detail={"line": pk, "reason": reason},
            region=county,
        )
    return len(candidates)


def resolve_recovery(*, recovery_id: int, status: str, note: str, acting_user: Actor) -> Recovery:
    """Close a recovery item as recovered or written off, with a note."""
    with transaction.atomic():
        recovery = (
            Recovery.objects.select_for_update()
            .select_related("line__roll")
            .filter(pk=recovery_id)
            .first()
        )
        if recovery is None:
            raise ValidationError(_("No such recovery item."))
        if not acting_user.can(Perm.PREPARE_PAYROLL) or not covers(
            acting_user, recovery.line.roll.county
        ):
            raise PermissionDenied(_("You may not resolve this recovery item."))
        if recovery.status != RecoveryStatus.OPEN:
            raise ValidationError(_("This recovery item is already closed."))
        if status not in (RecoveryStatus.RECOVERED, RecoveryStatus.WAIVED):
            raise ValidationError({"status": [_("Choose recovered or written off.")]})
        if not note.strip():
            raise ValidationError(
                {"note": [_("Say how it was recovered, or why it is written off.")]}
            )
        recovery.status = status
        recovery.note = note.strip()
        recovery.resolved_by = account_of(acting_user)
        recovery.resolved_at = timezone.now()
        recovery.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
        audit.record(
            acting_user=acting_user,
            action="payroll.recovery_resolved",
            target=recovery,
            detail={"status": status, "note": recovery.note},
            region=recovery.line.roll.county,
        )
    return recovery
