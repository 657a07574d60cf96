"""Assessment at a designated institution: booking it, and recording its conclusion with the
grade derived from the measures beside the assessor's (grading.py, GB/T 26341-2010).

A multiple disability is graded part by part, each under its own category; the most severe
part's grade applies. A grade of None means the applicant does not meet the standard, which
closes the application and opens the time for an objection. Speech disability is not graded
under 3 years of age (GB/T 26341-2010): such an assessment is refused, not concluded.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.certificates import grading
from canlian.certificates.models import Application, Assessment, Institution, Level, Status
from canlian.certificates.services.common import record, take
from canlian.certificates.services.deadlines import conclude
from canlian.certificates.services.holders import cancellable_certificate
from canlian.certificates.services.publicity import await_publicity_or_review
from canlian.lib import rules
from canlian.lib.rules import Problem, not_future
from canlian.people import services as people
from canlian.people.models import Category

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User


@transaction.atomic
def book_assessment(
    *,
    application: Application,
    institution: Institution,
    booked_for: datetime.date,
    at_home: bool,
    acting_user: Actor,
) -> Assessment:
    """Book the assessment at a designated institution, at home if the institution visits."""
    app = take(application, acting_user)
    rules.enforce(rules.errors_of(_booking_problems(app, institution, booked_for, at_home)))
    assessment = app.assessments.filter(level=Level.INITIAL).first() or Assessment(
        application=app, level=Level.INITIAL
    )
    assessment.institution = institution
    assessment.booked_for = booked_for
    assessment.at_home = at_home
    assessment.save()
    app.status = Status.BOOKED
    app.save()
    record(
        app,
        acting_user,
        "book",
        institution=institution.pk,
        booked_for=booked_for,
        at_home=at_home,
    )
    return assessment


def _booking_problems(
    app: Application, institution: Institution, booked_for: datetime.date, at_home: bool
) -> Iterator[Problem]:
    if not app.needs_assessment or app.status not in (Status.SUBMITTED, Status.BOOKED):
        yield "status", _("This application is not waiting for an assessment.")
    if not institution.active:
        yield "institution", _("This institution is no longer designated.")
    elif not app.place.code.startswith(institution.place.prefix):
        yield "institution", _("This institution is not designated for the applicant's area.")
    elif app.category != Category.MULTIPLE and not institution.assesses(app.category):
        yield (
            "institution",
            _("This institution does not assess %(category)s disability.")
            % {"category": app.get_category_display()},
        )
    if at_home and not institution.home_visits:
        yield "at_home", _("This institution does not assess at home.")
    if booked_for < app.received_on:
        yield "booked_for", _("The date is before the application was received.")


@dataclasses.dataclass
class Part:
    """One part of a multiple disability: its category, measures and the assessor's grade."""

    category: int
    measures: grading.Measures
    assessor_grade: int | None


@dataclasses.dataclass(frozen=True)
class Graded:
    """The grade that stands (the assessor's), the derivation from the measures beside it, and
    each part of a multiple disability as stored."""

    derivation: grading.Derivation
    grade: int | None
    parts: list[dict[str, Any]]


def _measures_json(measures: grading.Measures) -> dict[str, Any]:
    return {
        key: (str(value) if isinstance(value, Decimal) else value)
        for key, value in dataclasses.asdict(measures).items()
        if value is not None
    }


@transaction.atomic
def record_assessment(
    *,
    application: Application,
    assessed_on: datetime.date,
    assessor: str,
    category: int,
    measures: grading.Measures,
    assessor_grade: int | None,
    acting_user: User,
    parts: Sequence[Part] = (),
    note: str = "",
) -> Assessment:
    """Record the institution's conclusion. A grade of None means the applicant does not meet
    the standard. The grade derived from the measures is stored beside the assessor's."""
    app = take(application, acting_user)
    assessment = app.assessments.filter(level=Level.INITIAL).first()
    if app.status != Status.BOOKED or assessment is None or assessment.booked_for is None:
        raise ValidationError({"status": [_("Book the assessment before recording its result.")]})
    errors = rules.errors_of(_recording_problems(app, assessed_on, assessor))
    graded = _grade(
        category=category,
        measures=measures,
        assessor_grade=assessor_grade,
        parts=parts,
        age=people.age_on(app.birth_date, assessed_on),
        errors=errors,
    )
    rules.enforce(errors)
    assert graded is not None
    assessment.assessed_on = assessed_on
    assessment.assessor = assessor.strip()[:64]
    assessment.category = category
    assessment.measures = _measures_json(measures) if category != Category.MULTIPLE else {}
    assessment.parts = graded.parts
    assessment.derived_grade = graded.derivation.grade
    assessment.derivation = graded.derivation.reason[:300]
    assessment.assessor_grade = graded.grade
    assessment.note = note.strip()[:300]
    assessment.recorded_by = acting_user
    assessment.save()
    _conclude_assessment(app, category, graded.grade, assessed_on, acting_user)
    record(
        app,
        acting_user,
        "assess",
        assessed_on=assessed_on,
        category=category,
        assessor_grade=graded.grade,
        derived_grade=graded.derivation.grade,
        grades_differ=graded.derivation.grade != graded.grade,
    )
    return assessment


def assessment_problems(
    *,
    application: Application,
    assessed_on: datetime.date | None,
    assessor: str,
    category: int | None,
    measures: grading.Measures | None,
    assessor_grade: int | None,
    parts: Sequence[Part] = (),
) -> rules.Errors:
    """The rules' problems with an assessment as far as it was given, by field, saving
    nothing: the form lists them with its own fields' problems, so that one submit reports
    everything. The date, or the category and measures, as None: the checks that need them
    are skipped (the grade needs the age on the date); record_assessment runs them all."""
    errors: rules.Errors = {}
    if assessed_on is None:
        if not assessor.strip():
            errors["assessor"] = [_("Enter the assessor's name.")]
        return errors
    rules.errors_of(_recording_problems(application, assessed_on, assessor), errors=errors)
    if category is not None and measures is not None and application.birth_date:
        _grade(
            category=category,
            measures=measures,
            assessor_grade=assessor_grade,
            parts=parts if category == Category.MULTIPLE else (),
            age=people.age_on(application.birth_date, assessed_on),
            errors=errors,
        )
    return errors


def _recording_problems(
    app: Application, assessed_on: datetime.date, assessor: str
) -> Iterator[Problem]:
    yield from not_future(assessed_on, "assessed_on")
    if assessed_on < app.received_on:
        yield "assessed_on", _("The date is before the application was received.")
    if not assessor.strip():
        yield "assessor", _("Enter the assessor's name.")


def _conclude_assessment(
    app: Application, category: int, grade: int | None, on: datetime.date, acting_user: User
) -> None:
    """The application takes the conclusion: assessed (to be posted, or for a minor awaiting
    the county review), or, with no grade and no certificate to cancel, closed as not meeting
    the standard (which opens the time for an objection)."""
    app.category = category
    app.grade = grade
    if grade is not None or cancellable_certificate(app, category) is not None:
        # A holder's change or renewal finding no grade in the certificate's category goes
        # through the usual steps too: the county review confirms it and cancels the
        # certificate (第二十四条) once the time for an objection has run.
        await_publicity_or_review(app, on)
    else:
        app.status = Status.NOT_QUALIFIED
        conclude(app, on)
        app.decided_on = on
        app.decided_by = acting_user
        app.decision_reason = _("The assessment found no disability grade.")
    app.save()


def _grade(
    *,
    category: int,
    measures: grading.Measures,
    assessor_grade: int | None,
    parts: Sequence[Part],
    age: int,
    errors: rules.Errors,
) -> Graded | None:
    """The grade that stands and its derivation; None, with the problems added to `errors`,
    when the category, grades or measures cannot be graded. The parts of a multiple
    disability are graded only once nothing else is wrong."""
    if category not in people.CATEGORIES:
        errors["category"] = [_("The category must be a national code from 1 to 7.")]
        return None
    if assessor_grade is not None and assessor_grade not in people.GRADES:
        errors["assessor_grade"] = [_("The grade must be from 1 to 4.")]
    refusal = grading.not_graded(category, age)
    if refusal:
        # Not a conclusion that the applicant does not meet the standard: nothing is graded.
        errors["category"] = [refusal]
        return None
    if category != Category.MULTIPLE:
        try:
            derivation = grading.derive_grade(category=category, measures=measures, age_years=age)
        except ValueError as exc:
            errors["measures"] = [str(exc)]
            return None
        return Graded(derivation, assessor_grade, [])
    rules.errors_of(_parts_problems(parts), errors=errors)
    return None if errors else _grade_parts(parts, assessor_grade, age, errors)


def _parts_problems(parts: Sequence[Part]) -> Iterator[Problem]:
    categories = [part.category for part in parts]
    if any(c not in people.CATEGORIES or c == Category.MULTIPLE for c in categories):
        yield "parts", _("Each part must be one of the categories 1 to 6.")
    elif len(parts) < 2 or len(set(categories)) != len(categories):
        yield "parts", _("A multiple disability needs at least two different categories.")


def _grade_parts(
    parts: Sequence[Part], assessor_grade: int | None, age: int, errors: rules.Errors
) -> Graded | None:
    """A multiple disability: every part graded on its own; the most severe grade applies."""
    rows: list[dict[str, Any]] = []
    derived: list[int] = []
    reasons: list[str] = []
    stated: list[int] = []
    for part in parts:
        refusal = grading.not_graded(part.category, age)
        if refusal:
            errors["parts"] = [refusal]
            return None
        try:
            d = grading.derive_grade(category=part.category, measures=part.measures, age_years=age)
        except ValueError as exc:
            errors["parts"] = [str(exc)]
            return None
        if part.assessor_grade is not None and part.assessor_grade not in people.GRADES:
            errors["parts"] = [_("The grade must be from 1 to 4.")]
            return None
        rows.append(
            {
                "category": part.category,
                "measures": _measures_json(part.measures),
                "derived_grade": d.grade,
                "assessor_grade": part.assessor_grade,
                "derivation": d.reason,
            }
        )
        derived += [d.grade] if d.grade is not None else []
        stated += [part.assessor_grade] if part.assessor_grade is not None else []
        reasons.append(d.reason)
    if len(stated) < 2:
        errors["parts"] = [_("A multiple disability needs a grade for at least two of its parts.")]
        return None
    grade = grading.multiple_grade(stated)
    if assessor_grade is not None and assessor_grade != grade:
        errors["assessor_grade"] = [
            _("A multiple disability takes the grade of its most severe part: grade %(grade)s.")
            % {"grade": grade}
        ]
    derivation = grading.Derivation(
        grading.multiple_grade(derived) if derived else None,
        len(derived) == len(parts),
        "；".join(reasons),
    )
    return Graded(derivation, grade, rows)
