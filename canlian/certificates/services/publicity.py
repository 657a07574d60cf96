"""Publicity and county review: the conclusion is posted in the village or community for 5
working days, then the county federation reviews it within 10 working days and issues the
certificate or rejects the application."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.certificates import rules
from canlian.certificates.models import Application, Status
from canlian.certificates.rules import Problem, not_future
from canlian.certificates.services.common import day_text, decide, record, take
from canlian.certificates.services.deadlines import (
    PUBLICITY_WORKING_DAYS,
    REVIEW_WORKING_DAYS,
    conclude,
    merge_estimated,
)
from canlian.certificates.services.registry import issue_certificate
from canlian.lib import workdays

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User


@transaction.atomic
def start_publicity(
    *, application: Application, starts_on: datetime.date, location: str, acting_user: Actor
) -> Application:
    """Post the conclusion in the village or community for 5 working days."""
    app = take(application, acting_user)
    if app.status != Status.ASSESSED:
        raise ValidationError({"status": [_("Only an assessed application can be published.")]})
    rules.enforce(rules.errors_of(_publicity_problems(app, starts_on, location)))
    ends = workdays.working_days_from(starts_on, PUBLICITY_WORKING_DAYS)
    review = workdays.add_working_days(ends.day, REVIEW_WORKING_DAYS)
    app.publicity_starts_on = starts_on
    app.publicity_ends_on = ends.day
    app.review_due = review.day
    app.publicity_location = location.strip()[:100]
    app.status = Status.PUBLICITY
    merge_estimated(app, [ends, review])
    conclude(app, starts_on)
    app.save()
    record(
        app,
        acting_user,
        "publicity",
        starts_on=starts_on,
        ends_on=ends.day,
        review_due=review.day,
        estimated_years=list(app.estimated_years),
    )
    return app


def _publicity_problems(
    app: Application, starts_on: datetime.date, location: str
) -> Iterator[Problem]:
    last = app.assessments.exclude(assessed_on__isnull=True).order_by("-id").first()
    if last is not None and last.assessed_on and starts_on < last.assessed_on:
        yield "starts_on", _("The publicity cannot start before the assessment.")
    if not location.strip():
        yield "location", _("Enter where the notice is posted.")


@transaction.atomic
def review(
    *,
    application: Application,
    approve: bool,
    on: datetime.date,
    reason: str,
    acting_user: User,
) -> Application:
    """The county federation's review after publicity: approve (and issue) or reject."""
    app = take(application, acting_user)
    if app.status != Status.PUBLICITY or app.publicity_ends_on is None:
        raise ValidationError({"status": [_("Only an application in publicity can be reviewed.")]})
    ends = app.publicity_ends_on
    rules.enforce(rules.errors_of(_review_problems(ends, on, approve, reason)))
    if not approve:
        decide(app, Status.REJECTED, on, reason, acting_user)
        record(app, acting_user, "reject", on=on, reason=reason.strip())
        return app
    certificate = issue_certificate(app, on, acting_user)
    decide(app, Status.ISSUED, on, reason, acting_user)
    record(app, acting_user, "issue", on=on, certificate=certificate.pk, grade=certificate.grade)
    return app


def _review_problems(
    publicity_ends_on: datetime.date, on: datetime.date, approve: bool, reason: str
) -> Iterator[Problem]:
    if on <= publicity_ends_on:
        yield (
            "on",
            _("The publicity runs until %(date)s: the review and issue come after it.")
            % {"date": day_text(publicity_ends_on)},
        )
    yield from not_future(on, "on")
    if not approve and not reason.strip():
        yield "reason", _("Enter the reason for the rejection.")
