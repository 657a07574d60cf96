"""Holders' procedures that need no assessment: issuing a renewal or a replacement, completing
a transfer to the county of a new household registration, and cancelling a certificate.

A renewal or a change that needs re-assessment goes through assessment, publicity and review
like a first application; the application itself is taken at the window (applications.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.certificates.models import (
    OPEN_STATUSES,
    Application,
    CancelReason,
    Certificate,
    CertificateStatus,
    Kind,
    Status,
)
from canlian.certificates.services.common import (
    decide,
    json_value,
    record,
    require_in_scope,
    take,
    within,
)
from canlian.certificates.services.registry import (
    LOCK_YEARS,
    current_certificate,
    issue_certificate,
    sync_person,
)
from canlian.lib import rules
from canlian.lib.rules import Problem, not_future
from canlian.people import services as people
from canlian.people.models import LifeStatus, Person

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User


@transaction.atomic
def issue_without_assessment(
    *, application: Application, on: datetime.date, acting_user: User
) -> Certificate:
    """Issue a renewal (without re-assessment) or a replacement."""
    app = take(application, acting_user)
    rules.enforce(rules.errors_of(_issue_problems(app), within(app, on)))
    certificate = issue_certificate(app, on, acting_user)
    decide(app, Status.ISSUED, on, "", acting_user)
    record(app, acting_user, "issue", on=on, certificate=certificate.pk, grade=certificate.grade)
    return certificate


def _issue_problems(app: Application) -> Iterator[Problem]:
    if app.kind not in (Kind.RENEWAL, Kind.REPLACEMENT) or app.needs_assessment:
        yield "status", _("This application goes through assessment and publicity.")
    elif app.status != Status.SUBMITTED:
        yield "status", _("This application is already closed.")


@transaction.atomic
def complete_transfer(
    *, application: Application, on: datetime.date, acting_user: User
) -> Application:
    """Move the holder's record to the county of the new household registration."""
    app = take(application, acting_user)
    if app.kind != Kind.TRANSFER or app.status != Status.SUBMITTED:
        raise ValidationError({"status": [_("This is not a transfer waiting to be completed.")]})
    rules.enforce(rules.errors_of(within(app, on)))
    person = app.person
    assert person is not None and app.target_place is not None
    certificate = current_certificate(person)
    if certificate is None:
        raise ValidationError({"person": [_("This person holds no valid certificate.")]})
    sync_person(person, certificate, acting_user, place_id=app.target_place.code)
    decide(app, Status.COMPLETED, on, "", acting_user)
    record(
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
    acting_user: Actor,
    note: str = "",
) -> Certificate:
    """Cancel the valid certificate: on death, when the holder no longer meets the standard, or
    at their request. A new application is refused for a year (not after a death)."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    locked = Person.objects.select_for_update().select_related("place").get(pk=person.pk)
    require_in_scope(acting_user, locked.place)
    certificate = current_certificate(locked)
    if certificate is None:
        raise ValidationError({"reason": [_("This person holds no valid certificate.")]})
    rules.enforce(rules.errors_of(_cancel_problems(locked, certificate, reason, on, note)))
    end_certificate(locked, certificate, reason, on, note, acting_user)
    person.refresh_from_db()
    return certificate


def end_certificate(
    person: Person,
    certificate: Certificate,
    reason: str,
    on: datetime.date,
    note: str,
    acting_user: Actor,
    **detail: object,
) -> None:
    """Cancel `certificate` of `person` (locked) on `on`; a year's lock unless on death
    (第二十四条). The caller has checked the rules."""
    certificate.status = CertificateStatus.CANCELLED
    certificate.ended_on = on
    certificate.cancel_reason = reason
    certificate.cancel_note = note.strip()[:200]
    if reason != CancelReason.DEATH:
        certificate.locked_until = people.add_years(on, LOCK_YEARS)
    certificate.save()
    status = LifeStatus.DECEASED if reason == CancelReason.DEATH else LifeStatus.CANCELLED
    sync_person(person, certificate, acting_user, life_status=status, life_status_date=on)
    audit.record(
        acting_user=acting_user,
        action="certificate.cancel",
        target=person,
        detail={
            "certificate": certificate.pk,
            "reason": reason,
            "on": on.isoformat(),
            "locked_until": json_value(certificate.locked_until),
            **{key: json_value(value) for key, value in detail.items()},
        },
    )


def cancellable_certificate(app: Application, category: int) -> Certificate | None:
    """The valid certificate a conclusion of no grade in `category` would cancel: the holder's
    (a change, a re-assessed renewal, or the certificate an application issued before an
    objection's re-assessment) when it is of that category; None otherwise."""
    if app.person is None or app.kind not in (Kind.FIRST, Kind.CHANGE, Kind.RENEWAL):
        return None
    certificate = current_certificate(app.person)
    if certificate is None or certificate.category != category:
        return None
    return certificate


def cancel_after_assessment(
    app: Application, category: int, on: datetime.date, acting_user: Actor
) -> Certificate | None:
    """The county review confirmed that the holder no longer meets the standard (a change, a
    re-assessed renewal, or an objection's re-assessment of an issued certificate): the valid
    certificate is cancelled on `on` with the year's lock (第二十四条) — only when the
    assessment covers the certificate's category. Returns the certificate cancelled, or None."""
    if app.person is None:
        return None
    person = Person.objects.select_for_update().get(pk=app.person.pk)
    certificate = cancellable_certificate(app, category)
    if certificate is None:
        return None
    note = _("The re-assessment found that the holder no longer meets the standard.")
    end_certificate(
        person, certificate, CancelReason.NOT_MEETING, on, str(note), acting_user,
        application=app.pk,
    )  # fmt: skip
    return certificate


def restore_certificate(app: Application, acting_user: Actor) -> Certificate | None:
    """An objection found a grade after `app`'s re-assessment had cancelled the certificate:
    the certificate is valid again and the year's lock is lifted — only while the holder's
    status is still the one this cancellation gave (cancelled, on its date). Refused when the
    holder has died or moved out since. Returns the certificate, or None when there is
    nothing to restore."""
    if app.cancelled_certificate_id is None:
        return None
    certificate = Certificate.objects.select_for_update().get(pk=app.cancelled_certificate_id)
    person = Person.objects.select_for_update().get(pk=certificate.person_id)
    rules.enforce(rules.errors_of(holder_gone(person)))
    if (
        certificate.status != CertificateStatus.CANCELLED
        or person.life_status != LifeStatus.CANCELLED
        or person.life_status_date != certificate.ended_on
        or current_certificate(person)
        or person.certificates.filter(pk__gt=certificate.pk).exists()
    ):
        return None
    certificate.status = CertificateStatus.VALID
    certificate.ended_on = None
    certificate.cancel_reason = certificate.cancel_note = ""
    certificate.locked_until = None
    certificate.save()
    sync_person(
        person, certificate, acting_user, life_status=LifeStatus.ACTIVE, life_status_date=None
    )
    app.cancelled_certificate = None
    audit.record(
        acting_user=acting_user,
        action="certificate.restore",
        target=person,
        detail={"certificate": certificate.pk, "application": app.pk},
    )
    return certificate


def holder_gone(person: Person | None) -> Iterator[Problem]:
    """The holder has died or moved out: their certificate is neither restored nor changed."""
    if person is None:
        return
    if person.life_status == LifeStatus.DECEASED:
        yield (
            "status",
            _("The holder has died: the certificate can no longer be restored or changed."),
        )
    elif person.life_status == LifeStatus.MOVED_OUT:
        yield (
            "status",
            _(
                "The holder has moved out of the area: the certificate can no longer be "
                "restored or changed here."
            ),
        )


def _cancel_problems(
    person: Person, certificate: Certificate, reason: str, on: datetime.date, note: str
) -> Iterator[Problem]:
    if reason not in CancelReason.values:
        yield "reason", _("Choose the reason for the cancellation.")
    yield from not_future(on, "on")
    if reason == CancelReason.REQUEST and not note.strip():
        yield "note", _("Record the holder's request (how and when it was made).")
    if Application.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        yield "reason", _("This person has an application in progress: close or withdraw it first.")
    if on < certificate.issued_on:
        yield "on", _("The date is before the certificate was issued.")
