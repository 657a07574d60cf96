"""Publicity and county review: the conclusion is posted in the village or community for 5
working days, then the county federation reviews it within 10 working days and issues the
certificate or rejects the application.

A minor's conclusion is in principle not posted (办法 第九条; the switch
``certificates.publicity.skip_minors``): an applicant under 18 on the conclusion's date goes
straight to the county review, due 10 working days from the conclusion. The clerk may post a
minor's conclusion all the same, with the reason, which the log keeps."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.certificates import dated
from canlian.certificates.models import Application, Status
from canlian.certificates.services.common import day_text, decide, record, take
from canlian.certificates.services.deadlines import (
    PUBLICITY_WORKING_DAYS,
    REVIEW_WORKING_DAYS,
    conclude,
    merge_estimated,
    objection_deadline,
)
from canlian.certificates.services.holders import cancel_after_assessment, holder_gone
from canlian.certificates.services.registry import issue_certificate
from canlian.lib import rules, workdays
from canlian.lib.rules import Problem, not_future
from canlian.people import services as people
from canlian.people.models import ADULT_AGE

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User


def is_minor(app: Application, on: datetime.date) -> bool:
    """The applicant is under 18 on `on` (the conclusion's date)."""
    return people.age_on(app.birth_date, on) < ADULT_AGE


def not_posted(app: Application, on: datetime.date) -> bool:
    """The conclusion made on `on` is not posted: a minor, where the switch is on."""
    return is_minor(app, on) and dated.skips_minors(on=on, region=app.region_prefix)


def await_publicity_or_review(app: Application, on: datetime.date) -> None:
    """An application with a grade concluded on `on`: to be posted (ASSESSED) or, for a minor
    not posted, awaiting the county review, due 10 working days from the conclusion, with
    the time for an objection running from the conclusion. The caller saves `app`."""
    app.publicity_starts_on = app.publicity_ends_on = app.review_due = None
    app.publicity_location = app.posting_reason = ""
    if not not_posted(app, on):
        app.status = Status.ASSESSED
        return
    app.status = Status.AWAITING_REVIEW
    conclude(app, on)
    review = workdays.add_working_days(review_from(app), REVIEW_WORKING_DAYS)
    app.review_due = review.day
    merge_estimated(app, [review])


def review_from(app: Application) -> datetime.date:
    """The day a minor's unposted review counts from: the conclusion, or for a conclusion
    of no grade (which cancels the certificate) the end of the time for an objection."""
    assert app.concluded_on is not None and app.objection_due is not None
    return app.concluded_on if app.grade is not None else app.objection_due


@transaction.atomic
def start_publicity(
    *,
    application: Application,
    starts_on: datetime.date,
    location: str,
    acting_user: Actor,
    reason: str = "",
) -> Application:
    """Post the conclusion in the village or community for 5 working days. A minor's
    conclusion, not posted in principle, is posted only with the `reason` why."""
    app = take(application, acting_user)
    minor = app.status == Status.AWAITING_REVIEW
    if app.status != Status.ASSESSED and not minor:
        raise ValidationError({"status": [_("Only an assessed application can be published.")]})
    problems = _publicity_problems(app, starts_on, location)
    rules.enforce(rules.errors_of(problems, _posting_problems(minor, reason)))
    ends = workdays.working_days_from(starts_on, PUBLICITY_WORKING_DAYS)
    review = workdays.add_working_days(ends.day, REVIEW_WORKING_DAYS)
    app.publicity_starts_on = starts_on
    app.publicity_ends_on = ends.day
    app.review_due = review.day
    app.publicity_location = location.strip()[:100]
    app.status = Status.PUBLICITY
    app.posting_reason = reason.strip()[:200] if minor else ""
    merge_estimated(app, [ends, review])
    conclude(app, starts_on)
    app.save()
    record(
        app,
        acting_user,
        "publicity.minor" if minor else "publicity",
        starts_on=starts_on,
        ends_on=ends.day,
        review_due=review.day,
        estimated_years=list(app.estimated_years),
        **({"reason": app.posting_reason} if minor else {}),
    )
    return app


def _posting_problems(minor: bool, reason: str) -> Iterator[Problem]:
    if minor and not reason.strip():
        yield (
            "reason",
            _("A minor's conclusion is in principle not posted: enter why it is posted."),
        )


def _publicity_problems(
    app: Application, starts_on: datetime.date, location: str
) -> Iterator[Problem]:
    last = app.assessments.exclude(assessed_on__isnull=True).order_by("-id").first()
    if last is not None and last.assessed_on and starts_on < last.assessed_on:
        yield "starts_on", _("The publicity cannot start before the assessment.")
    if starts_on > timezone.localdate():
        # Posted ahead, the page would say "in publicity" before the notice is up.
        yield "starts_on", _("The publicity cannot start after today: record it once posted.")
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
    """The county federation's review after publicity (or, for a minor not posted, after the
    conclusion): approve (and issue) or reject. A holder's conclusion of no grade is
    confirmed, once the time for an objection has run, by cancelling the certificate."""
    app = take(application, acting_user)
    if app.status == Status.AWAITING_REVIEW and app.concluded_on is not None:
        too_early = _("The date is before the conclusion.")
        problems = _review_problems(app.concluded_on, too_early, on, approve, reason)
    elif app.status == Status.PUBLICITY and app.publicity_ends_on is not None:
        ends = app.publicity_ends_on
        too_early = _("The publicity runs until %(date)s: the review and issue come after it.") % {
            "date": day_text(ends)
        }
        after = ends + datetime.timedelta(days=1)
        problems = _review_problems(after, too_early, on, approve, reason)
    else:
        raise ValidationError({"status": [_("Only an application in publicity can be reviewed.")]})
    cancels = app.grade is None
    rules.enforce(
        rules.errors_of(
            problems,
            holder_gone(app.person),
            _objection_time_problems(app, on) if cancels and approve else (),
        )
    )
    if not approve:
        decide(app, Status.REJECTED, on, reason, acting_user)
        record(app, acting_user, "reject", on=on, reason=reason.strip())
        return app
    if cancels:
        return _confirm_cancellation(app, on, reason, acting_user)
    certificate = issue_certificate(app, on, acting_user)
    decide(app, Status.ISSUED, on, reason, acting_user)
    record(app, acting_user, "issue", on=on, certificate=certificate.pk, grade=certificate.grade)
    return app


def _objection_time_problems(app: Application, on: datetime.date) -> Iterator[Problem]:
    """A conclusion that cancels the certificate is confirmed only once no objection to it
    can come any more: the benefits that hang on the certificate run until then."""
    _level, last = objection_deadline(app)
    if last is not None and on <= last:
        yield (
            "on",
            _(
                "The conclusion cancels the certificate: it is confirmed only after the time "
                "for an objection, which runs until %(date)s."
            )
            % {"date": day_text(last)},
        )


def _confirm_cancellation(
    app: Application, on: datetime.date, reason: str, acting_user: User
) -> Application:
    """The county confirms that the holder no longer meets the standard: the certificate is
    cancelled on `on`, with the year's lock from that day (第二十四条)."""
    cancelled = cancel_after_assessment(app, app.category, on, acting_user)
    app.cancelled_certificate = cancelled
    decide(
        app,
        Status.NOT_QUALIFIED,
        on,
        reason or _("The assessment found no disability grade."),
        acting_user,
    )
    record(
        app, acting_user, "review.cancel", on=on,
        certificate=cancelled.pk if cancelled else None, reason=reason.strip(),
    )  # fmt: skip
    return app


def _review_problems(
    earliest: datetime.date, too_early: str, on: datetime.date, approve: bool, reason: str
) -> Iterator[Problem]:
    """A review on `on`: not before `earliest` (`too_early` says why), not in the future, and
    a rejection with its reason."""
    if on < earliest:
        yield "on", too_early
    yield from not_future(on, "on")
    if not approve and not reason.strip():
        yield "reason", _("Enter the reason for the rejection.")
