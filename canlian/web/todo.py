"""The home page's to-do list: what waits on the signed-in user or their office, put together
from each app's selectors (the apps know their steps, deadlines and scopes; this page only
orders them). Every group is a bounded number of queries: a count and its first items."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from canlian.accounts.roles import Perm
from canlian.benefits import selectors as benefits
from canlian.certificates import selectors as certificates
from canlian.levy import selectors as levy
from canlian.lib import todo
from canlian.payroll import selectors as payroll

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User


# Whoever takes steps of a workflow lands on the to-do list, and the menu offers it to them.
WORK_PERMS = (
    Perm.PROCESS_CERTIFICATE,
    Perm.DECIDE_OBJECTION,
    Perm.APPLY_SUBSIDY,
    Perm.CHECK_SUBSIDY,
    Perm.REVIEW_SUBSIDY,
    Perm.APPROVE_SUBSIDY,
    Perm.MANAGE_LEVY,
    Perm.APPROVE_PAYROLL,
    Perm.PREPARE_PAYROLL,
)


def has_work(user: Actor) -> bool:
    """Whether `user` takes steps of a workflow: the home page is their to-do list."""
    return any(user.can(perm) for perm in WORK_PERMS)


def groups(user: User, today: datetime.date) -> list[todo.Group]:
    """Every group of work waiting on `user`: rolls first for finance, then subsidies,
    certificates and objections, declarations; empty groups left out."""
    found = [
        *payroll.todo_groups(user, today),
        *benefits.todo_groups(user, today),
        *certificates.todo_groups(user, today),
        *levy.todo_groups(user, today),
    ]
    return [group for group in found if group.total]
