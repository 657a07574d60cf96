"""The home page's to-do list: what waits on the signed-in user or their office, put together
from each app's selectors (the apps know their steps, deadlines and scopes; this page only
orders them). Every group is a bounded number of queries: a count and its first items."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from canlian.benefits import selectors as benefits
from canlian.certificates import selectors as certificates
from canlian.levy import selectors as levy
from canlian.lib import todo
from canlian.payroll import selectors as payroll
from canlian.web.context import WORK_PERMS

if TYPE_CHECKING:
    from canlian.accounts.models import User


def has_work(user: User) -> bool:
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
