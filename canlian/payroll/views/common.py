"""What the payment roll pages share: the roll looked up in the user's scope (404 outside it),
its status and names in words, the link to a month's rolls."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from canlian.accounts.actors import Actor
from canlian.accounts.display import actor_name
from canlian.benefits.eligibility import Month
from canlian.payroll.models import Roll, RollStatus

__all__ = [
    "ROLL_STATUS_WORDS",
    "STATUS_TAGS",
    "annotate_roll",
    "can",
    "current_month",
    "list_url",
    "roll_or_404",
]


# The status tags' colour variants (the status is always written out as well).
STATUS_TAGS = {RollStatus.DRAFT: "warning", RollStatus.APPROVED: "success"}
# The words of a roll's status (the model's label "Approved" is shared with applications,
# translated otherwise).
ROLL_STATUS_WORDS = {
    RollStatus.DRAFT: gettext_lazy("Draft, awaiting approval"),
    RollStatus.APPROVED: gettext_lazy("Approved, final"),
}


def can(request: HttpRequest, perm: str) -> bool:
    return bool(request.user.can(perm))  # type: ignore[union-attr]


def current_month() -> Month:
    return Month.of(timezone.localdate())


def roll_or_404(user: Actor, roll_id: int) -> Roll:
    roll = (
        Roll.objects.visible_to(user)
        .select_related("prepared_by__place__parent__parent", "approved_by__place__parent__parent")
        .filter(pk=roll_id)
        .first()
    )
    if roll is None:
        raise Http404
    return roll


def annotate_roll(roll: Roll, names: dict[str, str]) -> Roll:
    roll.county_name = names.get(roll.county, roll.county)  # type: ignore[attr-defined]
    roll.status_tag = STATUS_TAGS.get(RollStatus(roll.status), "neutral")  # type: ignore[attr-defined]
    roll.status_text = ROLL_STATUS_WORDS.get(RollStatus(roll.status), roll.status)  # type: ignore[attr-defined]
    roll.prepared_by_text = actor_name(roll.prepared_by, roll.prepared_by_name)  # type: ignore[attr-defined]
    roll.approved_by_text = actor_name(roll.approved_by)  # type: ignore[attr-defined]
    roll.month_text = f"{roll.month:%Y-%m}"  # type: ignore[attr-defined]
    return roll


def list_url(month: Month | str) -> str:
    return f"{reverse('payroll:list')}?month={month}"
