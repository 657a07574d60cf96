"""The shape of a to-do list on the home page: each app's selectors give their groups of work
waiting on a user (a count, the number overdue, the first few items, a link to the full list);
the home page puts them together."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count, QuerySet

from canlian.lib.steps import mark_overdue, overdue_filter

# Items shown in each group; the rest are behind the group's link to its full list.
FIRST_ITEMS = 5


@dataclasses.dataclass(frozen=True)
class Item:
    """One piece of work: what it is, where to do it, by when (None: no time limit), and
    whether that day was counted over a year without an official holiday schedule."""

    label: str
    url: str
    detail: str = ""
    due: datetime.date | None = None
    overdue: bool = False
    estimated: bool = False


@dataclasses.dataclass(frozen=True)
class Group:
    """A kind of work waiting on the user: how many, how many overdue, the first items;
    `timed` False when no rule sets its rows a last day (the page says so)."""

    key: str
    title: str
    total: int
    overdue: int
    items: list[Item]
    list_url: str
    timed: bool = True


def group(
    key: str,
    title: str,
    qs: QuerySet[Any],
    *,
    list_url: str,
    today: datetime.date,
    item: Callable[[Any], tuple[str, str, str]],
    due: str | Callable[[Any], datetime.date | None] | None = None,
    overdue: Callable[[QuerySet[Any]], int] | None = None,
    estimated: Callable[[Any, datetime.date], bool] | None = None,
    limit: int = FIRST_ITEMS,
) -> Group:
    """A group from `qs` (ordered, oldest deadline first): its count and, when the rows have a
    last day, the number past it; its first `limit` rows, each made an item by `item(row)` →
    (label, url, detail). A row is overdue from the day after its last day (lib.steps).

    `due` is the rows' last day: a date field (counted in the same query as the total), or a
    function of a row, with `overdue` counting the rows of `qs` past their last day.
    `estimated(row, day)`: whether a row's last day was counted over a year without an
    official holiday schedule (the pages mark it so)."""
    counted: dict[str, Any] = {"total": Count("pk")}
    if isinstance(due, str):
        counted["overdue"] = Count("pk", filter=overdue_filter(due, today))
    counts = qs.order_by().aggregate(**counted)
    if overdue is not None and counts["total"]:
        counts["overdue"] = overdue(qs)
    items = []
    for row in qs[:limit]:
        label, url, detail = item(row)
        day = due(row) if callable(due) else getattr(row, due) if due else None
        items.append(
            Item(
                label=label,
                url=url,
                detail=detail,
                due=day,
                overdue=mark_overdue(day, today),
                estimated=bool(day and estimated and estimated(row, day)),
            )
        )
    return Group(
        key=key,
        title=title,
        total=counts["total"],
        overdue=counts.get("overdue") or 0,
        items=items,
        list_url=list_url,
        timed=due is not None,
    )
