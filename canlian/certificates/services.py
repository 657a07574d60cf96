"""Every step of the certificate's lifecycle: check the rule, write, audit, in one transaction.

The rules (《中华人民共和国残疾人证管理办法》, 2017; GB/T 26341-2010): application at the county
federation of household registration; assessment at a designated institution; publicity for
5 working days; county review within 10 working days; a certificate valid 10 years whose
number is the ID number, category and grade; objections within 10 working days, first to the
city federation, then to the province expert committee, whose decision is final; no new
application within a year of a cancellation.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from canlian.accounts import reveal as gate
from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers, outside_refusal
from canlian.audit import records as audit
from canlian.certificates import grading
from canlian.certificates.models import (
    OPEN_STATUSES,
    Application,
    AppliedBy,
    Assessment,
    CancelReason,
    Certificate,
    CertificateStatus,
    Document,
    Institution,
    Issue,
    Kind,
    Level,
    Objection,
    ObjectionOutcome,
    Status,
    Tour,
)
from canlian.lib import crypto, idcard, workdays
from canlian.people import services as people
from canlian.people.models import (
    ADULT_AGE,
    GUARDIAN_CATEGORIES,
    ID_CONTEXT,
    Category,
    LifeStatus,
    Person,
)
from canlian.places.models import Level as PlaceLevel
from canlian.places.models import Place

VALID_YEARS = people.CERTIFICATE_YEARS
PUBLICITY_WORKING_DAYS = 5
REVIEW_WORKING_DAYS = 10
OBJECTION_WORKING_DAYS = 10
RENEWAL_WINDOW_DAYS = 90
LOCK_YEARS = 1

BASE_DOCUMENTS: dict[str, tuple[str, ...]] = {
    Kind.FIRST: (Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.PHOTOS),
    Kind.RENEWAL: (Document.ID_CARD, Document.PHOTOS, Document.OLD_CERTIFICATE),
    Kind.CHANGE: (Document.ID_CARD, Document.PHOTOS, Document.OLD_CERTIFICATE),
    Kind.REPLACEMENT: (Document.ID_CARD, Document.PHOTOS, Document.LOSS_STATEMENT),
    Kind.TRANSFER: (
        Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.MOVE_PROOF, Document.OLD_CERTIFICATE,
    ),
}  # fmt: skip
ASSESSED_KINDS = frozenset({Kind.FIRST, Kind.CHANGE})


def objection_decision_days() -> int:
    """Working days the city federation or province committee has to decide an objection: the
    rules set none, so this is the federation's own time limit (a setting)."""
    return int(settings.CERTIFICATE_OBJECTION_DECISION_DAYS)


def _day(value: datetime.date) -> str:
    return date_format(value, "Y-m-d")


def _fail(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _require_in_scope(user: Any, place: Place) -> None:
    if not covers(user, place.code):
        raise PermissionDenied(_("This person is outside your jurisdiction."))


def _not_future(value: datetime.date, field: str, errors: dict[str, list[str]]) -> None:
    if value > timezone.localdate():
        errors.setdefault(field, []).append(_("The date is in the future."))


def _within(app: Application, on: datetime.date, errors: dict[str, list[str]]) -> None:
    """A decision's date: not in the future, not before the application was received."""
    _not_future(on, "on", errors)
    if on < app.received_on:
        errors.setdefault("on", []).append(_("The date is before the application was received."))


def required_documents(*, kind: str, category: int, age: int) -> tuple[str, ...]:
    """The documents an application of `kind` needs: a guardian's proof for intellectual or
    mental disability and for minors."""
    needed = BASE_DOCUMENTS[kind]
    if kind == Kind.FIRST and (category in GUARDIAN_CATEGORIES or age < ADULT_AGE):
        needed = (*needed, Document.GUARDIAN_PROOF)
    return needed


def _merge_estimated(application: Application, deadlines: Iterable[workdays.Deadline]) -> None:
    years = set(application.estimated_years)
    for deadline in deadlines:
        years.update(deadline.estimated_years)
    application.estimated_years = sorted(years)


def _audit(application: Application, acting_user: Any, action: str, **detail: Any) -> None:
    audit.record(
        acting_user=acting_user,
        action=f"certificate.{action}",
        target=application,
        detail={key: _json(value) for key, value in detail.items()},
    )


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _take(application: Application, acting_user: Any) -> Application:
    """The application, locked, once `acting_user` may process it: the permission, then the
    jurisdiction of the applicant's household."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    app = _locked(application.pk)
    _require_in_scope(acting_user, app.place)
    return app


def _locked(application_id: int) -> Application:
    # Only the application's own row is locked ("of"): PostgreSQL refuses FOR UPDATE on the
    # nullable side of the outer join to the person.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("place", "person")
        .get(pk=application_id)
    )


# ---------------------------------------------------------------------------------------------
# Certificates already held


def current_certificate(person: Person) -> Certificate | None:
    """The person's valid certificate. A person registered before the workflow (by the form,
    an import or a migration) gets a row recorded from the registry's values the first time
    the workflow needs it, so that every later step has a document to act on."""
    valid = person.certificates.filter(status=CertificateStatus.VALID).first()
    if valid is not None or person.life_status != LifeStatus.ACTIVE:
        return valid
    if person.certificates.exists():
        return None
    return Certificate.objects.create(
        person=person,
        category=person.category,
        grade=person.grade,
        issued_on=person.certificate_issued_on,
        expires_on=person.certificate_expires_on,
        county_id=person.county_code + "000000",
        issue=Issue.RECORDED,
    )


def lock_ends(person: Person) -> datetime.date | None:
    """The first day a new application is accepted after a cancellation, or None."""
    last = (
        person.certificates.filter(status=CertificateStatus.CANCELLED)
        .exclude(locked_until__isnull=True)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    if last is None and person.life_status == LifeStatus.CANCELLED and person.life_status_date:
        last = people.add_years(person.life_status_date, LOCK_YEARS)
    return last


def _sync_person(person: Person, certificate: Certificate, acting_user: Any, **extra: Any) -> None:
    """Copy the valid certificate's category, grade and dates to the registry."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    before = people.snapshot(locked)
    locked.category = certificate.category
    locked.grade = certificate.grade
    locked.certificate_issued_on = certificate.issued_on
    locked.certificate_expires_on = certificate.expires_on
    for key, value in extra.items():
        setattr(locked, key, value)
    after = people.snapshot(locked)
    changes = audit.changes(before, after, people.AUDITED_FIELDS)
    if changes:
        locked.save()
        audit.record(
            acting_user=acting_user,
            action="person.update",
            target=locked,
            detail={"changes": changes, "certificate": certificate.pk},
        )
    person.refresh_from_db()


# ---------------------------------------------------------------------------------------------
# Application


@dataclasses.dataclass
class Applicant:
    """The particulars a first application gives about a person not yet certified."""

    id_number: str
    name: str
    ethnicity: str
    place_code: str
    address: str = ""
    phone: str = ""
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""


def _check_applicant(
    applicant: Applicant, acting_user: Any, today: datetime.date, errors: dict[str, list[str]]
) -> tuple[idcard.IdCheck, Place | None]:
    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    check = idcard.check(applicant.id_number, today=today)
    for message in check.errors:
        fail("id_number", message)
    name_error = people.name_problem(applicant.name)
    if name_error:
        fail("name", name_error)
    place = Place.objects.filter(code=applicant.place_code).first()
    place_error = people.place_problem(place, acting_user)
    if place_error:
        fail("place_code", place_error)
    if applicant.ethnicity not in people.ETHNICITIES:
        fail("ethnicity", _("Choose the ethnic group."))
    for field in ("phone", "guardian_phone"):
        _phone, phone_error = people.phone_problem(getattr(applicant, field))
        if phone_error:
            fail(field, phone_error)
    for field, limit in people.TEXT_LIMITS.items():
        if len(getattr(applicant, field, "") or "") > limit:
            fail(field, _("This is longer than %(limit)s characters.") % {"limit": limit})
    return check, place


@transaction.atomic
def submit_application(
    *,
    kind: str,
    acting_user: Any,
    received_on: datetime.date,
    applied_by: str,
    documents: Sequence[str],
    category: int | None = None,
    applicant: Applicant | None = None,
    person: Person | None = None,
    proxy_name: str = "",
    needs_assessment: bool = True,
    target_place_code: str = "",
    reason: str = "",
    tour: Tour | None = None,
) -> Application:
    """Accept an application at the county window once its documents are complete."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Choose the kind of application.")]})
    _not_future(received_on, "received_on", errors)
    if applied_by not in AppliedBy.values:
        errors["applied_by"] = [_("Choose who brings the application.")]
    proxy_name = proxy_name.strip()
    if applied_by == AppliedBy.PROXY and not proxy_name:
        errors["proxy_name"] = [_("Enter the proxy's name.")]
    if len(reason) > 200:
        errors["reason"] = [_("This is longer than %(limit)s characters.") % {"limit": 200}]

    application = Application(
        kind=kind,
        status=Status.SUBMITTED,
        applied_by=applied_by,
        proxy_name=proxy_name,
        received_on=received_on,
        received_by=acting_user,
        reason=reason.strip(),
        tour=tour,
        needs_assessment=kind in ASSESSED_KINDS or (kind == Kind.RENEWAL and needs_assessment),
    )
    index = ""
    if kind == Kind.FIRST:
        if applicant is None:
            raise ValidationError({"id_number": [_("Enter the applicant's particulars.")]})
        check, place = _check_applicant(applicant, acting_user, today, errors)
        if category not in people.CATEGORIES:
            errors["category"] = [_("Choose the category of disability applied for.")]
        if check.valid and check.normalized:
            index = crypto.blind_index(check.normalized, context=ID_CONTEXT)
            known = Person.objects.filter(id_number_index=index).first()
            if known is not None and not covers(acting_user, known.place_id):
                errors.setdefault("id_number", []).append(outside_refusal())
            elif known is not None:
                _check_known_person(known, received_on, errors)
            Application.SEALED["id_number"].set(application, check.normalized)
            assert check.sex is not None and check.birth_date is not None
            application.sex = str(check.sex)
            application.birth_date = check.birth_date
            application.person = known
        application.name = applicant.name.strip()
        application.ethnicity = applicant.ethnicity
        if place is not None:
            application.place = place
        for field in ("address", "guardian_name", "guardian_relation"):
            setattr(application, field, getattr(applicant, field).strip())
        for field in ("phone", "guardian_phone"):
            phone = people.phone_problem(getattr(applicant, field))[0] or ""
            Application.SEALED[field].set(application, phone)
        application.category = category or 0
    else:
        if person is None:
            raise ValidationError({"person": [_("Choose the certificate holder.")]})
        _require_in_scope(acting_user, person.place)
        if person.life_status != LifeStatus.ACTIVE:
            errors.setdefault("person", []).append(
                _("This person's certificate is no longer in force (%(status)s).")
                % {"status": person.get_life_status_display()}
            )
        current = current_certificate(person)
        if current is None and not errors:
            errors.setdefault("person", []).append(_("This person holds no valid certificate."))
        index = person.id_number_index
        application.person = person
        application.id_number_cipher = person.id_number_cipher
        application.id_number_masked = person.id_number_masked
        for field in (
            "name", "sex", "birth_date", "ethnicity", "address", "phone_cipher", "phone_masked",
            "guardian_name", "guardian_relation", "guardian_phone_cipher", "guardian_phone_masked",
        ):  # fmt: skip
            setattr(application, field, getattr(person, field))
        application.place = person.place
        application.category = person.category
        if kind == Kind.CHANGE and category is not None:
            if category not in people.CATEGORIES:
                errors["category"] = [_("Choose the category of disability applied for.")]
            else:
                application.category = category
        if current is not None:
            _check_kind_against(kind, current, received_on, errors)
        if kind == Kind.TRANSFER:
            _check_transfer_target(person, target_place_code, errors)
            application.target_place_id = target_place_code or None
    application.id_number_index = index

    if tour is not None:
        if not application.place_id or not application.place.code.startswith(tour.county.prefix):
            errors.setdefault("tour", []).append(
                _("The applicant's household is not in this tour's county.")
            )
        elif not tour.starts_on <= received_on <= tour.ends_on:
            errors.setdefault("received_on", []).append(
                _("The tour runs from %(start)s to %(end)s.")
                % {"start": _day(tour.starts_on), "end": _day(tour.ends_on)}
            )

    open_place = (
        Application.objects.filter(id_number_index=index, status__in=OPEN_STATUSES)
        .values_list("place_id", flat=True)
        .first()
        if index
        else None
    )
    if open_place is not None:
        errors.setdefault("id_number" if kind == Kind.FIRST else "person", []).append(
            _("This person already has an application in progress.")
            if covers(acting_user, str(open_place))
            else outside_refusal()
        )

    if application.category:
        # Without a valid ID number the age is unknown: the category alone decides.
        age = (
            people.age_on(application.birth_date, received_on)
            if application.birth_date
            else ADULT_AGE
        )
        needed = required_documents(kind=kind, category=application.category, age=age)
        missing = [Document(code).label for code in needed if code not in documents]
        if missing:
            errors.setdefault("documents", []).append(
                _("Documents missing: %(documents)s.") % {"documents": "、".join(map(str, missing))}
            )
        if (
            kind == Kind.FIRST
            and (application.category in GUARDIAN_CATEGORIES or age < ADULT_AGE)
            and not application.guardian_name
        ):
            errors.setdefault("guardian_name", []).append(
                _(
                    "A minor or a person with an intellectual or mental disability needs a "
                    "guardian: enter the guardian's name."
                )
            )
    unknown = sorted(set(documents) - set(Document.values))
    if unknown:
        errors.setdefault("documents", []).append(_("Unknown document in the checklist."))
    application.documents = sorted(set(documents) & set(Document.values))
    _fail(errors)
    application.save()
    _audit(
        application,
        acting_user,
        "apply",
        kind=kind,
        category=application.category,
        received_on=received_on,
        documents=application.documents,
        tour=tour.pk if tour else None,
    )
    return application


def _check_known_person(known: Person, received_on: datetime.date, errors: dict[str, Any]) -> None:
    if known.life_status == LifeStatus.ACTIVE:
        errors.setdefault("id_number", []).append(
            _(
                "This person already holds a certificate: apply for a renewal, change or "
                "replacement instead."
            )
        )
    elif known.life_status == LifeStatus.DECEASED:
        errors.setdefault("id_number", []).append(
            _("The registry records this person as deceased.")
        )
    else:
        ends = lock_ends(known)
        if ends is not None and received_on < ends:
            errors.setdefault("id_number", []).append(
                _(
                    "The certificate was cancelled: a new application is accepted from "
                    "%(date)s, one year after the cancellation."
                )
                % {"date": _day(ends)}
            )


def _check_kind_against(
    kind: str, current: Certificate, received_on: datetime.date, errors: dict[str, Any]
) -> None:
    if kind == Kind.RENEWAL:
        opens = current.expires_on - datetime.timedelta(days=RENEWAL_WINDOW_DAYS)
        if received_on < opens:
            errors.setdefault("kind", []).append(
                _(
                    "A renewal is accepted in the %(days)s days before the certificate expires "
                    "(from %(date)s)."
                )
                % {"days": RENEWAL_WINDOW_DAYS, "date": _day(opens)}
            )
    elif kind == Kind.REPLACEMENT and current.expires_on <= received_on:
        errors.setdefault("kind", []).append(
            _("The certificate has expired: apply for a renewal instead of a replacement.")
        )


def _check_transfer_target(person: Person, code: str, errors: dict[str, Any]) -> None:
    target = Place.objects.filter(code=code).first() if code else None
    if target is None or target.level < PlaceLevel.TOWNSHIP:
        errors.setdefault("target_place", []).append(
            _("Choose the township or village of the new household registration.")
        )
    elif target.code[:6] == person.county_code:
        errors.setdefault("target_place", []).append(
            _("The new household registration is in the same county: edit the address instead.")
        )


@transaction.atomic
def refuse(
    *, application: Application, on: datetime.date, reason: str, acting_user: Any
) -> Application:
    """Refuse an application before assessment (e.g. not this county's household)."""
    app = _take(application, acting_user)
    errors: dict[str, list[str]] = {}
    if app.status not in (Status.SUBMITTED, Status.BOOKED):
        errors["status"] = [_("Only an application not yet assessed can be refused.")]
    if not reason.strip():
        errors["reason"] = [_("Enter the reason for the refusal.")]
    _within(app, on, errors)
    _fail(errors)
    _decide(app, Status.REFUSED, on, reason, acting_user)
    _audit(app, acting_user, "refuse", on=on, reason=reason.strip())
    return app


@transaction.atomic
def withdraw(
    *, application: Application, on: datetime.date, reason: str, acting_user: Any
) -> Application:
    app = _take(application, acting_user)
    if app.status not in OPEN_STATUSES:
        raise ValidationError({"status": [_("This application is already closed.")]})
    errors: dict[str, list[str]] = {}
    _within(app, on, errors)
    _fail(errors)
    _decide(app, Status.WITHDRAWN, on, reason, acting_user)
    _audit(app, acting_user, "withdraw", on=on, reason=reason.strip())
    return app


def _decide(
    app: Application, status: str, on: datetime.date, reason: str, acting_user: Any
) -> None:
    app.status = status
    app.decided_on = on
    app.decided_by = acting_user
    app.decision_reason = reason.strip()[:200]
    app.save()


# ---------------------------------------------------------------------------------------------
# Assessment


@transaction.atomic
def book_assessment(
    *,
    application: Application,
    institution: Institution,
    booked_for: datetime.date,
    at_home: bool,
    acting_user: Any,
) -> Assessment:
    app = _take(application, acting_user)
    errors: dict[str, list[str]] = {}
    if not app.needs_assessment or app.status not in (Status.SUBMITTED, Status.BOOKED):
        errors["status"] = [_("This application is not waiting for an assessment.")]
    if not institution.active:
        errors["institution"] = [_("This institution is no longer designated.")]
    elif not app.place.code.startswith(institution.place.prefix):
        errors["institution"] = [_("This institution is not designated for the applicant's area.")]
    elif app.category != Category.MULTIPLE and not institution.assesses(app.category):
        errors["institution"] = [
            _("This institution does not assess %(category)s disability.")
            % {"category": app.get_category_display()}
        ]
    if at_home and not institution.home_visits:
        errors["at_home"] = [_("This institution does not assess at home.")]
    if booked_for < app.received_on:
        errors["booked_for"] = [_("The date is before the application was received.")]
    _fail(errors)
    assessment = app.assessments.filter(level=Level.INITIAL).first() or Assessment(
        application=app, level=Level.INITIAL
    )
    assessment.institution = institution
    assessment.booked_for = booked_for
    assessment.at_home = at_home
    assessment.save()
    app.status = Status.BOOKED
    app.save()
    _audit(
        app,
        acting_user,
        "book",
        institution=institution.pk,
        booked_for=booked_for,
        at_home=at_home,
    )
    return assessment


@dataclasses.dataclass
class Part:
    """One part of a multiple disability: its category, measures and the assessor's grade."""

    category: int
    measures: grading.Measures
    assessor_grade: int | None


def _measures_json(measures: grading.Measures) -> dict[str, Any]:
    return {
        key: (str(value) if key == "acuity" else value)
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
    acting_user: Any,
    parts: Sequence[Part] = (),
    note: str = "",
) -> Assessment:
    """Record the institution's conclusion. A grade of None means the applicant does not meet
    the standard. The grade derived from the measures is stored beside the assessor's."""
    app = _take(application, acting_user)
    assessment = app.assessments.filter(level=Level.INITIAL).first()
    errors: dict[str, list[str]] = {}
    if app.status != Status.BOOKED or assessment is None or assessment.booked_for is None:
        raise ValidationError({"status": [_("Book the assessment before recording its result.")]})
    _not_future(assessed_on, "assessed_on", errors)
    if assessed_on < app.received_on:
        errors.setdefault("assessed_on", []).append(
            _("The date is before the application was received.")
        )
    if not assessor.strip():
        errors["assessor"] = [_("Enter the assessor's name.")]
    derivation, grade, part_rows = _grade(
        category=category,
        measures=measures,
        assessor_grade=assessor_grade,
        parts=parts,
        age=people.age_on(app.birth_date, assessed_on),
        errors=errors,
    )
    _fail(errors)
    assessment.assessed_on = assessed_on
    assessment.assessor = assessor.strip()[:64]
    assessment.category = category
    assessment.measures = _measures_json(measures) if category != Category.MULTIPLE else {}
    assessment.parts = part_rows
    assessment.derived_grade = derivation.grade
    assessment.derivation = derivation.reason[:300]
    assessment.assessor_grade = grade
    assessment.note = note.strip()[:300]
    assessment.recorded_by = acting_user
    assessment.save()
    app.category = category
    app.grade = grade
    if grade is None:
        app.status = Status.NOT_QUALIFIED
        _conclude(app, assessed_on)
        app.decided_on = assessed_on
        app.decided_by = acting_user
        app.decision_reason = _("The assessment found no disability grade.")
    else:
        app.status = Status.ASSESSED
    app.save()
    _audit(
        app,
        acting_user,
        "assess",
        assessed_on=assessed_on,
        category=category,
        assessor_grade=grade,
        derived_grade=derivation.grade,
        grades_differ=derivation.grade != grade,
    )
    return assessment


def _grade(
    *,
    category: int,
    measures: grading.Measures,
    assessor_grade: int | None,
    parts: Sequence[Part],
    age: int,
    errors: dict[str, list[str]],
) -> tuple[grading.Derivation, int | None, list[dict[str, Any]]]:
    """The derivation from the measures and the grade that stands (the assessor's)."""
    if category not in people.CATEGORIES:
        errors["category"] = [_("The category must be a national code from 1 to 7.")]
        return grading.Derivation(None, False, ""), None, []
    if assessor_grade is not None and assessor_grade not in people.GRADES:
        errors["assessor_grade"] = [_("The grade must be from 1 to 4.")]
    if category != Category.MULTIPLE:
        try:
            derivation = grading.derive_grade(category=category, measures=measures, age_years=age)
        except ValueError as exc:
            errors["measures"] = [str(exc)]
            derivation = grading.Derivation(None, False, "")
        return derivation, assessor_grade, []
    # A multiple disability: every part graded on its own; the most severe grade applies.
    categories = [part.category for part in parts]
    if len(parts) < 2 or len(set(categories)) != len(categories):
        errors["parts"] = [_("A multiple disability needs at least two different categories.")]
    if any(c not in people.CATEGORIES or c == Category.MULTIPLE for c in categories):
        errors["parts"] = [_("Each part must be one of the categories 1 to 6.")]
    if errors:
        return grading.Derivation(None, False, ""), None, []
    rows: list[dict[str, Any]] = []
    derived: list[int] = []
    reasons: list[str] = []
    stated: list[int] = []
    for part in parts:
        try:
            d = grading.derive_grade(category=part.category, measures=part.measures, age_years=age)
        except ValueError as exc:
            errors["parts"] = [str(exc)]
            return grading.Derivation(None, False, ""), None, []
        if part.assessor_grade is not None and part.assessor_grade not in people.GRADES:
            errors["parts"] = [_("The grade must be from 1 to 4.")]
            return d, None, []
        rows.append(
            {
                "category": part.category,
                "measures": _measures_json(part.measures),
                "derived_grade": d.grade,
                "assessor_grade": part.assessor_grade,
                "derivation": d.reason,
            }
        )
        if d.grade is not None:
            derived.append(d.grade)
        if part.assessor_grade is not None:
            stated.append(part.assessor_grade)
        reasons.append(d.reason)
    if len(stated) < 2:
        errors["parts"] = [_("A multiple disability needs a grade for at least two of its parts.")]
        return grading.Derivation(None, False, ""), None, rows
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
    return derivation, grade, rows


def _conclude(app: Application, on: datetime.date) -> None:
    """The conclusion is made known on `on`: objections run 10 working days from then."""
    app.concluded_on = on
    due = workdays.add_working_days(on, OBJECTION_WORKING_DAYS)
    app.objection_due = due.day
    _merge_estimated(app, [due])


# ---------------------------------------------------------------------------------------------
# Publicity, review and issue


@transaction.atomic
def start_publicity(
    *, application: Application, starts_on: datetime.date, location: str, acting_user: Any
) -> Application:
    """Post the conclusion in the village or community for 5 working days."""
    app = _take(application, acting_user)
    errors: dict[str, list[str]] = {}
    if app.status != Status.ASSESSED:
        raise ValidationError({"status": [_("Only an assessed application can be published.")]})
    last = app.assessments.exclude(assessed_on__isnull=True).order_by("-id").first()
    if last is not None and last.assessed_on and starts_on < last.assessed_on:
        errors["starts_on"] = [_("The publicity cannot start before the assessment.")]
    if not location.strip():
        errors["location"] = [_("Enter where the notice is posted.")]
    _fail(errors)
    ends = workdays.working_days_from(starts_on, PUBLICITY_WORKING_DAYS)
    review = workdays.add_working_days(ends.day, REVIEW_WORKING_DAYS)
    app.publicity_starts_on = starts_on
    app.publicity_ends_on = ends.day
    app.review_due = review.day
    app.publicity_location = location.strip()[:100]
    app.status = Status.PUBLICITY
    _merge_estimated(app, [ends, review])
    _conclude(app, starts_on)
    app.save()
    _audit(
        app,
        acting_user,
        "publicity",
        starts_on=starts_on,
        ends_on=ends.day,
        review_due=review.day,
        estimated_years=list(app.estimated_years),
    )
    return app


@transaction.atomic
def review(
    *,
    application: Application,
    approve: bool,
    on: datetime.date,
    reason: str,
    acting_user: Any,
) -> Application:
    """The county federation's review after publicity: approve (and issue) or reject."""
    app = _take(application, acting_user)
    errors: dict[str, list[str]] = {}
    if app.status != Status.PUBLICITY or app.publicity_ends_on is None:
        raise ValidationError({"status": [_("Only an application in publicity can be reviewed.")]})
    if on <= app.publicity_ends_on:
        errors["on"] = [
            _("The publicity runs until %(date)s: the review and issue come after it.")
            % {"date": _day(app.publicity_ends_on)}
        ]
    _not_future(on, "on", errors)
    if not approve and not reason.strip():
        errors["reason"] = [_("Enter the reason for the rejection.")]
    _fail(errors)
    if not approve:
        _decide(app, Status.REJECTED, on, reason, acting_user)
        _audit(app, acting_user, "reject", on=on, reason=reason.strip())
        return app
    certificate = _issue(app, on, acting_user)
    _decide(app, Status.ISSUED, on, reason, acting_user)
    _audit(app, acting_user, "issue", on=on, certificate=certificate.pk, grade=certificate.grade)
    return app


@transaction.atomic
def issue_without_assessment(
    *, application: Application, on: datetime.date, acting_user: Any
) -> Certificate:
    """Issue a renewal (without re-assessment) or a replacement."""
    app = _take(application, acting_user)
    errors: dict[str, list[str]] = {}
    if app.kind not in (Kind.RENEWAL, Kind.REPLACEMENT) or app.needs_assessment:
        errors["status"] = [_("This application goes through assessment and publicity.")]
    elif app.status != Status.SUBMITTED:
        errors["status"] = [_("This application is already closed.")]
    _within(app, on, errors)
    _fail(errors)
    certificate = _issue(app, on, acting_user)
    _decide(app, Status.ISSUED, on, "", acting_user)
    _audit(app, acting_user, "issue", on=on, certificate=certificate.pk, grade=certificate.grade)
    return certificate


def _issue(app: Application, on: datetime.date, acting_user: Any) -> Certificate:
    person = app.person
    if app.kind == Kind.FIRST:
        person = _register(app, on, acting_user)
        previous = None
    else:
        assert person is not None
        previous = current_certificate(person)
        if previous is None:
            raise ValidationError({"person": [_("This person holds no valid certificate.")]})
        previous.status = CertificateStatus.SUPERSEDED
        previous.ended_on = on
        previous.save()
    category, grade = app.category, app.grade
    expires = people.add_years(on, VALID_YEARS)
    if app.kind == Kind.REPLACEMENT or (app.kind == Kind.RENEWAL and not app.needs_assessment):
        assert previous is not None
        category, grade = previous.category, previous.grade
        if app.kind == Kind.REPLACEMENT:
            expires = previous.expires_on
    assert grade is not None
    certificate = Certificate.objects.create(
        person=person,
        category=category,
        grade=grade,
        issued_on=on,
        expires_on=expires,
        county_id=app.place.code[:6] + "000000",
        issue=Issue(app.kind),
        application=app,
    )
    _sync_person(person, certificate, acting_user)
    app.person = person
    return certificate


def _register(app: Application, on: datetime.date, acting_user: Any) -> Person:
    """Put a first-time holder on the registry, or bring a cancelled holder back. The
    application's sealed values are opened through the gate (purpose: issue) to be checked
    and sealed again on the registry; nobody sees them."""
    sealed = gate.reveal(
        target=app, fields=tuple(Application.SEALED), purpose=gate.Purpose.ISSUE,
        acting_user=acting_user, action="certificate.issue.copy",
    )  # fmt: skip
    data = people.PersonData(
        id_number=sealed["id_number"],
        name=app.name,
        ethnicity=app.ethnicity,
        place_code=app.place.code,
        category=app.category,
        grade=app.grade or 0,
        certificate_issued_on=on,
        sex=app.sex,
        birth_date=app.birth_date,
        address=app.address,
        phone=sealed["phone"],
        guardian_name=app.guardian_name,
        guardian_relation=app.guardian_relation,
        guardian_phone=sealed["guardian_phone"],
    )
    known = Person.objects.filter(id_number_index=app.id_number_index).first()
    if known is None:
        return people.create_person(data=data, acting_user=acting_user)
    if known.life_status == LifeStatus.ACTIVE:
        raise ValidationError({"id_number": [_("This person already holds a certificate.")]})
    data.bank_name = known.bank_name
    data.bank_account = None  # kept as it is on the registry
    people.update_person(person=known, data=data, acting_user=acting_user, workflow=True)
    return known


# ---------------------------------------------------------------------------------------------
# Transfer and cancellation


@transaction.atomic
def complete_transfer(
    *, application: Application, on: datetime.date, acting_user: Any
) -> Application:
    """Move the holder's record to the county of the new household registration."""
    app = _take(application, acting_user)
    errors: dict[str, list[str]] = {}
    if app.kind != Kind.TRANSFER or app.status != Status.SUBMITTED:
        raise ValidationError({"status": [_("This is not a transfer waiting to be completed.")]})
    _within(app, on, errors)
    _fail(errors)
    person = app.person
    assert person is not None and app.target_place is not None
    certificate = current_certificate(person)
    if certificate is None:
        raise ValidationError({"person": [_("This person holds no valid certificate.")]})
    _sync_person(person, certificate, acting_user, place_id=app.target_place.code)
    _decide(app, Status.COMPLETED, on, "", acting_user)
    _audit(
        app,
        acting_user,
        "transfer",
        on=on,
        from_place=app.place.code,
        to_place=app.target_place.code,
    )
    return app


@transaction.atomic
def cancel_certificate(
    *,
    person: Person,
    reason: str,
    on: datetime.date,
    acting_user: Any,
    note: str = "",
) -> Certificate:
    """Cancel the valid certificate: on death, when the holder no longer meets the standard, or
    at their request. A new application is refused for a year (not after a death)."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    locked = Person.objects.select_for_update().select_related("place").get(pk=person.pk)
    _require_in_scope(acting_user, locked.place)
    errors: dict[str, list[str]] = {}
    if reason not in CancelReason.values:
        errors["reason"] = [_("Choose the reason for the cancellation.")]
    _not_future(on, "on", errors)
    if reason == CancelReason.REQUEST and not note.strip():
        errors["note"] = [_("Record the holder's request (how and when it was made).")]
    if Application.objects.filter(person=locked, status__in=OPEN_STATUSES).exists():
        errors.setdefault("reason", []).append(
            _("This person has an application in progress: close or withdraw it first.")
        )
    certificate = current_certificate(locked)
    if certificate is None:
        raise ValidationError({"reason": [_("This person holds no valid certificate.")]})
    if on < certificate.issued_on:
        errors.setdefault("on", []).append(_("The date is before the certificate was issued."))
    _fail(errors)
    certificate.status = CertificateStatus.CANCELLED
    certificate.ended_on = on
    certificate.cancel_reason = reason
    certificate.cancel_note = note.strip()[:200]
    if reason != CancelReason.DEATH:
        certificate.locked_until = people.add_years(on, LOCK_YEARS)
    certificate.save()
    status = LifeStatus.DECEASED if reason == CancelReason.DEATH else LifeStatus.CANCELLED
    _sync_person(locked, certificate, acting_user, life_status=status, life_status_date=on)
    audit.record(
        acting_user=acting_user,
        action="certificate.cancel",
        target=locked,
        detail={
            "certificate": certificate.pk,
            "reason": reason,
            "on": on.isoformat(),
            "locked_until": _json(certificate.locked_until),
        },
    )
    person.refresh_from_db()
    return certificate


# ---------------------------------------------------------------------------------------------
# Objections


OBJECTABLE = frozenset({Status.PUBLICITY, Status.ASSESSED, Status.NOT_QUALIFIED})


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
    return Level.PROVINCE, workdays.add_working_days(city.decided_on, OBJECTION_WORKING_DAYS).day


@transaction.atomic
def file_objection(
    *, application: Application, filed_on: datetime.date, grounds: str, acting_user: Any
) -> Objection:
    """An objection to the conclusion: to the city federation within 10 working days of it,
    then to the province expert committee within 10 working days of the city's decision."""
    app = _take(application, acting_user)
    errors: dict[str, list[str]] = {}
    if app.status not in OBJECTABLE or app.concluded_on is None:
        raise ValidationError(
            {"status": [_("An objection is possible only once the conclusion is made known.")]}
        )
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
    _not_future(filed_on, "filed_on", errors)
    if filed_on > deadline:
        errors.setdefault("filed_on", []).append(
            _("The time for an objection ended on %(date)s (10 working days).")
            % {"date": _day(deadline)}
        )
    if filed_on < app.concluded_on:
        errors.setdefault("filed_on", []).append(
            _("The date is before the conclusion was made known.")
        )
    if not grounds.strip():
        errors["grounds"] = [_("Enter the grounds of the objection.")]
    _fail(errors)
    due = workdays.add_working_days(filed_on, objection_decision_days())
    objection = Objection.objects.create(
        application=app,
        level=level,
        filed_on=filed_on,
        grounds=grounds.strip()[:300],
        decision_due=due.day,
        previous_status=app.status,
        filed_by=acting_user,
    )
    app.status = Status.OBJECTION
    _merge_estimated(app, [due])
    app.save()
    _audit(app, acting_user, "objection", level=level, filed_on=filed_on, due=due.day)
    return objection


@transaction.atomic
def decide_objection(
    *,
    objection: Objection,
    decided_on: datetime.date,
    outcome: str,
    grade: int | None,
    note: str,
    acting_user: Any,
) -> Objection:
    """Record the re-assessment's decision. A changed conclusion is published again; the
    province committee's decision is final."""
    require(acting_user, Perm.DECIDE_OBJECTION)
    app = _locked(objection.application_id)
    _require_in_scope(acting_user, app.place)
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    errors: dict[str, list[str]] = {}
    if obj.decided_on is not None:
        raise ValidationError({"status": [_("This objection is already decided.")]})
    if outcome not in ObjectionOutcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if grade is not None and grade not in people.GRADES:
        errors["grade"] = [_("The grade must be from 1 to 4.")]
    if outcome == ObjectionOutcome.CHANGED and grade == app.grade:
        errors.setdefault("grade", []).append(
            _("The grade is the same as the conclusion: choose “the conclusion stands”.")
        )
    _not_future(decided_on, "decided_on", errors)
    if decided_on < obj.filed_on:
        errors.setdefault("decided_on", []).append(_("The date is before the objection was filed."))
    if not note.strip():
        errors["note"] = [_("Enter the reasons of the decision.")]
    _fail(errors)
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
    if outcome == ObjectionOutcome.UPHELD:
        app.status = obj.previous_status
    else:
        app.grade = grade
        app.publicity_starts_on = app.publicity_ends_on = app.review_due = None
        app.status = Status.ASSESSED if grade is not None else Status.NOT_QUALIFIED
    app.concluded_on = decided_on
    if app.status == Status.NOT_QUALIFIED:
        app.decided_on = decided_on
        app.decided_by = acting_user
    app.save()
    _audit(
        app,
        acting_user,
        "objection.decide",
        level=obj.level,
        outcome=outcome,
        grade=obj.grade,
        decided_on=decided_on,
    )
    return obj


# ---------------------------------------------------------------------------------------------
# Deadlines counted again once a year's official schedule is entered


def _deadlines(app: Application) -> list[workdays.Deadline]:
    """Count every deadline of `app` from its stored starting dates; update the dates."""
    counted: list[workdays.Deadline] = []
    if app.publicity_starts_on is not None:
        ends = workdays.working_days_from(app.publicity_starts_on, PUBLICITY_WORKING_DAYS)
        review = workdays.add_working_days(ends.day, REVIEW_WORKING_DAYS)
        app.publicity_ends_on, app.review_due = ends.day, review.day
        counted += [ends, review]
    if app.concluded_on is not None:
        due = workdays.add_working_days(app.concluded_on, OBJECTION_WORKING_DAYS)
        app.objection_due = due.day
        counted.append(due)
    for objection in app.objections.filter(decided_on__isnull=True):
        decision = workdays.add_working_days(objection.filed_on, objection_decision_days())
        if decision.day != objection.decision_due:
            objection.decision_due = decision.day
            objection.save(update_fields=["decision_due"])
        counted.append(decision)
    return counted


def recount_deadlines(*, year: int, acting_user: Any, **_: Any) -> int:
    """Count again the deadlines of open applications that were estimated for `year` (no
    official schedule then); return how many applications changed. Each change is audited."""
    changed = 0
    candidates = Application.objects.select_for_update().filter(status__in=OPEN_STATUSES)
    for app in candidates.exclude(estimated_years=[]):
        if year not in app.estimated_years:
            continue
        before = {
            "publicity_ends_on": _json(app.publicity_ends_on),
            "review_due": _json(app.review_due),
            "objection_due": _json(app.objection_due),
        }
        app.estimated_years = []
        _merge_estimated(app, _deadlines(app))
        app.save()
        after = {key: _json(getattr(app, key)) for key in before}
        _audit(app, acting_user, "deadlines", year=year, before=before, after=after)
        changed += 1
    return changed
