"""The steps of a certificate application for the step indicator: 受理 → 预约评定 → 评定 → 公示
→ 县级残联审核 → 发证, with an objection as a step of its own while one is being considered.

A minor's conclusion that is not posted (办法 第九条) skips the publicity; an application that
needs no assessment (a replacement, a renewal without one) skips the assessment, its booking,
the publicity and the review. The state follows the calendar as the status label does: once a
publicity's last day has passed, the publicity is done and the county review is the current
step. The review and an objection's decision have a last day (services.deadlines), and a
booked assessment its booked day (the worklist's last day of that step, selectors.STEP_DUES);
each is overdue from the day after it. A step done carries the day it was done, where the
application keeps it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils.translation import pgettext_lazy

from canlian.certificates.models import Application, Assessment, Level, Status
from canlian.lib.steps import State, Step, mark_overdue

__all__ = ["application_steps"]

ACCEPT, BOOK, ASSESS, PUBLICITY, OBJECTION, REVIEW, ISSUE = (
    "accept",
    "book",
    "assess",
    "publicity",
    "objection",
    "review",
    "issue",
)
LABELS = {
    ACCEPT: pgettext_lazy("step", "Accepted"),
    BOOK: pgettext_lazy("step", "Assessment booked"),
    ASSESS: pgettext_lazy("step", "Assessment"),
    PUBLICITY: pgettext_lazy("step", "Publicity"),
    OBJECTION: pgettext_lazy("step", "Objection"),
    REVIEW: pgettext_lazy("step", "County review"),
    ISSUE: pgettext_lazy("step", "Certificate issued"),
}
# The step each open status awaits.
AWAITED = {
    Status.SUBMITTED: BOOK,
    Status.BOOKED: ASSESS,
    Status.ASSESSED: PUBLICITY,
    Status.PUBLICITY: PUBLICITY,
    Status.AWAITING_REVIEW: REVIEW,
    Status.OBJECTION: OBJECTION,
}
DONE_STATUSES = (Status.ISSUED, Status.COMPLETED)


def _skipped(app: Application) -> set[str]:
    if not app.needs_assessment:
        return {BOOK, ASSESS, PUBLICITY, REVIEW}
    not_posted = (
        app.publicity_starts_on is None
        and app.concluded_on is not None
        and app.status not in (Status.SUBMITTED, Status.BOOKED, Status.ASSESSED)
    )
    return {PUBLICITY} if not_posted else set()


def _done_when_closed(app: Application, assessments: list[Assessment]) -> set[str]:
    """The steps an application that ended without a certificate went through."""
    done = {ACCEPT}
    if any(a.booked_for or a.assessed_on for a in assessments):
        done.add(BOOK)
    if app.concluded_on is not None or any(a.assessed_on for a in assessments):
        done.add(ASSESS)
    if app.publicity_starts_on is not None:
        done.add(PUBLICITY)
    if app.status == Status.REJECTED:
        done.add(REVIEW)
    return done


def _done_on(app: Application, assessments: list[Assessment]) -> dict[str, datetime.date | None]:
    """The day each step was done, where the application keeps it (the booking's own day is
    not kept; the assessment is done on its last day of assessment, the publicity on its
    last day; review and issue on the decision's)."""
    return {
        ACCEPT: app.received_on,
        ASSESS: max((a.assessed_on for a in assessments if a.assessed_on), default=None),
        PUBLICITY: app.publicity_ends_on,
        REVIEW: app.decided_on,
        ISSUE: app.decided_on,
    }


def _booked_for(assessments: list[Assessment]) -> datetime.date | None:
    """The day the assessment is booked for: the designated institution's, as the worklist
    reads it (the first by id)."""
    initial = [a for a in assessments if a.level == Level.INITIAL]
    return min(initial, key=lambda a: a.pk).booked_for if initial else None


def application_steps(
    app: Application, today: datetime.date, assessments: Iterable[Assessment] | None = None
) -> list[Step]:
    """The steps of `app` on `today`, in order, with their states and last days.
    `assessments`: its assessments, where the caller has them already."""
    open_objection = next((o for o in app.objections.all() if o.decided_on is None), None)
    assessed = list(app.assessments.all() if assessments is None else assessments)
    order = [ACCEPT, BOOK, ASSESS, PUBLICITY, REVIEW, ISSUE]
    if app.status == Status.OBJECTION or open_objection is not None:
        # An objection to a certificate already issued comes after it; otherwise the county
        # reviews once the objection is decided.
        after_issue = open_objection is not None and open_objection.previous_status in (
            DONE_STATUSES
        )
        order.insert(len(order) if after_issue else order.index(REVIEW), OBJECTION)
    skipped = _skipped(app)
    current: str | None = AWAITED.get(Status(app.status))
    if current == PUBLICITY and app.publicity_over_on(today):
        current = REVIEW
    if current == BOOK and not app.needs_assessment:
        current = ISSUE
    done: set[str]
    if current is not None:
        done = set(order[: order.index(current)])
    elif app.status in DONE_STATUSES:
        done = set(order)
    else:
        done = _done_when_closed(app, assessed)
        skipped |= set(order) - done
    dues: dict[str, datetime.date | None] = {
        ASSESS: _booked_for(assessed),
        PUBLICITY: app.publicity_ends_on,
        REVIEW: app.review_due,
        OBJECTION: open_objection.decision_due if open_objection else None,
    }
    done_on = _done_on(app, assessed)
    steps = []
    for key in order:
        if key in skipped:
            state = State.SKIPPED
        elif key == current:
            state = State.CURRENT
        elif key in done:
            state = State.DONE
        else:
            state = State.UPCOMING
        due = dues.get(key) if state in (State.CURRENT, State.UPCOMING) else None
        # The end of a publicity is a date, not a time limit on anyone.
        overdue = key != PUBLICITY and state == State.CURRENT and mark_overdue(due, today)
        # A booked day is chosen, not counted over working days: never an estimate.
        estimated = due is not None and key != ASSESS and due.year in (app.estimated_years or [])
        on = done_on.get(key) if state == State.DONE else None
        steps.append(Step(str(LABELS[key]), state, due, overdue, estimated, on))
    return steps
