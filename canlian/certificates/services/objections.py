"""Objections to an assessment's conclusion (办法 第二十五条): to the city federation within 10
working days of the conclusion (or of the day it was made known), then to the province expert
committee within its own time of the city's decision; the province's decision is final.

The time runs whatever became of the application: issuing the certificate does not end it. An
objection is received on a day inside the time and may be recorded a few working days after it
(``certificates.objection.recording_grace_working_days``). A changed conclusion goes through
the usual steps, before issue or after: published again (a minor's not) and reviewed by the
county, which issues the changed certificate or, for a finding that a holder no longer meets
the standard, cancels the certificate once no objection can come any more (第二十四条).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.certificates import dated
from canlian.certificates.models import (
    OPEN_STATUSES,
    Application,
    Assessment,
    Level,
    Objection,
    ObjectionOutcome,
    Status,
)
from canlian.certificates.services.common import (
    day_text,
    locked,
    record,
    require_in_scope,
    take,
)
from canlian.certificates.services.deadlines import (
    merge_estimated,
    objection_deadline,
    objection_decision_days,
)
from canlian.certificates.services.holders import (
    cancellable_certificate,
    restore_certificate,
)
from canlian.certificates.services.publicity import await_publicity_or_review
from canlian.certificates.services.registry import current_certificate
from canlian.lib import rules, workdays
from canlian.lib.rules import Problem, not_future
from canlian.people import services as people
from canlian.people.models import LifeStatus, Person

if TYPE_CHECKING:
    from canlian.accounts.models import User

# Every state that follows a conclusion, the issued certificate included. Not while an
# objection is open (one at a time), nor once the applicant withdrew the application.
OBJECTABLE = frozenset(
    {
        Status.ASSESSED,
        Status.PUBLICITY,
        Status.AWAITING_REVIEW,
        Status.NOT_QUALIFIED,
        Status.REJECTED,
        Status.ISSUED,
    }
)


@transaction.atomic
def file_objection(
    *,
    application: Application,
    filed_on: datetime.date,
    grounds: str,
    acting_user: User,
    recorded_on: datetime.date | None = None,
) -> Objection:
    """An objection to the conclusion, received on `filed_on` and recorded on `recorded_on`
    (today unless given): to the city federation within 10 working days of the conclusion,
    then to the province expert committee within its time of the city's decision."""
    app = take(application, acting_user)
    recorded = recorded_on or timezone.localdate()
    rules.enforce(rules.errors_of(_state_problems(app), _other_application(app)))
    level, deadline = objection_deadline(app)
    if deadline is None:
        raise ValidationError(
            {
                "status": [
                    _("The province expert committee's decision is final.")
                    if level == Level.PROVINCE and app.objections.filter(level=level).exists()
                    else _("The city federation has not yet decided the first objection.")
                ]
            }
        )
    assert app.concluded_on is not None
    grace = dated.count(dated.OBJECTION_GRACE_DAYS, on=deadline, region=app.region_prefix)
    last_recording = workdays.add_working_days(deadline, grace).day
    problems = _filing_problems(app.concluded_on, deadline, filed_on, grounds)
    late = _recording_problems(filed_on, recorded, last_recording, grace)
    rules.enforce(rules.errors_of(problems, late))
    due = workdays.add_working_days(filed_on, objection_decision_days())
    objection = Objection.objects.create(
        application=app,
        level=level,
        filed_on=filed_on,
        recorded_on=recorded,
        grounds=grounds.strip()[:300],
        decision_due=due.day,
        previous_status=app.status,
        filed_by=acting_user,
    )
    app.status = Status.OBJECTION
    merge_estimated(app, [due])
    app.save()
    record(
        app, acting_user, "objection", level=level, filed_on=filed_on, recorded_on=recorded,
        due=due.day, previous_status=objection.previous_status,
    )  # fmt: skip
    return objection


def _state_problems(app: Application) -> Iterator[Problem]:
    if app.status == Status.OBJECTION:
        yield "status", _("An objection is already under consideration.")
    elif app.status == Status.WITHDRAWN:
        yield "status", _("The application was withdrawn.")
    elif app.status not in OBJECTABLE or app.concluded_on is None:
        yield "status", _("An objection is possible only once the conclusion is made known.")
    if app.person is not None and app.person.life_status == LifeStatus.DECEASED:
        yield "status", _("The holder has died: an objection is no longer possible.")


def _other_application(app: Application) -> Iterator[Problem]:
    """Another application of the person is open: it could change or cancel the certificate
    under the objection, which would then have nothing to act on."""
    if app.person_id is None:
        return
    other = (
        Application.objects.filter(person_id=app.person_id, status__in=OPEN_STATUSES)
        .exclude(pk=app.pk)
        .order_by("received_on", "pk")
        .first()
    )
    if other is not None:
        yield (
            "status",
            _(
                "This person's application “%(kind)s” received on %(date)s is in progress: "
                "an objection is accepted once it is closed."
            )
            % {"kind": other.get_kind_display(), "date": day_text(other.received_on)},
        )


def _filing_problems(
    concluded_on: datetime.date, deadline: datetime.date, filed_on: datetime.date, grounds: str
) -> Iterator[Problem]:
    yield from not_future(filed_on, "filed_on")
    if filed_on > deadline:
        yield (
            "filed_on",
            _("The time for an objection ended on %(date)s: it was received after it.")
            % {"date": day_text(deadline)},
        )
    if filed_on < concluded_on:
        yield "filed_on", _("The date is before the conclusion was made known.")
    if not grounds.strip():
        yield "grounds", _("Enter the grounds of the objection.")


def _recording_problems(
    filed_on: datetime.date, recorded_on: datetime.date, last: datetime.date, grace: int
) -> Iterator[Problem]:
    if recorded_on > timezone.localdate():
        yield "filed_on", _("The objection cannot be recorded on a day still to come.")
    elif recorded_on < filed_on:
        yield "filed_on", _("The objection is recorded before the day it was received.")
    elif recorded_on > last:
        yield (
            "filed_on",
            _(
                "An objection received in time may be recorded until %(date)s (%(days)s "
                "working days after the time ended); this is too late."
            )
            % {"date": day_text(last), "days": grace},
        )


@transaction.atomic
def decide_objection(
    *,
    objection: Objection,
    decided_on: datetime.date,
    outcome: str,
    grade: int | None,
    note: str,
    acting_user: User,
) -> Objection:
    """Record the re-assessment's decision. A changed conclusion is published again; the
    province committee's decision is final."""
    require(acting_user, Perm.DECIDE_OBJECTION)
    app = locked(objection.application_id)
    require_in_scope(acting_user, app.place)
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    if obj.decided_on is not None:
        raise ValidationError({"status": [_("This objection is already decided.")]})
    if app.status != Status.OBJECTION:
        raise ValidationError({"status": [_("This application has no objection open.")]})
    # The holder's row is locked before their certificate is read (the decision may change it).
    person = None
    if app.person_id is not None:
        person = Person.objects.select_for_update().get(pk=app.person_id)
    if person is not None and person.life_status == LifeStatus.DECEASED:
        raise ValidationError(
            {"status": [_("The holder has died: the objection can no longer be decided.")]}
        )
    problems = _decision_problems(app, obj, decided_on, outcome, grade, note)
    rules.enforce(rules.errors_of(problems))
    obj.decided_on = decided_on
    obj.outcome = outcome
    obj.grade = grade if outcome == ObjectionOutcome.CHANGED else app.grade
    obj.decision_note = note.strip()[:300]
    obj.decided_by = acting_user
    obj.save()
    Assessment.objects.create(
        application=app,
        level=obj.level,
        assessed_on=decided_on,
        assessor=str(Level(obj.level).label),
        category=app.category,
        assessor_grade=obj.grade,
        note=obj.decision_note,
        recorded_by=acting_user,
    )
    _take_decision(app, obj, acting_user)
    record(
        app,
        acting_user,
        "objection.decide",
        level=obj.level,
        outcome=outcome,
        grade=obj.grade,
        decided_on=decided_on,
    )
    return obj


def _decision_problems(
    app: Application,
    objection: Objection,
    decided_on: datetime.date,
    outcome: str,
    grade: int | None,
    note: str,
) -> Iterator[Problem]:
    if outcome not in ObjectionOutcome.values:
        yield "outcome", _("Choose the outcome.")
    if grade is not None and grade not in people.GRADES:
        yield "grade", _("The grade must be from 1 to 4.")
    if outcome == ObjectionOutcome.CHANGED and grade == app.grade:
        yield "grade", _("The grade is the same as the conclusion: choose “the conclusion stands”.")
    yield from not_future(decided_on, "decided_on")
    if decided_on < objection.filed_on:
        yield "decided_on", _("The date is before the objection was filed.")
    elif (
        objection.previous_status == Status.ISSUED
        and app.decided_on is not None
        and decided_on < app.decided_on
    ):
        yield "decided_on", _("The date is before the certificate was issued.")
    if not note.strip():
        yield "note", _("Enter the reasons of the decision.")


def _take_decision(app: Application, objection: Objection, acting_user: User) -> None:
    """The application after the decision: back where it was when the conclusion stands;
    otherwise the new conclusion, which goes through the usual steps: posted (a minor's
    straight to the county review), then reviewed. After issue the certificate stays valid
    until the county issues the changed one at its review. A finding of no grade closes an
    application that has no certificate to cancel."""
    on = objection.decided_on
    assert on is not None
    if objection.outcome == ObjectionOutcome.UPHELD:
        app.status = objection.previous_status
    elif objection.grade is None and cancellable_certificate(app, app.category) is None:
        app.grade = None
        app.status = Status.NOT_QUALIFIED
        app.decided_on, app.decided_by = on, acting_user
        app.publicity_starts_on = app.publicity_ends_on = app.review_due = None
    else:
        app.grade = objection.grade
        restored = restore_certificate(app, acting_user) if objection.grade is not None else None
        held = restored or (current_certificate(app.person) if app.person else None)
        if held is not None and held.application_id == app.pk and held.grade == objection.grade:
            # The certificate this application issued is valid with the grade found.
            app.status = Status.ISSUED
        else:
            await_publicity_or_review(app, on)
    app.concluded_on = on
    app.save()
