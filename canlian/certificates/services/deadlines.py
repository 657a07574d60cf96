"""Deadlines in working days: publicity, county review, objections and their decisions, and
counting them again once a year's official holiday schedule is entered.

A deadline that falls in a year without an official schedule is counted on weekends only; the
application keeps the years so estimated, and `recount_deadlines` (connected to the holiday
calendar's signal) counts its deadlines again when the schedule arrives.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from canlian.certificates import dated
from canlian.certificates.models import OPEN_STATUSES, Application, Kind, Level, Status
from canlian.certificates.services.common import json_value, record
from canlian.lib import workdays

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

PUBLICITY_WORKING_DAYS = 5
REVIEW_WORKING_DAYS = 10


def city_objection_days(app: Application, on: datetime.date) -> int:
    """Working days for the first objection, to the city federation (办法 第二十五条), in the
    county of `app`'s household on `on` (``certificates.objection.city_working_days``)."""
    return dated.count(dated.CITY_OBJECTION_DAYS, on=on, region=app.region_prefix)


def province_objection_days(app: Application, on: datetime.date) -> int:
    """Working days for the second objection, to the province expert committee, from the
    city's decision: 第二十五条 sets none (``certificates.objection.province_working_days``)."""
    return dated.count(dated.PROVINCE_OBJECTION_DAYS, on=on, region=app.region_prefix)


def objection_decision_days() -> int:
    """Working days the city federation or province committee has to decide an objection: the
    rules set none, so this is the federation's own time limit (a setting)."""
    return int(settings.CERTIFICATE_OBJECTION_DECISION_DAYS)


def objection_deadline(app: Application) -> tuple[str, datetime.date | None]:
    """The level the next objection goes to and the last day it may be filed (None: no more)."""
    objections = {o.level: o for o in app.objections.all()}
    if Level.PROVINCE in objections:
        return Level.PROVINCE, None
    city = objections.get(Level.CITY)
    if city is None:
        return Level.CITY, app.objection_due
    if city.decided_on is None:
        return Level.PROVINCE, None
    days = province_objection_days(app, city.decided_on)
    return Level.PROVINCE, workdays.add_working_days(city.decided_on, days).day


def next_steps(app: Application) -> list[str]:
    """What happens next with an application just received, with the time limits of the rules
    in force on the day it was received in its county (the receipt's last section)."""
    if app.kind == Kind.TRANSFER:
        return [
            _(
                "The county federation checks the documents and transfers the record to "
                "the new county."
            ),
        ]
    if not app.needs_assessment:
        return [
            _("The county federation checks the documents and issues the certificate."),
        ]
    on, region = app.received_on, app.region_prefix
    if dated.skips_minors(on=on, region=region):
        posted = _(
            "The conclusion is posted in your village or community for %(days)s working days "
            "(not for minors)."
        )
    else:
        posted = _(
            "The conclusion is posted in your village or community for %(days)s working days."
        )
    steps = [
        _("A designated hospital assesses the disability; you are told when and where."),
        posted % {"days": PUBLICITY_WORKING_DAYS},
        _("The county federation reviews it within %(days)s working days after the posting.")
        % {"days": REVIEW_WORKING_DAYS},
        _("If the certificate is granted, it is issued; otherwise you are told the reason."),
    ]
    if objection_days := city_objection_days(app, on):
        steps.append(
            _(
                "If you disagree with the conclusion, you may object within %(days)s working "
                "days of being told it."
            )
            % {"days": objection_days}
        )
    return steps


def merge_estimated(application: Application, deadlines: Iterable[workdays.Deadline]) -> None:
    """Add the years of `deadlines` counted without an official schedule to `application`."""
    years = set(application.estimated_years)
    for deadline in deadlines:
        years.update(deadline.estimated_years)
    application.estimated_years = sorted(years)


def conclude(app: Application, on: datetime.date) -> None:
    """The conclusion is made known on `on`: objections run 10 working days from then (the
    county's figure on that day)."""
    app.concluded_on = on
    due = workdays.add_working_days(on, city_objection_days(app, on))
    app.objection_due = due.day
    merge_estimated(app, [due])


def _deadlines(app: Application) -> list[workdays.Deadline]:
    """Count every deadline of `app` from its stored starting dates; update the dates."""
    counted: list[workdays.Deadline] = []
    if app.publicity_starts_on is not None:
        ends = workdays.working_days_from(app.publicity_starts_on, PUBLICITY_WORKING_DAYS)
        review = workdays.add_working_days(ends.day, REVIEW_WORKING_DAYS)
        app.publicity_ends_on, app.review_due = ends.day, review.day
        counted += [ends, review]
    if app.concluded_on is not None:
        days = city_objection_days(app, app.concluded_on)
        due = workdays.add_working_days(app.concluded_on, days)
        app.objection_due = due.day
        counted.append(due)
    if app.publicity_starts_on is None and app.status == Status.AWAITING_REVIEW:
        # A minor not posted: the review counts from the conclusion (from the end of the
        # objection time for a conclusion of no grade, which cancels the certificate).
        start = app.concluded_on if app.grade is not None else app.objection_due
        assert start is not None
        review = workdays.add_working_days(start, REVIEW_WORKING_DAYS)
        app.review_due = review.day
        counted.append(review)
    for objection in app.objections.filter(decided_on__isnull=True):
        decision = workdays.add_working_days(objection.filed_on, objection_decision_days())
        if decision.day != objection.decision_due:
            objection.decision_due = decision.day
            objection.save(update_fields=["decision_due"])
        counted.append(decision)
    return counted


def recount_deadlines(*, year: int, acting_user: Actor, **_: Any) -> int:
    """Count again the deadlines of open applications that were estimated for `year` (no
    official schedule then); return how many applications changed. Each change is audited."""
    changed = 0
    candidates = Application.objects.select_for_update().filter(status__in=OPEN_STATUSES)
    for app in candidates.exclude(estimated_years=[]):
        if year not in app.estimated_years:
            continue
        before = {
            "publicity_ends_on": json_value(app.publicity_ends_on),
            "review_due": json_value(app.review_due),
            "objection_due": json_value(app.objection_due),
        }
        app.estimated_years = []
        merge_estimated(app, _deadlines(app))
        app.save()
        after = {key: json_value(getattr(app, key)) for key in before}
        record(app, acting_user, "deadlines", year=year, before=before, after=after)
        changed += 1
    return changed
