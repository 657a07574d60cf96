"""A draft roll approved by a second account (four eyes), discarded whole, or given an
adjustment line; an approved roll is final (database triggers)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.actors import Actor
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Enrolment
from canlian.payroll.actors import account_of
from canlian.payroll.models import Line, LineKind, Roll, RollStatus, Stop

__all__ = ["add_adjustment", "approve", "discard", "refusal"]


def _take(roll_id: int, user: Actor, perm: str) -> Roll:
    roll = Roll.objects.select_for_update().filter(pk=roll_id).first()
    if roll is None:
        raise ValidationError(_("No such payment roll."))
    if not user.can(perm):
        raise PermissionDenied(_("You may not do this with payment rolls."))
    if not covers(user, roll.county):
        raise PermissionDenied(_("This roll is outside your jurisdiction."))
    return roll


def refusal(*, roll: Roll, action: str, acting_user: Actor) -> str | None:
    """Why ``acting_user`` may not ``approve`` or ``discard`` ``roll`` as it stands (the rule
    behind both the services and the pages' buttons), or None."""
    if action == "discard":
        return None if roll.is_draft else _("An approved roll cannot be discarded.")
    if not roll.is_draft:
        return _("This roll is already approved.")
    if not getattr(acting_user, "pk", None):
        return _("A roll is approved by a named account, not a command line.")
    if roll.prepared_by_id == acting_user.pk:
        return _("You prepared this roll: another finance officer must approve it.")
    if roll.lines.filter(kind=LineKind.ADJUSTMENT, added_by_id=acting_user.pk).exists():
        return _("You added an adjustment to this roll: another finance officer must approve it.")
    return None


def approve(*, roll_id: int, acting_user: Actor) -> Roll:
    """Approve a draft roll prepared by another account (four eyes). Final."""
    with transaction.atomic():
        roll = _take(roll_id, acting_user, Perm.APPROVE_PAYROLL)
        if reason := refusal(roll=roll, action="approve", acting_user=acting_user):
            raise ValidationError(reason)
        roll.status = RollStatus.APPROVED
        roll.approved_by = account_of(acting_user)  # an account: refusal() saw to it
        roll.approved_at = timezone.now()
        roll.save(update_fields=["status", "approved_by", "approved_at"])
        audit.record(
            acting_user=acting_user,
            action="payroll.approve",
            target=roll,
            detail={"lines": roll.line_count, "total": f"{roll.total:.2f}"},
            region=roll.county,
        )
    return roll


def discard(*, roll_id: int, acting_user: Actor) -> None:
    """Delete a draft roll and its lines, so that it can be generated again (after the
    registry was corrected). The enrolments it settled are unsettled again, so that the next
    run pays their back pay as this one did. Approved rolls stay."""
    with transaction.atomic():
        roll = _take(roll_id, acting_user, Perm.PREPARE_PAYROLL)
        if reason := refusal(roll=roll, action="discard", acting_user=acting_user):
            raise ValidationError(reason)
        month = roll.month
        detail = {"month": f"{month:%Y-%m}", "lines": roll.line_count, "total": f"{roll.total:.2f}"}
        Stop.objects.filter(roll=roll).delete()
        Line.objects.filter(roll=roll).delete()
        Enrolment.objects.filter(settled_by=roll).update(back_pay_settled=False, settled_by=None)
        audit.record(
            acting_user=acting_user,
            action="payroll.discard",
            target=roll,
            detail=detail,
            region=roll.county,
        )
        roll.delete()


def add_adjustment(
    *,
    roll_id: int,
    person_id: int,
    month: Month,
    amount: Decimal,
    reason: str,
    acting_user: Actor,
) -> Line:
    """An adjustment line in a draft roll: a payment owed for an earlier month (an amount
    corrected, a failed payment made again). Positive; an overpayment is a recovery instead."""
    reason = reason.strip()
    with transaction.atomic():
        roll = _take(roll_id, acting_user, Perm.PREPARE_PAYROLL)
        enrolment = _enrolment(roll, person_id)
        errors = _adjustment_errors(roll, month, amount, reason, enrolment)
        if errors:
            raise ValidationError(errors)
        assert enrolment is not None
        line = Line.objects.create(
            roll=roll,
            person_id=person_id,
            programme=roll.programme,
            month=month.first,
            kind=LineKind.ADJUSTMENT,
            amount=amount,
            account=enrolment.account,
            reason=reason,
            added_by=account_of(acting_user),
        )
        _count_again(roll)
        audit.record(
            acting_user=acting_user,
            action="payroll.adjust",
            target=roll,
            detail={
                "person": person_id,
                "month": str(month),
                "amount": f"{amount:.2f}",
                "reason": reason,
            },
            region=roll.county,
        )
    return line


def _enrolment(roll: Roll, person_id: int) -> Enrolment | None:
    """The person's latest enrolment in the roll's programme and county (its account pays)."""
    return (
        Enrolment.objects.filter(person_id=person_id, programme=roll.programme)
        .filter(region__startswith=roll.county)
        .order_by("-id")
        .first()
    )


def adjustment_problems(
    *,
    roll: Roll,
    person_id: int | None,
    month: Month | None,
    amount: Decimal | None,
    reason: str,
) -> dict[str, list[str]]:
    """Every reason the adjustment as far as it was given is refused, by field, saving
    nothing: the form lists them with its own fields' problems, so that one submit reports
    everything. A value not given is None, and the rule that reads it waits for it."""
    enrolment = _enrolment(roll, person_id) if person_id is not None else None
    return _adjustment_errors(
        roll, month, amount, reason.strip(), enrolment, person_given=person_id is not None
    )


def _adjustment_errors(
    roll: Roll,
    month: Month | None,
    amount: Decimal | None,
    reason: str,
    enrolment: Enrolment | None,
    *,
    person_given: bool = True,
) -> dict[str, list[str]]:
    """Every reason the adjustment is refused, by field (a value given as None: its rule is
    skipped)."""
    errors: dict[str, list[str]] = defaultdict(list)
    if not roll.is_draft:
        errors["roll"].append(_("Adjustments go into a draft roll."))
    if amount is not None and (
        amount <= 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**8
    ):
        errors["amount"].append(
            _("The amount must be positive, in yuan with at most two decimals.")
        )
    if not reason:
        errors["reason"].append(_("Give the reason for the adjustment."))
    if month is not None and month.first > roll.month:
        errors["month"].append(_("An adjustment is for the roll's month or an earlier one."))
    if person_given and enrolment is None:
        errors["person"].append(
            _("This person has no enrolment in this programme in the roll's county.")
        )
    return dict(errors)


def _count_again(roll: Roll) -> None:
    """The roll's line count and total, from its lines."""
    totals = roll.lines.aggregate(n=Count("id"), total=Sum("amount"))
    roll.line_count, roll.total = totals["n"], totals["total"] or Decimal("0.00")
    roll.save(update_fields=["line_count", "total"])
