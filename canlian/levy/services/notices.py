"""Recording the verification result (审核确认书) of a verified declaration, after which it is
final. The result confirms the number of disabled employees; the tax office collects the fund,
so the result is not a payment notice and its amount is information for the employer."""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.levy.formula import LATE_CAPPED, LATE_RATE
from canlian.levy.models import Declaration, DeclarationStatus
from canlian.levy.services.checking import Errors, add, day, fail, require_in_scope

if TYPE_CHECKING:
    from canlian.accounts.models import User
    from canlian.lib.parameters import Parameters

# The days after the result within which the employer may ask the federation to review the
# number confirmed (a sample value: no notice at hand sets it).
REVIEW_DAYS = "levy.verification_review_days"


@dataclasses.dataclass(frozen=True)
class NoticeTerms:
    """What the verification result says of payment and review, as in force on its date."""

    surcharge: str  # the daily late-payment rate as per mille ("5‰"); empty when none
    surcharge_capped: bool  # the surcharge is capped at the amount (levy.late_surcharge_capped)
    review_days: int | None  # the days for asking a review; None: the result names no deadline


def notice_terms(declaration: Declaration, parameters: Parameters) -> NoticeTerms:
    """The terms of `declaration`'s verification result from `parameters`, on its date and in
    its employer's region."""
    assert declaration.notified_on is not None
    on, region = declaration.notified_on, str(declaration.employer.place_id)
    rate = parameters.value(LATE_RATE, on=on, region=region)
    capped = parameters.value(LATE_CAPPED, on=on, region=region)
    review = parameters.value(REVIEW_DAYS, on=on, region=region)
    return NoticeTerms(
        surcharge="" if rate is None else f"{(rate.decimal * 1000).normalize():f}‰",
        surcharge_capped=capped is not None and capped.value is True,
        review_days=None if review is None else int(review.decimal),
    )


@transaction.atomic
def mark_notified(
    *, declaration: Declaration, notified_on: datetime.date, acting_user: User
) -> Declaration:
    """Record that the verification result of a verified declaration was issued on
    `notified_on`."""
    require(acting_user, Perm.MANAGE_LEVY)
    locked = (
        Declaration.objects.select_for_update()
        .select_related("employer", "employer__place")
        .get(pk=declaration.pk)
    )
    require_in_scope(acting_user, locked.employer)
    errors: Errors = {}
    if locked.status == DeclarationStatus.DRAFT:
        add(errors, "status", _("Verify the declaration before issuing the verification result."))
    elif locked.status == DeclarationStatus.NOTIFIED:
        assert locked.notified_on is not None
        add(
            errors,
            "status",
            _("The verification result was already issued on %(date)s.")
            % {"date": day(locked.notified_on)},
        )
    if notified_on > timezone.localdate():
        add(errors, "notified_on", _("The date is in the future."))
    elif locked.computed_at and notified_on < timezone.localdate(locked.computed_at):
        add(errors, "notified_on", _("The date is before the declaration was verified."))
    fail(errors)
    locked.status = DeclarationStatus.NOTIFIED
    locked.notified_on = notified_on
    locked.notified_by = acting_user
    locked.save(update_fields=["status", "notified_on", "notified_by", "updated_at"])
    audit.record(
        acting_user=acting_user,
        action="levy.declaration.notify",
        target=locked,
        detail={"notified_on": notified_on.isoformat(), "amount": str(locked.amount)},
    )
    declaration.refresh_from_db()
    return locked
