"""The shape of a step indicator: a workflow's steps in order, each with its state and, where the
rules set a time limit, its last day. Each workflow's app gives its own steps (a small function
per workflow); the pages show them with the template ``_steps.html``: an ordered list with the
state written out for each step (not colour alone) and ``aria-current="step"`` on the current
one."""

from __future__ import annotations

import dataclasses
import datetime
import enum

from django.db.models import Q
from django.utils.translation import pgettext_lazy

__all__ = ["State", "Step", "mark_overdue", "overdue_filter"]


class State(enum.StrEnum):
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return str(_LABELS[self])


_LABELS = {
    State.DONE: pgettext_lazy("step state", "Done"),
    State.CURRENT: pgettext_lazy("step state", "Current step"),
    State.UPCOMING: pgettext_lazy("step state", "Not started"),
    State.SKIPPED: pgettext_lazy("step state", "Not applicable"),
}


@dataclasses.dataclass(frozen=True)
class Step:
    """One step: its name, its state, its last day (None: no time limit known) and whether
    that day has passed with the step still not done; for a step done, the day it was done
    where the workflow knows it."""

    label: str
    state: State
    due: datetime.date | None = None
    overdue: bool = False
    # The last day was counted over a year without an official holiday schedule.
    estimated: bool = False
    on: datetime.date | None = None

    @property
    def is_current(self) -> bool:
        return self.state == State.CURRENT

    @property
    def state_label(self) -> str:
        return self.state.label


def mark_overdue(due: datetime.date | None, today: datetime.date) -> bool:
    """Overdue from the day after the last day, not on it."""
    return due is not None and today > due


def overdue_filter(field: str, today: datetime.date) -> Q:
    """`mark_overdue` in a query: the rows whose last day (the date `field`) has passed."""
    return Q(**{f"{field}__lt": today})
