"""Scoped reads of payroll: the rolls waiting on a user (for pages above payroll), and the
persons an adjustment of a roll may pay (chosen with the person picker, in scope)."""

from __future__ import annotations

import datetime
import functools
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from canlian.accounts import reveal as gate
from canlian.accounts.roles import Perm
from canlian.benefits.models import Enrolment
from canlian.lib import money, todo
from canlian.lib.sealed import Kind
from canlian.payroll.models import Roll, RollStatus
from canlian.people.models import Person, PersonQuerySet
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


def county_names() -> dict[str, str]:
    """Each county's name by its six-digit code (a roll's county)."""
    return {
        code[:6]: name
        for code, name in Place.objects.filter(level=Level.COUNTY).values_list("code", "name")
    }


def todo_groups(
    user: Actor, today: datetime.date, limit: int = todo.FIRST_ITEMS
) -> list[todo.Group]:
    """The rolls waiting on `user` for the home page, in their county: drafts to review and
    approve, for whoever approves rolls, except those they prepared themselves (four eyes:
    another officer approves those); for whoever prepares them, approved rolls with no bank
    file yet (when they may write one) and exported rolls whose bank result is not read."""
    prefix = user.scope_prefix
    if not prefix or len(prefix) > 6:
        return []  # a roll is a county's: only a county or wider office handles it
    rolls = Roll.objects.visible_to(user).filter(county__startswith=prefix[:6])
    rolls = rolls.order_by("month", "county", "programme", "id")
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

    wanted: list[tuple[str, str, QuerySet[Roll]]] = []
    if user.can(Perm.APPROVE_PAYROLL):
        drafts = rolls.filter(status=RollStatus.DRAFT).exclude(prepared_by_id=user.pk)
        title = _("Payment rolls awaiting your review and approval")
        wanted.append(("payroll_to_approve", str(title), drafts))
    if user.can(Perm.PREPARE_PAYROLL) and user.can(Perm.VIEW_SUBSIDY):
        approved = rolls.filter(status=RollStatus.APPROVED)
        if gate.may_reveal(user, Kind.BANK_ACCOUNT, gate.Purpose.BANK_FILE):
            unexported = approved.filter(exports__isnull=True)
            title = _("Approved rolls awaiting their bank payment file")
            wanted.append(("payroll_to_export", str(title), unexported))
        unreconciled = approved.filter(exports__isnull=False, reconciliations__isnull=True)
        title = _("Exported rolls awaiting the bank's result")
        wanted.append(("payroll_to_reconcile", str(title), unreconciled.distinct()))
    return [
        todo.group(
            key, title, qs, list_url=reverse("payroll:list"), today=today, item=item, limit=limit
        )
        for key, title, qs in wanted
    ]


# ---------------------------------------------------------------------------------------------
# The persons an adjustment may pay


def payable(roll: Roll) -> PersonQuerySet:
    """The persons an adjustment of `roll` may pay: those enrolled in its programme in its
    county. The person picker (people.picker) narrows them to the user's jurisdiction."""
    enrolled = Enrolment.objects.filter(
        programme=roll.programme, region__startswith=roll.county
    ).values("person_id")
    return Person.objects.filter(pk__in=enrolled)
