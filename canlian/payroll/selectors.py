"""Scoped reads of the payment rolls for pages above payroll: the rolls waiting on a user."""

from __future__ import annotations

import datetime
import functools
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from canlian.accounts.roles import Perm
from canlian.lib import money, todo
from canlian.payroll.forms import county_names
from canlian.payroll.models import Roll, RollStatus

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


def todo_groups(
    user: Actor, today: datetime.date, limit: int = todo.FIRST_ITEMS
) -> list[todo.Group]:
    """The rolls waiting on `user` for the home page: drafts to review and approve, for whoever
    approves rolls, in their jurisdiction, except those they prepared themselves (four eyes:
    another officer approves those)."""
    prefix = user.scope_prefix
    if not user.can(Perm.APPROVE_PAYROLL) or not prefix:
        return []
    qs = (
        Roll.objects.visible_to(user)
        .filter(status=RollStatus.DRAFT, county__startswith=prefix[:6])
        .exclude(prepared_by_id=user.pk)
        .order_by("month", "county", "programme", "id")
    )
    if len(prefix) > 6:
        qs = qs.none()  # a roll is a county's: only a county or wider office approves it
    names = functools.cache(county_names)  # looked up once, when there is a roll to show

    def item(roll: Roll) -> tuple[str, str, str]:
        county = names().get(roll.county, "")
        label = " ".join(
            w for w in (county, roll.get_programme_display(), f"{roll.month:%Y-%m}") if w
        )
        detail = _("%(lines)s lines, %(total)s yuan") % {
            "lines": roll.line_count,
            "total": money.figures(roll.total),
        }
        return label, reverse("payroll:roll", args=[roll.pk]), detail

    return [
        todo.group(
            "payroll_to_approve",
            str(_("Payment rolls awaiting your review and approval")),
            qs,
            list_url=reverse("payroll:list"),
            today=today,
            item=item,
            limit=limit,
        )
    ]
