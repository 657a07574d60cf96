"""Applications at the county window: accepting a first application or a holder's renewal,
change, replacement or transfer, and closing one before assessment (refusal, withdrawal).

A first application gives the applicant's particulars; a holder's application copies them from
the registry. Every check of application_checks.py runs and every problem is reported at once;
only the kind of application and the applicant or holder must be given before the others can
be checked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.certificates.models import OPEN_STATUSES, Application, Document, Kind, Status, Tour
from canlian.certificates.services.application_checks import (
    FIRST_CHECKS,
    HOLDER_CHECKS,
    Applicant,
    Submission,
)
from canlian.certificates.services.common import decide, record, require_in_scope, take, within
from canlian.certificates.services.registry import current_certificate
from canlian.lib import crypto, idcard, rules
from canlian.lib.rules import Problem
from canlian.people import services as people
from canlian.people.models import ID_CONTEXT, Person
from canlian.places.models import Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User

ASSESSED_KINDS = frozenset({Kind.FIRST, Kind.CHANGE})
# Copied from the holder's registry record onto a holder's application, sealed values as they are.
HOLDER_FIELDS = (
    "id_number_cipher", "id_number_masked", "name", "sex", "birth_date", "ethnicity", "address",
    "phone_cipher", "phone_masked", "guardian_name", "guardian_relation", "guardian_phone_cipher",
    "guardian_phone_masked", "place",
)  # fmt: skip


@transaction.atomic
def submit_application(
    *,
    kind: str,
    acting_user: User,
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
    replacement_reason: str = "",
) -> Application:
    """Accept an application at the county window once its documents are complete."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    s = _submission(
        kind=kind, acting_user=acting_user, received_on=received_on, applied_by=applied_by,
        documents=documents, category=category, proxy_name=proxy_name,
        needs_assessment=needs_assessment, target_place_code=target_place_code, reason=reason,
        tour=tour, replacement_reason=replacement_reason,
    )  # fmt: skip
    rules.enforce(rules.collect(s, _filled(s, applicant, person), s.errors))
    application = s.application
    application.documents = sorted(set(documents) & set(Document.values))
    application.save()
    record(
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


def application_problems(
    *,
    kind: str,
    acting_user: Actor,
    received_on: datetime.date | None,
    applied_by: str,
    documents: Sequence[str],
    category: int | None = None,
    applicant: Applicant | None = None,
    person: Person | None = None,
    proxy_name: str = "",
    needs_assessment: bool = True,
    target_place_code: str = "",
    reason: str = "",
    replacement_reason: str = "",
) -> rules.Errors:
    """The rules' problems with an application as far as it was given, by field, saving
    nothing: the window form lists them with its own fields' problems, so that one submit
    reports everything. A value not given is None or empty, and a check that needs it is
    skipped; submit_application runs every check on the complete form. The registry is not
    searched for a first applicant's ID number here (no lookup by number on an incomplete
    form): whether someone already holds it is checked on the complete submit."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    try:
        s = _submission(
            kind=kind, acting_user=acting_user, received_on=received_on, applied_by=applied_by,
            documents=documents, category=category, proxy_name=proxy_name,
            needs_assessment=needs_assessment, target_place_code=target_place_code,
            reason=reason, tour=None, replacement_reason=replacement_reason,
        )  # fmt: skip
        checks = _filled(s, applicant, person, look_up=False)
    except (ValidationError, PermissionDenied):
        return {}
    return rules.collect(s, checks, s.errors, partial=True)


def _submission(
    *,
    kind: str,
    acting_user: Actor,
    received_on: datetime.date | None,
    applied_by: str,
    documents: Sequence[str],
    category: int | None,
    proxy_name: str,
    needs_assessment: bool,
    target_place_code: str,
    reason: str,
    tour: Tour | None,
    replacement_reason: str,
) -> Submission:
    """The application built from what was brought (not saved), with what its checks need."""
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Choose the kind of application.")]})
    application = Application(
        kind=kind,
        status=Status.SUBMITTED,
        applied_by=applied_by,
        proxy_name=proxy_name.strip(),
        # None only for application_problems, whose checks that need it are skipped.
        received_on=received_on,  # type: ignore[misc]
        received_by=acting_user,
        reason=reason.strip(),
        replacement_reason=replacement_reason if kind == Kind.REPLACEMENT else "",
        tour=tour,
        needs_assessment=kind in ASSESSED_KINDS or (kind == Kind.RENEWAL and needs_assessment),
        id_number_index="",
    )
    s = Submission(
        application=application,
        acting_user=acting_user,
        documents=documents,
        reason=reason,
        category=category,
        target_place_code=target_place_code,
    )
    return s


def _filled(
    s: Submission, applicant: Applicant | None, person: Person | None, *, look_up: bool = True
) -> tuple[rules.Check[Submission], ...]:
    """Fill the application from the applicant's particulars or the holder's record, whichever
    its kind needs; return the checks it must pass. Without `look_up` a first applicant's ID
    number is not looked up on the registry (its checks find no record)."""
    if s.kind == Kind.FIRST:
        if applicant is None:
            raise ValidationError({"id_number": [_("Enter the applicant's particulars.")]})
        _from_applicant(s, applicant, look_up=look_up)
        return FIRST_CHECKS
    if person is None:
        raise ValidationError({"person": [_("Choose the certificate holder.")]})
    _from_holder(s, person)
    return HOLDER_CHECKS


def _from_applicant(s: Submission, applicant: Applicant, *, look_up: bool = True) -> None:
    """Fill the application from a first applicant's particulars; look the ID number up on
    the registry when `look_up`."""
    app = s.application
    s.applicant = applicant
    s.id_check = check = idcard.check(applicant.id_number, today=timezone.localdate())
    s.place = Place.objects.filter(code=applicant.place_code).first()
    if check.valid and check.normalized:
        app.id_number_index = crypto.blind_index(check.normalized, context=ID_CONTEXT)
        if look_up:
            s.known = Person.objects.filter(id_number_index=app.id_number_index).first()
        Application.SEALED["id_number"].set(app, check.normalized)
        assert check.sex is not None and check.birth_date is not None
        app.sex = str(check.sex)
        app.birth_date = check.birth_date
        app.person = s.known
    app.name = applicant.name.strip()
    app.ethnicity = applicant.ethnicity
    if s.place is not None:
        app.place = s.place
    for field in ("address", "guardian_name", "guardian_relation"):
        setattr(app, field, getattr(applicant, field).strip())
    for field in ("phone", "guardian_phone"):
        phone = people.phone_problem(getattr(applicant, field))[0] or ""
        Application.SEALED[field].set(app, phone)
    app.category = s.category or 0


def _from_holder(s: Submission, person: Person) -> None:
    """Fill the application from the holder's registry record, once the holder is in the
    user's jurisdiction (PermissionDenied otherwise)."""
    require_in_scope(s.acting_user, person.place)
    app = s.application
    s.holder = app.person = person
    s.current = current_certificate(person)
    app.id_number_index = person.id_number_index
    for field in HOLDER_FIELDS:
        setattr(app, field, getattr(person, field))
    app.category = person.category
    if s.kind == Kind.CHANGE and s.category in people.CATEGORIES:
        app.category = s.category
    if s.kind == Kind.TRANSFER:
        app.target_place_id = s.target_place_code or None


# --- Closing an application before assessment -------------------------------------------------


@transaction.atomic
def refuse(
    *, application: Application, on: datetime.date, reason: str, acting_user: User
) -> Application:
    """Refuse an application before assessment (e.g. not this county's household)."""
    app = take(application, acting_user)
    rules.enforce(rules.errors_of(_refusal_problems(app, reason), within(app, on)))
    decide(app, Status.REFUSED, on, reason, acting_user)
    record(app, acting_user, "refuse", on=on, reason=reason.strip())
    return app


def _refusal_problems(app: Application, reason: str) -> Iterator[Problem]:
    if app.status not in (Status.SUBMITTED, Status.BOOKED):
        yield "status", _("Only an application not yet assessed can be refused.")
    if not reason.strip():
        yield "reason", _("Enter the reason for the refusal.")


@transaction.atomic
def withdraw(
    *, application: Application, on: datetime.date, reason: str, acting_user: User
) -> Application:
    """Close an open application at the applicant's request."""
    app = take(application, acting_user)
    if app.status not in OPEN_STATUSES:
        raise ValidationError({"status": [_("This application is already closed.")]})
    if app.status == Status.OBJECTION:
        raise ValidationError(
            {"status": [_("An objection is under consideration: wait for its decision.")]}
        )
    rules.enforce(rules.errors_of(within(app, on)))
    decide(app, Status.WITHDRAWN, on, reason, acting_user)
    record(app, acting_user, "withdraw", on=on, reason=reason.strip())
    return app
